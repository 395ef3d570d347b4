package gongji.loadtest.run;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * The gateway under test, seen from the load generator: {@code connections} channels (one HTTP/2
 * connection each) taken in turn, and unary calls as futures. AdminService and FamilyService calls go
 * to the back office's port when it has its own ({@code --admin-target}), with the admin token; every
 * other call (SettlementService, health) to the terminal port with the token {@link Credentials}
 * picks for the terminal the request names. With {@code --tls-ca} both use TLS.
 *
 * <p>Calls go through grpc-java's async stubs ({@link ClientCalls#asyncUnaryCall}) directly, not
 * through the SDK: the SDK retries, resolves unknown outcomes and maps errors, which would hide what
 * the server does and add client work to every measured call. Channels use a direct executor, as
 * grpc-java's own benchmark client does: completions run on the Netty event loop, so the callbacks
 * only record and send the next step, never block. grpc-java's transparent retry is off: a call the
 * server refused or dropped is recorded as such, once, and costs the client no retry buffer.
 */
final class Target implements AutoCloseable {
  private static final String ADMIN_SERVICE = gongji.v1.AdminServiceGrpc.SERVICE_NAME;
  private static final String FAMILY_SERVICE = gongji.v1.FamilyServiceGrpc.SERVICE_NAME;

  private final ManagedChannel[] channels;
  /** The back office's channels: the same as {@link #channels} when it shares the terminal port. */
  private final ManagedChannel[] adminChannels;
  private final AtomicLong next = new AtomicLong();
  private final long rpcTimeoutMillis;
  private final Credentials credentials;

  /** Plaintext, no credentials, the back office on the terminal port. */
  Target(String hostPort, int connections, long rpcTimeoutMillis) {
    this(hostPort, null, connections, rpcTimeoutMillis, Credentials.NONE, null);
  }

  /**
   * {@code adminHostPort}: where AdminService and FamilyService calls go (null: {@code hostPort});
   * {@code tlsCa}: the server's CA, PEM, for TLS to both (null: plaintext).
   */
  Target(String hostPort, String adminHostPort, int connections, long rpcTimeoutMillis, Credentials credentials,
      Path tlsCa) {
    requireNonNull(hostPort, "hostPort");
    if (connections < 1) {
      throw new IllegalArgumentException("--connections: " + connections + " (expected: >= 1)");
    }
    this.rpcTimeoutMillis = rpcTimeoutMillis;
    this.credentials = requireNonNull(credentials, "credentials");
    SslContext ssl = tlsCa == null ? null : ssl(tlsCa);
    this.channels = channels("--target", hostPort, connections, ssl);
    this.adminChannels = adminHostPort == null ? channels : channels("--admin-target", adminHostPort, connections, ssl);
  }

  private static SslContext ssl(Path ca) {
    try {
      return GrpcSslContexts.forClient().trustManager(ca.toFile()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-ca: " + ca + " could not be loaded: " + e.getMessage(), e);
    }
  }

  private static ManagedChannel[] channels(String flag, String hostPort, int connections, SslContext ssl) {
    int colon = hostPort.lastIndexOf(':');
    int port = -1;
    if (colon > 0 && colon < hostPort.length() - 1) {
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(flag + ": " + hostPort + " (expected: HOST:PORT)");
    }
    String host = hostPort.substring(0, colon);
    ManagedChannel[] made = new ManagedChannel[connections];
    for (int i = 0; i < connections; i++) {
      NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).directExecutor().disableRetry()
          .maxInboundMessageSize(16 << 20);
      made[i] = (ssl == null ? b.usePlaintext() : b.sslContext(ssl)).build();
    }
    return made;
  }

  /** Starts one unary call on the next channel, with the run's per-call deadline. */
  <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request) {
    return call(method, request, rpcTimeoutMillis);
  }

  <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request, long timeoutMillis) {
    String service = method.getServiceName();
    boolean backOffice = ADMIN_SERVICE.equals(service) || FAMILY_SERVICE.equals(service);
    ManagedChannel[] pool = backOffice ? adminChannels : channels;
    ManagedChannel channel = pool[(int) Math.floorMod(next.getAndIncrement(), (long) pool.length)];
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
    CallCredentials who = backOffice ? credentials.admin() : credentials.terminal(request);
    if (who != null) {
      options = options.withCallCredentials(who);
    }
    ClientCall<Q, R> call = channel.newCall(method, options);
    CompletableFuture<R> result = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<R>() {
      private R value;

      @Override
      public void onNext(R v) {
        value = v;
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(value);
      }
    });
    return result;
  }

  /** The gRPC status of a failed call (UNKNOWN for anything that is not a gRPC failure). */
  static Status status(Throwable t) {
    return Status.fromThrowable(unwrap(t));
  }

  /**
   * A failed call in one line for a report or an error message: the code, the server's description and
   * the cause's message ({@link Status#toString} would add the cause's whole stack trace).
   */
  static String describe(Throwable t) {
    Status s = status(t);
    StringBuilder b = new StringBuilder(s.getCode().name());
    if (s.getDescription() != null) {
      b.append(": ").append(s.getDescription());
    }
    if (s.getCause() != null && s.getCause().getMessage() != null) {
      b.append(" (").append(s.getCause().getMessage()).append(')');
    }
    return b.toString();
  }

  /** The {@code google.rpc.ErrorInfo} reason of a failed call, or "" when it carries none. */
  static String reason(Throwable t) {
    com.google.rpc.Status s = StatusProto.fromThrowable(unwrap(t));
    if (s == null) {
      return "";
    }
    for (Any detail : s.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException e) {
          return "MALFORMED_ERROR_INFO";
        }
      }
    }
    return "";
  }

  /**
   * How long the server asked to wait before the same request is sent again ({@code google.rpc.RetryInfo}
   * on a refusal that applied nothing: overload, a rate limit), looked for through the causes of
   * {@code t}; -1 when it asked for no retry.
   */
  static long retryDelayMillis(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.grpc.StatusRuntimeException || c instanceof io.grpc.StatusException) {
        com.google.rpc.Status s = StatusProto.fromThrowable(c);
        if (s == null) {
          return -1;
        }
        for (Any detail : s.getDetailsList()) {
          if (detail.is(com.google.rpc.RetryInfo.class)) {
            try {
              com.google.protobuf.Duration d = detail.unpack(com.google.rpc.RetryInfo.class).getRetryDelay();
              return Math.max(0, d.getSeconds() * 1000 + d.getNanos() / 1_000_000);
            } catch (InvalidProtocolBufferException e) {
              return -1;
            }
          }
        }
        return -1;
      }
    }
    return -1;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public void close() {
    close(channels);
    if (adminChannels != channels) {
      close(adminChannels);
    }
  }

  private static void close(ManagedChannel[] channels) {
    for (ManagedChannel c : channels) {
      c.shutdown();
    }
    try {
      for (ManagedChannel c : channels) {
        if (!c.awaitTermination(5, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
      Thread.currentThread().interrupt();
    }
  }
}
