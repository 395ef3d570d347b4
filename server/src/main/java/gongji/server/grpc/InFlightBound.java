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
 * read money: a call takes a place when its whole request has arrived (its half-close, on the event
 * loop, just before its handler runs); one that finds none is closed at once with RESOURCE_EXHAUSTED,
 * reason {@code OVERLOADED}, a RetryInfo and the cashier's text, and its handler never runs, so
 * nothing is applied and its request id stays unused.
 *
 * <p>Why at the half-close and not when the call's headers arrive: under a flood the client's
 * request bodies follow their headers late (its connection's flow-control window is shared by
 * thousands of streams, and a load generator or proxy that is itself saturated writes them when it
 * can). Measured at twice saturation (docs/PERFORMANCE.md, 2026-12-05 01:10), a call admitted on its
 * headers waited up to 8 s for its body while holding a place, and that wait, which is no work of the
 * gateway's, made the admitted calls' p99 5.4 s. A call whose body has not come yet costs the
 * gateway only the stream gRPC keeps for it, which {@code max.concurrent.calls.per.connection}
 * bounds; the place is for the work.
 *
 * <p>An admitted call gives its place back exactly once. Normally at its reply (before the reply
 * leaves, so that a client that has it finds the place free). A call that goes away first (the
 * client cancels, its deadline passes, the connection resets) gives it back at once if it never
 * handed a command to the ledger; if it did, the place stays taken until that command has left the
 * writer (its future completed: applied, refused, or not applied because its deadline passed), so
 * that calls given up on cannot pile up in the writer's queue behind the bound. How a handler says
 * that it handed a command over: {@link Replies} calls {@link #atLedger} with the gateway's future.
 * A call that goes away before its half-close, or is refused at it, holds nothing.
 *
 * <p>Cost on the event loop: one object per call (the forwarding call, which was needed anyway)
 * holding an int state changed by compare-and-set; the place travels from the listener to the
 * handler it runs in a thread-local that is set and reset around the callbacks (no entry is created
 * after a thread's first call), as gRPC's own Context does, rather than in a new Context per call.
 * No lock.
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
    Place<Q, A> place = new Place<>(call, calls);
    ServerCall.Listener<Q> listener = next.startCall(place, headers);
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
        int admitted = place.admit();
        if (admitted == Place.REFUSED) {
          StatusRuntimeException e = io.grpc.protobuf.StatusProto.toStatusRuntimeException(refusal);
          call.close(e.getStatus(), requireNonNull(e.getTrailers()));
          return;
        }
        if (admitted == Place.CLOSED) {
          return; // already answered (a caller over its rate, say): nothing more to do, no place taken
        }
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

  /** A call and its place: taken once its request has arrived, given back once. */
  static final class Place<Q, A> extends SimpleForwardingServerCall<Q, A> {
    /** Its request has not all arrived: it holds no place. */
    private static final int WAITING = 0;
    /** Admitted; a cancellation gives the place back. */
    private static final int ADMITTED = 1;
    /** Its command is in the ledger: only the command's completion, or the reply, gives it back. */
    private static final int AT_LEDGER = 2;
    /** Given back, refused, or gone away before it took one: holds nothing. */
    private static final int GIVEN_BACK = 3;
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Place> STATE =
        AtomicIntegerFieldUpdater.newUpdater(Place.class, "state");

    private final CallsInFlight calls;
    /** When it took its place: written before the state becomes ADMITTED, read after. */
    private long enteredNanos;
    private volatile int state;

    Place(ServerCall<Q, A> call, CallsInFlight calls) {
      super(call);
      this.calls = calls;
    }

    /** What {@link #admit} found: a place taken, every place taken, or the call already answered or gone. */
    static final int TAKEN = 0;
    static final int REFUSED = 1;
    static final int CLOSED = 2;

    /**
     * Takes a place now that the whole request has arrived: {@link #TAKEN}; {@link #REFUSED} when
     * every place is taken (the caller answers OVERLOADED); {@link #CLOSED} when the call was already
     * answered or went away. Holds nothing unless TAKEN.
     */
    int admit() {
      if (state != WAITING) {
        return CLOSED;
      }
      if (!calls.tryEnter("grpc")) {
        return STATE.compareAndSet(this, WAITING, GIVEN_BACK) ? REFUSED : CLOSED;
      }
      enteredNanos = System.nanoTime();
      if (!STATE.compareAndSet(this, WAITING, ADMITTED)) {
        calls.exit(); // answered meanwhile from another thread: the place goes back untimed
        return CLOSED;
      }
      return TAKEN;
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
      if (STATE.compareAndSet(this, WAITING, GIVEN_BACK)) {
        return;
      }
      if (STATE.compareAndSet(this, ADMITTED, GIVEN_BACK)) {
        calls.exit("grpc", enteredNanos);
      }
    }

    /** Gives the place back unless it was already (or never taken). */
    void release() {
      int s = state;
      while (s != GIVEN_BACK) {
        if (STATE.compareAndSet(this, s, GIVEN_BACK)) {
          if (s != WAITING) {
            calls.exit("grpc", enteredNanos);
          }
          return;
        }
        s = state;
      }
    }
  }
}
