package gongji.server.gateway;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The gateway's global bound on calls in flight: every call that may reach the ledger, on every
 * transport (the gRPC services, the national interface), holds one place from the moment its handler
 * starts until its reply is given, or, for a call that goes away (cancelled, its deadline passed)
 * after it handed a command to the ledger, until that command has left the writer (applied, refused,
 * or not applied because its deadline passed): so the bound bounds the writer's backlog too, not
 * only the calls still waiting for a reply. A call that finds every place taken is refused at once by its
 * transport, before it is parsed further or reaches the gateway, so nothing of it is applied and its
 * request id stays unused. The bound is sized to a few hundred milliseconds of the node's work, so an
 * admitted call waits at most that long behind the others, and a load above what the node carries is
 * shed at the door instead of queueing until deadlines pass.
 *
 * <p>One atomic counter, no lock: an increment and, when over the bound, a decrement, on the event
 * loop that reads the call. A place is given back exactly once per call admitted ({@link #exit()});
 * the transports make sure of it. While calls are shed, one WARNING a minute says how many.
 */
public final class CallsInFlight {
  private static final Logger log = Logger.getLogger(CallsInFlight.class.getName());
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Told of every call refused, and of how long each admitted call held its place. Must not block. */
  public interface Observer {
    Observer NONE = via -> {};

    /** A call arriving {@code via} a transport ("grpc" or "national") was refused. */
    void shed(String via);

    /**
     * A call admitted {@code via} a transport gave its place back after {@code heldNanos}: from its
     * admission to its reply (or to when the writer let go of the command of a call gone away).
     */
    default void held(String via, long heldNanos) {}
  }

  private final int max;
  private final Observer observer;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong shedSinceLogged = new AtomicLong();
  private final AtomicLong loggedAtNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  /** At most {@code max} (>= 1) calls in flight at once. */
  public CallsInFlight(int max, Observer observer) {
    checkArgument(max >= 1, "admission.max.in.flight.calls: %s (expected: >= 1)", max);
    this.max = max;
    this.observer = requireNonNull(observer, "observer");
  }

  /**
   * Takes a place for a call arriving {@code via} a transport: true when it is admitted (then
   * {@link #exit()} must follow once), false when every place is taken (the observer is told).
   */
  public boolean tryEnter(String via) {
    if (inFlight.incrementAndGet() <= max) {
      return true;
    }
    inFlight.decrementAndGet();
    observer.shed(via);
    shedSinceLogged.incrementAndGet();
    long now = System.nanoTime();
    long logged = loggedAtNanos.get();
    if (now - logged >= LOG_INTERVAL_NANOS && loggedAtNanos.compareAndSet(logged, now)) {
      log.warning("OVERLOADED: " + shedSinceLogged.getAndSet(0) + " calls shed since the last such line, over"
          + " admission.max.in.flight.calls=" + max + " (nothing of them applied)");
    }
    return false;
  }

  /** Gives back the place of a call admitted by {@link #tryEnter(String)}: its reply is given. */
  public void exit() {
    inFlight.decrementAndGet();
  }

  /**
   * Gives back the place of a call admitted {@code via} a transport at {@code enteredNanos} (its
   * {@link System#nanoTime()} just after {@link #tryEnter(String)}), and tells the observer how long
   * it held it.
   */
  public void exit(String via, long enteredNanos) {
    observer.held(via, System.nanoTime() - enteredNanos); // first: whoever sees the place free finds it timed
    inFlight.decrementAndGet();
  }

  /** Calls in flight now (for the gauge; may briefly read one above the bound while a call is refused). */
  public int inFlight() {
    return inFlight.get();
  }

  /** The bound. */
  public int max() {
    return max;
  }
}
