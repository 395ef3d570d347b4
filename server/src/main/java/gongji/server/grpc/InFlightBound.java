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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The gateway's bound on calls in flight ({@link CallsInFlight}) on the gRPC services that move or
 * read money: a call takes a place when its handler is about to start, on the event loop, before its
 * message is parsed; one that finds none is closed at once with RESOURCE_EXHAUSTED, reason
 * {@code OVERLOADED}, a RetryInfo and the cashier's text, and never reaches the service, so nothing
 * is applied and its request id stays unused.
 *
 * <p>An admitted call gives its place back exactly once. Normally at its reply (before the reply
 * leaves, so that a client that has it finds the place free). A call that goes away first (the
 * client cancels, its deadline passes, the connection resets) gives it back at once if it never
 * handed a command to the ledger; if it did, the place stays taken until that command has left the
 * writer (its future completed: applied, refused, or not applied because its deadline passed), so
 * that calls given up on cannot pile up in the writer's queue behind the bound. How a handler says
 * that it handed a command over: {@link Replies} calls {@link #atLedger} with the gateway's future.
 *
 * <p>Cost on the event loop: one object per admitted call (the forwarding call, which was needed
 * anyway) holding an int state changed by compare-and-set; the place travels from the listener to
 * the handler it runs in a thread-local that is set and reset around the callbacks (no entry is
 * created after a thread's first call), as gRPC's own Context does, rather than in a new Context per
 * call. No lock.
 *
 * <p>Health and reflection are never behind it: a node that sheds is alive and must say so.
 */
public final class InFlightBound implements ServerInterceptor {
  /** The place of the call whose listener runs on this thread now, or null. */
  private static final ThreadLocal<Place<?, ?>> RUNNING = new ThreadLocal<>();

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
    Place<Q, A> place = new Place<>(call, calls, System.nanoTime());
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(place, headers);
    } catch (RuntimeException | Error e) {
      place.release();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        Place<?, ?> outer = RUNNING.get();
        RUNNING.set(place);
        try {
          super.onMessage(message);
        } finally {
          RUNNING.set(outer);
        }
      }

      @Override
      public void onHalfClose() {
        Place<?, ?> outer = RUNNING.get();
        RUNNING.set(place);
        try {
          super.onHalfClose();
        } finally {
          RUNNING.set(outer);
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          place.goneAway();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          place.release();
        }
      }
    };
  }

  /**
   * Called by a handler running in an admitted call's listener with the future the gateway gave it
   * for the call's command: if it is not complete yet, the call's place stays taken until it is,
   * even if the call goes away first, and {@link #release} must then follow once it completes.
   * Returns the place (to release when the future completes), or null when the handler runs outside
   * the bound (a service not behind it) or the future is complete already (nothing waits in the
   * writer: the place is given back at the reply or the cancellation, as for any call).
   */
  static Place<?, ?> atLedger(CompletableFuture<?> command) {
    Place<?, ?> place = RUNNING.get();
    if (place == null || command.isDone()) {
      return null;
    }
    place.atLedger();
    return place;
  }

  /** Gives the place back if it is still taken: called when the command {@link #atLedger} saw completes. */
  static void release(Place<?, ?> place) {
    if (place != null) {
      place.release();
    }
  }

  /** An admitted call and its place, given back once. */
  static final class Place<Q, A> extends SimpleForwardingServerCall<Q, A> {
    /** Admitted; a cancellation gives the place back. */
    private static final int ADMITTED = 0;
    /** Its command is in the ledger: only the command's completion, or the reply, gives it back. */
    private static final int AT_LEDGER = 1;
    private static final int GIVEN_BACK = 2;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Place> STATE =
        AtomicIntegerFieldUpdater.newUpdater(Place.class, "state");

    private final CallsInFlight calls;
    private final long enteredNanos;
    private volatile int state;

    Place(ServerCall<Q, A> call, CallsInFlight calls, long enteredNanos) {
      super(call);
      this.calls = calls;
      this.enteredNanos = enteredNanos;
    }

    /** Gives the place back first, so that a client that has its reply finds the place free. */
    @Override
    public void close(Status status, Metadata trailers) {
      release();
      super.close(status, trailers);
    }

    void atLedger() {
      STATE.compareAndSet(this, ADMITTED, AT_LEDGER);
    }

    /** The call went away: its place is given back unless its command is still in the ledger. */
    void goneAway() {
      if (STATE.compareAndSet(this, ADMITTED, GIVEN_BACK)) {
        calls.exit("grpc", enteredNanos);
      }
    }

    /** Gives the place back unless it was already. */
    void release() {
      int s = state;
      while (s != GIVEN_BACK) {
        if (STATE.compareAndSet(this, s, GIVEN_BACK)) {
          calls.exit("grpc", enteredNanos);
          return;
        }
        s = state;
      }
    }
  }
}
