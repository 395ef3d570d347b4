package gongji.server.grpc;

import static com.google.common.base.Preconditions.checkArgument;
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
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

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
 * gateway only its stream and what came of its request, which the bounds on calls awaiting their
 * request (below) hold; the place is for the work.
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
 * holding an int state changed by compare-and-set, and its links in the list of calls awaiting
 * their request (below); the place travels from the listener to the
 * handler it runs in a thread-local that is set and reset around the callbacks (no entry is created
 * after a thread's first call), as gRPC's own Context does, rather than in a new Context per call.
 * No lock.
 *
 * <p><b>Calls awaiting their request.</b> Since a call takes its place only once its request has
 * arrived, one whose headers came but whose request never completes (a client that stalls, breaks,
 * or means harm: headers, then part of a message or nothing, never the end of the stream) would
 * hold its stream and what came of its request until its client's deadline, which a hostile client
 * does not set. Two bounds end that: at most {@code max.calls.awaiting.body} such calls on all
 * connections together (a call whose headers find them all taken is closed at once with
 * RESOURCE_EXHAUSTED, reason {@code OVERLOADED}, metadata {@code max_awaiting_body}, a RetryInfo,
 * as above); and each may wait {@code request.body.timeout.seconds} for its request, after which
 * the server ends it unread with UNAVAILABLE, reason {@code REQUEST_BODY_TIMEOUT} and a RetryInfo:
 * its handler never ran, so nothing was applied and its request id is unused. A call stops awaiting
 * its request at its half-close, or when it ends whichever way.
 *
 * <p>How the timeout costs little per call (no allocation, no lock, no timer): with Netty, a call's
 * headers, messages, half-close and end all reach its listener on the event loop of its connection,
 * so each event loop keeps the calls of its connections that await their request in a list of its
 * own, in the order their headers came (the calls are the list's links: no node, no lock, no timer
 * per call), and sweeps it from the oldest end on a fixed delay, a few times per timeout: a call
 * whose request completes leaves the list in O(1), and a sweep stops at the first call still within
 * its time. So a call is ended between its timeout and an eighth of it (at most a second) later.
 * Calls that arrive on a thread whose loop was not registered ({@link #timeBodiesOnThisLoop}; an
 * in-process server) are counted against the bound but not timed. The count of calls awaiting their
 * request is one atomic counter, like the bound on calls in flight.
 *
 * <p>Health and reflection are never behind it: a node that sheds is alive and must say so. A
 * health check whose request never completes is ended all the same, by a second instance used
 * through {@link #timingBodiesOnly()}, which only times requests and counts them apart.
 */
public final class InFlightBound implements ServerInterceptor {
  private static final Logger log = Logger.getLogger(InFlightBound.class.getName());
  /** The place of the call whose listener runs on this thread now, or null. */
  private static final ThreadLocal<Place<?, ?>> RUNNING = new ThreadLocal<>();
  /** The longest and shortest delay between two sweeps of an event loop's calls awaiting their request. */
  private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** Told of the calls the bounds on calls awaiting their request refuse or end. Must not block. */
  public interface BodyObserver {
    BodyObserver NONE = new BodyObserver() {
      @Override
      public void refusedAwaitingBody() {}

      @Override
      public void bodyTimedOut() {}
    };

    /** A call was refused at its headers: as many calls as allowed already await their request. */
    void refusedAwaitingBody();

    /** A call was ended because its request did not arrive whole in time. */
    void bodyTimedOut();
  }

  private final CallsInFlight calls;
  private final com.google.rpc.Status refusal;
  private final int maxAwaitingBody;
  private final long bodyTimeoutNanos;
  private final BodyObserver bodyObserver;
  private final com.google.rpc.Status awaitingBodyRefusal;
  private final com.google.rpc.Status bodyTimedOut;
  private final RateLimitedLog rateLimitedLog = RateLimitedLog.perMinute(log);
  private final LongSupplier nanoClock;
  /** Calls whose headers came and whose request has not all arrived, on every connection. */
  private final AtomicInteger awaitingBody = new AtomicInteger();
  /** The calls awaiting their request on the event loop running on this thread; null off a registered loop. */
  private final ThreadLocal<Arrivals> arrivals = new ThreadLocal<>();

  /** A bound of {@code calls}; calls awaiting their request neither bounded nor timed (for tests). */
  public InFlightBound(CallsInFlight calls) {
    this(calls, Integer.MAX_VALUE, Duration.ofHours(1), BodyObserver.NONE);
  }

  /**
   * A bound of {@code calls}, and of at most {@code maxAwaitingBody} (>= 1) calls awaiting their
   * request, each for at most {@code bodyTimeout} (at least a second) on the event loops registered
   * with {@link #timeBodiesOnThisLoop}.
   */
  public InFlightBound(CallsInFlight calls, int maxAwaitingBody, Duration bodyTimeout, BodyObserver bodyObserver) {
    this(calls, maxAwaitingBody, bodyTimeout, bodyObserver, System::nanoTime);
  }

  /** As above, on {@code nanoClock} (as {@link System#nanoTime()}): tests give a clock of their own. */
  InFlightBound(CallsInFlight calls, int maxAwaitingBody, Duration bodyTimeout, BodyObserver bodyObserver,
      LongSupplier nanoClock) {
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.calls = requireNonNull(calls, "calls");
    this.refusal = Errors.overloaded(calls.max());
    checkArgument(maxAwaitingBody >= 1,
        "max.calls.awaiting.body: %s (expected: >= 1)", maxAwaitingBody);
    checkArgument(bodyTimeout.toSeconds() >= 1,
        "request.body.timeout.seconds: %s (expected: >= 1)", bodyTimeout.toSeconds());
    this.maxAwaitingBody = maxAwaitingBody;
    this.bodyTimeoutNanos = bodyTimeout.toNanos();
    this.bodyObserver = requireNonNull(bodyObserver, "bodyObserver");
    this.awaitingBodyRefusal = Errors.awaitingBodyFull(maxAwaitingBody);
    this.bodyTimedOut = Errors.bodyTimedOut(bodyTimeout.toSeconds());
  }

  /**
   * Times the requests of the calls read by the event loop running on this thread: call it once on
   * each of the server's event loops, on that loop, before the server starts ({@code loop} is that
   * loop: its sweep runs on it, so the list needs no lock). Without it, such calls are not timed.
   */
  public void timeBodiesOnThisLoop(ScheduledExecutorService loop) {
    long delay = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, bodyTimeoutNanos / 8));
    loop.scheduleWithFixedDelay(timeBodiesOnThisThread(), delay, delay, TimeUnit.NANOSECONDS);
  }

  /**
   * Keeps the calls awaiting their request that arrive on this thread in a list of this thread's
   * own, and returns its sweep, which ends those whose time is up: to be run on this thread only.
   */
  Runnable timeBodiesOnThisThread() {
    Arrivals line = new Arrivals(this);
    arrivals.set(line);
    return line::sweep;
  }

  /** Calls whose headers came and whose request has not all arrived, now (for the gauge). */
  public int awaitingBody() {
    return awaitingBody.get();
  }

  /** The setting: at most this many calls await their request at once. */
  public int maxAwaitingBody() {
    return maxAwaitingBody;
  }

  /**
   * An interceptor that only times the request of each call ({@code request.body.timeout.seconds}),
   * for the services no bound may refuse (health): it takes no place in flight, and the calls it
   * times are counted apart from the others' (with this bound's own counter, whose bound should be
   * {@link Integer#MAX_VALUE}), so that they neither refuse nor are refused by them. A node that
   * refuses calls must still answer its health checks; one whose request never completes is ended
   * all the same.
   */
  public ServerInterceptor timingBodiesOnly() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        return intercept(call, headers, next, false);
      }
    };
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    return intercept(call, headers, next, true);
  }

  /** The call, timed until its request has arrived, and given a place in flight then if {@code admits}. */
  private <Q, A> ServerCall.Listener<Q> intercept(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next, boolean admits) {
    if (awaitingBody.incrementAndGet() > maxAwaitingBody) {
      awaitingBody.decrementAndGet();
      bodyObserver.refusedAwaitingBody();
      rateLimitedLog.log(Level.WARNING, "awaiting-body", () -> "OVERLOADED: a call refused at its headers: "
          + maxAwaitingBody + " calls already await the rest of their request (max.calls.awaiting.body); nothing"
          + " of it applied");
      StatusRuntimeException e = StatusProto.toStatusRuntimeException(awaitingBodyRefusal);
      call.close(e.getStatus(), requireNonNull(e.getTrailers()));
      return new ServerCall.Listener<>() {};
    }
    Place<Q, A> place = new Place<>(call, calls, this);
    Arrivals line = arrivals.get();
    if (line != null) {
      line.add(place, nanoClock.getAsLong());
    }
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(place, headers);
    } catch (RuntimeException | Error e) {
      place.bodyDone();
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
        place.bodyDone();
        if (!admits) {
          super.onHalfClose();
          return;
        }
        int admitted = place.admit();
        if (admitted == Place.REFUSED) {
          StatusRuntimeException e = StatusProto.toStatusRuntimeException(refusal);
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
        place.bodyDone();
        try {
          super.onCancel();
        } finally {
          place.goneAway();
        }
      }

      @Override
      public void onComplete() {
        place.bodyDone();
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

  /**
   * The calls awaiting their request on one event loop, oldest first: a doubly linked list whose
   * links are the calls, touched only on that loop (the calls' listeners and the sweep run there).
   */
  private static final class Arrivals {
    private final InFlightBound bound;
    private Place<?, ?> oldest;
    private Place<?, ?> newest;

    Arrivals(InFlightBound bound) {
      this.bound = bound;
    }

    void add(Place<?, ?> p, long headersNanos) {
      p.headersNanos = headersNanos;
      p.arrivals = this;
      p.older = newest;
      if (newest == null) {
        oldest = p;
      } else {
        newest.newer = p;
      }
      newest = p;
    }

    void remove(Place<?, ?> p) {
      if (p.older == null) {
        oldest = p.newer;
      } else {
        p.older.newer = p.newer;
      }
      if (p.newer == null) {
        newest = p.older;
      } else {
        p.newer.older = p.older;
      }
      p.older = null;
      p.newer = null;
      p.arrivals = null;
    }

    /** Ends the calls that have awaited their request for the timeout, oldest first. */
    void sweep() {
      long now = bound.nanoClock.getAsLong();
      Place<?, ?> p;
      while ((p = oldest) != null && now - p.headersNanos >= bound.bodyTimeoutNanos) {
        p.bodyDone();
        if (p.state != Place.WAITING) {
          continue; // answered already (over its caller's rate, say); its end is on its way to the listener
        }
        bound.bodyObserver.bodyTimedOut();
        bound.rateLimitedLog.log(Level.WARNING, "body-timeout", () -> "REQUEST_BODY_TIMEOUT: a call ended unread:"
            + " its request did not arrive whole within request.body.timeout.seconds="
            + TimeUnit.NANOSECONDS.toSeconds(bound.bodyTimeoutNanos) + " of its headers; nothing of it applied");
        StatusRuntimeException e = StatusProto.toStatusRuntimeException(bound.bodyTimedOut);
        try {
          p.close(e.getStatus(), requireNonNull(e.getTrailers()));
        } catch (IllegalStateException alreadyClosed) {
          // Answered already by an interceptor outside this one (a malformed message, say), whose
          // end has not reached the listener yet: nothing more to do.
        }
      }
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
    private final InFlightBound bound;
    /** When it took its place: written before the state becomes ADMITTED, read after. */
    private long enteredNanos;
    private volatile int state;
    // Read and written by the call's listener callbacks (one at a time: gRPC serializes them) and, on
    // Netty, by the sweep of its event loop (the same thread).
    /** Whether it is counted among the calls awaiting their request. */
    private boolean awaitingBody = true;
    /** The event loop's list it awaits its request in, or null; its neighbours there; when its headers came. */
    private Arrivals arrivals;
    private Place<?, ?> older;
    private Place<?, ?> newer;
    private long headersNanos;

    Place(ServerCall<Q, A> call, CallsInFlight calls, InFlightBound bound) {
      super(call);
      this.calls = calls;
      this.bound = bound;
    }

    /** Its request has all arrived, or the call ended: it no longer awaits its request (once). */
    void bodyDone() {
      if (!awaitingBody) {
        return;
      }
      awaitingBody = false;
      bound.awaitingBody.decrementAndGet();
      if (arrivals != null) {
        arrivals.remove(this);
      }
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
