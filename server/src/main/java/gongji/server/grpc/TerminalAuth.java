package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is calling: a bearer token per institution (its terminals share it) or for the agency's back
 * office. Tokens come from a properties file, {@code <token>=<fixmedins_code>} or
 * {@code <token>=admin}. A terminal may only name its own institution; only an admin token reaches
 * the AdminService and FamilyService. Health and reflection need no token.
 */
public final class TerminalAuth implements ServerInterceptor {
  /** The institution the caller's token belongs to, or {@value #ADMIN}. */
  static final Context.Key<String> PRINCIPAL = Context.key("gongji-principal");
  static final String ADMIN = "admin";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Map<String, String> principals;

  private TerminalAuth(Map<String, String> principals) {
    this.principals = principals;
  }

  /** Reads {@code token=institution|admin} lines. */
  public static TerminalAuth fromFile(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    Map<String, String> principals = new ConcurrentHashMap<>();
    for (String token : p.stringPropertyNames()) {
      String who = p.getProperty(token).trim();
      if (!who.equals(ADMIN) && !Validator.INSTITUTION.matches(who)) {
        throw new IllegalArgumentException(file + ": token for \"" + who + "\" (expected: a fixmedins_code or admin)");
      }
      principals.put(token.trim(), who);
    }
    return new TerminalAuth(principals);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (service == null || !service.startsWith("gongji.")) {
      return next.startCall(call, headers);
    }
    String header = headers.get(AUTHORIZATION);
    String who = header != null && header.startsWith("Bearer ") ? principals.get(header.substring(7).trim()) : null;
    if (who == null) {
      return refuse(call, Code.UNAUTHENTICATED, "UNAUTHENTICATED",
          "a valid 'authorization: Bearer <token>' header is required");
    }
    boolean adminService = service.equals("gongji.v1.AdminService") || service.equals("gongji.v1.FamilyService");
    if (adminService && !who.equals(ADMIN)) {
      return refuse(call, Code.PERMISSION_DENIED, "TERMINAL_NOT_REGISTERED",
          "the back office needs an admin token; this token belongs to " + who);
    }
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, who), call, headers, next);
  }

  /** Refuses a terminal that names an institution its token does not belong to. */
  static void checkInstitution(String fixmedinsCode) {
    String who = PRINCIPAL.get();
    if (who != null && !who.equals(ADMIN) && !who.equals(fixmedinsCode)) {
      throw denied("the token belongs to " + who + ", not to " + fixmedinsCode);
    }
  }

  static StatusRuntimeException denied(String message) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.PERMISSION_DENIED.getNumber())
        .setMessage("TERMINAL_NOT_REGISTERED: " + message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("TERMINAL_NOT_REGISTERED").setDomain(Errors.DOMAIN).build()))
        .build());
  }

  private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Code code, String reason, String message) {
    StatusRuntimeException e = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage(reason + ": " + message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(Errors.DOMAIN).build()))
        .build());
    call.close(e.getStatus(), requireNonNull(e.getTrailers()));
    return new ServerCall.Listener<>() {};
  }
}
