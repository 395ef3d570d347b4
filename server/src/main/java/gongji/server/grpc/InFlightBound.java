package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.gateway.CallsInFlight;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway's bound on calls in flight ({@link CallsInFlight}) on the gRPC services that move or
 * read money: a call takes a place when its handler is about to start, on the event loop, before its
 * message is parsed; one that finds none is closed at once with RESOURCE_EXHAUSTED, reason
 * {@code OVERLOADED}, a RetryInfo and the cashier's text, and never reaches the service, so nothing
 * is applied and its request id stays unused. An admitted call gives its place back once, at the
 * first of: its reply (close), its cancellation (the client's deadline or reset), its completion.
 *
 * <p>Health and reflection are never behind it: a node that sheds is alive and must say so.
 */
public final class InFlightBound implements ServerInterceptor {
  private final CallsInFlight calls;
  private final com.google.rpc.Status refusal;

  /** A bound of {@code calls}. */
  public InFlightBound(CallsInFlight calls) {
    this.calls = requireNonNull(calls, "calls");
    this.refusal = Errors.overloaded(calls.max());
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    if (!calls.tryEnter("grpc")) {
      StatusRuntimeException e = io.grpc.protobuf.StatusProto.toStatusRuntimeException(refusal);
      call.close(e.getStatus(), requireNonNull(e.getTrailers()));
      return new ServerCall.Listener<>() {};
    }
    Counted<Q, A> counted = new Counted<>(call, calls);
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(counted, headers);
    } catch (RuntimeException | Error e) {
      counted.release();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          counted.release();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          counted.release();
        }
      }
    };
  }

  /** An admitted call, which gives its place back once, at its reply at the latest. */
  private static final class Counted<Q, A> extends SimpleForwardingServerCall<Q, A> {
    private final CallsInFlight calls;
    private final AtomicBoolean released = new AtomicBoolean();

    Counted(ServerCall<Q, A> call, CallsInFlight calls) {
      super(call);
      this.calls = calls;
    }

    /** Gives the place back first, so that a client that has its reply finds the place free. */
    @Override
    public void close(Status status, Metadata trailers) {
      release();
      super.close(status, trailers);
    }

    void release() {
      if (released.compareAndSet(false, true)) {
        calls.exit();
      }
    }
  }
}
