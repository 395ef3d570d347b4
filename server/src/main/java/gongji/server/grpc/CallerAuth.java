package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import com.google.rpc.Code;
import gongji.server.audit.AuditLog;
import gongji.server.text.SafeText;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, and whether they may make this call. A caller proves who it is with a client
 * certificate (verified by TLS against the configured CA) whose subjectAltName URI names a
 * {@link Principal}, or with {@code authorization: Bearer <token>} from {@link BearerTokens}. A
 * token counts only over TLS, or from a peer on the gateway's own host (a TLS-terminating proxy);
 * over plaintext from elsewhere it is refused, since anyone on the path could copy it.
 *
 * <p>Then the service decides: SettlementService takes terminal principals only (and
 * {@link #checkTerminal} makes every request name the credential's institution and terminal);
 * AdminService and FamilyService take admin principals only, and an auditor may only read. No
 * credential: UNAUTHENTICATED; the wrong one: PERMISSION_DENIED, logged (rate-limited). Health and
 * reflection need no credential.
 */
public final class CallerAuth implements ServerInterceptor {
  private static final Logger log = Logger.getLogger(CallerAuth.class.getName());
  static final Context.Key<Principal> PRINCIPAL = Context.key("gongji-principal");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String SETTLEMENT = "gongji.v1.SettlementService";
  private static final RateLimitedLog REFUSALS = RateLimitedLog.perMinute(log);
  /** The subjectAltName type of a URI (RFC 5280, as {@link X509Certificate#getSubjectAlternativeNames}). */
  private static final int SAN_URI = 6;

  private final BearerTokens tokens;
  private final AuditLog audit;
  /** When each kind of refusal was last audited: once a minute, as the log. */
  private final RateLimitedLog auditedRefusals = RateLimitedLog.perMinute(log);

  public CallerAuth(BearerTokens tokens) {
    this(tokens, null);
  }

  /**
   * Authentication with {@code tokens}; a refused call is also an audit record in {@code audit}
   * (null: none), at the rate of its log line: once a minute per kind, with the number left out.
   */
  public CallerAuth(BearerTokens tokens, AuditLog audit) {
    this.tokens = requireNonNull(tokens, "tokens");
    this.audit = audit;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (service == null || !service.startsWith("gongji.")) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getBareMethodName();
    SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Principal fromCertificate;
    try {
      fromCertificate = certificatePrincipal(tls);
    } catch (IllegalArgumentException e) {
      return refuse(call, Code.UNAUTHENTICATED, "the client certificate names no valid principal: " + e.getMessage(),
          service);
    }
    Principal fromToken = null;
    String header = headers.get(AUTHORIZATION);
    if (header != null) {
      if (!header.startsWith("Bearer ")) {
        return refuse(call, Code.UNAUTHENTICATED, "authorization: expected \"Bearer <token>\"", service);
      }
      if (!tokenTransportSafe(tls != null, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))) {
        return refuse(call, Code.UNAUTHENTICATED, "a bearer token needs TLS (it is accepted over plaintext only from"
            + " this host, e.g. a TLS-terminating proxy)", service);
      }
      fromToken = tokens.lookup(header.substring("Bearer ".length()).trim());
      if (fromToken == null) {
        return refuse(call, Code.UNAUTHENTICATED, "the bearer token is not known", service);
      }
    }
    if (fromCertificate != null && fromToken != null && !fromCertificate.toString().equals(fromToken.toString())) {
      return refuse(call, Code.PERMISSION_DENIED, "the certificate names " + fromCertificate + " and the token "
          + fromToken, service);
    }
    Principal who = fromCertificate != null ? fromCertificate : fromToken;
    if (who == null) {
      return refuse(call, Code.UNAUTHENTICATED, "a client certificate that names the caller ("
          + Principal.URI_SCHEME + "institution/CODE/terminal/ID) or 'authorization: Bearer <token>' is required",
          service);
    }
    String denied = denial(who, service, method);
    if (denied != null) {
      return refuse(call, Code.PERMISSION_DENIED, denied + " (" + who.source() + ")", service);
    }
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, who), call, headers, next);
  }

  /** Why {@code who} may not call {@code service}/{@code method}, or null if it may. */
  static String denial(Principal who, String service, String method) {
    if (service.equals(SETTLEMENT)) {
      return who instanceof Principal.Terminal ? null : who + " is not a terminal; the back office does not sell";
    }
    if (!(who instanceof Principal.Admin admin)) {
      return "a terminal credential (" + who + ") never reaches the back office";
    }
    if (admin.role() == Principal.Role.AUDITOR && !isRead(method)) {
      return who + " is an auditor: " + method + " changes the ledger, an auditor only reads";
    }
    return null;
  }

  /** The back-office methods that change nothing. */
  static boolean isRead(String method) {
    return method.startsWith("Get") || method.startsWith("List") || method.equals("Reconcile");
  }

  /** A token counts over TLS, or over plaintext from a loopback peer. */
  static boolean tokenTransportSafe(boolean tls, SocketAddress remote) {
    return tls || (remote instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress());
  }

  /** The principal of the verified client certificate, or null when there is none or it names none. */
  private static Principal certificatePrincipal(SSLSession tls) {
    if (tls == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = tls.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return principalOf(leaf);
  }

  /**
   * The principal a certificate names in its {@code gongji:} subjectAltName URI, or null when it
   * has none (it then only secures the transport, and a token must say who is calling).
   *
   * @throws IllegalArgumentException when it names more than one, or one that is malformed
   */
  static Principal principalOf(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("subjectAltName cannot be read: " + e.getMessage(), e);
    }
    Principal found = null;
    String source = "certificate serial " + certificate.getSerialNumber().toString(16);
    for (List<?> name : names == null ? List.<List<?>>of() : names) {
      if (name.size() >= 2 && name.get(0) instanceof Integer type && type == SAN_URI
          && name.get(1) instanceof String uri && uri.startsWith(Principal.URI_SCHEME)) {
        if (found != null) {
          throw new IllegalArgumentException("more than one " + Principal.URI_SCHEME + " URI");
        }
        found = Principal.parseUri(uri, source);
      }
    }
    return found;
  }

  /**
   * Refuses a request whose body names another institution or terminal than the caller's
   * credential. Without a credential (authentication off, an in-process server) there is nothing to
   * check.
   */
  static void checkTerminal(String institution, String terminalId) {
    if (PRINCIPAL.get() instanceof Principal.Terminal t
        && (!t.institution().equals(institution) || (t.terminalId() != null && !t.terminalId().equals(terminalId)))) {
      String detail = "the credential belongs to " + t + ", the request names " + institution + "/" + terminalId;
      REFUSALS.log(Level.WARNING, "body:" + t,
          () -> "PERMISSION_DENIED " + SafeText.escape(detail) + " (" + t.source() + ")");
      throw status(Code.PERMISSION_DENIED, detail);
    }
  }

  private static StatusRuntimeException status(Code code, String message) {
    return Errors.exception(code, code.name(), code.name() + ": " + message, java.util.Map.of());
  }

  private <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, Code code, String message, String service) {
    String cause = code + ":" + service + ":" + message;
    REFUSALS.log(Level.WARNING, cause,
        () -> code + " " + call.getMethodDescriptor().getFullMethodName() + " from "
            + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) + ": " + SafeText.escape(message));
    StatusRuntimeException e = status(code, message);
    long leftOut = audit == null ? -1 : auditedRefusals.admit(cause);
    if (leftOut >= 0) {
      audit.write(AuditInterceptor.refusal(audit, java.time.Instant.now(),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), call.getMethodDescriptor().getFullMethodName(),
          e.getStatus().getCode(), code.name(), message, leftOut));
    }
    call.close(e.getStatus(), requireNonNull(e.getTrailers()));
    return new ServerCall.Listener<>() {};
  }
}
