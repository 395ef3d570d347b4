package gongji.loadtest.run;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway under test, seen from the load generator: {@code connections} channels (one HTTP/2
 * connection each) taken in turn, and unary calls as futures.
 *
 * <p>Calls go through grpc-java's async stubs ({@link ClientCalls#asyncUnaryCall}) directly, not
 * through the SDK: the SDK retries, resolves unknown outcomes and maps errors, which would hide what
 * the server does and add client work to every measured call. Channels use a direct executor, as
 * grpc-java's own benchmark client does: completions run on the Netty event loop, so the callbacks
 * only record and send the next step, never block. grpc-java's transparent retry is off: a call the
 * server refused or dropped is recorded as such, once, and costs the client no retry buffer.
 */
final class Target implements AutoCloseable {
  private final ManagedChannel[] channels;
  private final AtomicLong next = new AtomicLong();
  private final long rpcTimeoutMillis;

  Target(String hostPort, int connections, long rpcTimeoutMillis) {
    requireNonNull(hostPort, "hostPort");
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("--target: " + hostPort + " (expected: HOST:PORT)");
    }
    String host = hostPort.substring(0, colon);
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    if (connections < 1) {
      throw new IllegalArgumentException("--connections: " + connections + " (expected: >= 1)");
    }
    this.rpcTimeoutMillis = rpcTimeoutMillis;
    this.channels = new ManagedChannel[connections];
    for (int i = 0; i < connections; i++) {
      channels[i] = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor().disableRetry()
          .maxInboundMessageSize(16 << 20).build();
    }
  }

  /** Starts one unary call on the next channel, with the run's per-call deadline. */
  <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request) {
    return call(method, request, rpcTimeoutMillis);
  }

  <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request, long timeoutMillis) {
    ManagedChannel channel = channels[(int) Math.floorMod(next.getAndIncrement(), (long) channels.length)];
    ClientCall<Q, R> call = channel.newCall(method,
        CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS));
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

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public void close() {
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
