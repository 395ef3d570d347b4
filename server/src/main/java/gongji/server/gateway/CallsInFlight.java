package gongji.server.gateway;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The gateway's global bound on calls in flight: every call that may reach the ledger, on every
 * transport (the gRPC services, the national interface), holds one place from the moment it is
 * admitted until its reply is given, or, for a call that goes away (cancelled, its deadline passed)
 * after it handed a command to the ledger, until that command has left the writer (applied, refused,
 * or not applied because its deadline passed): so the bound bounds the writer's backlog too, not
 * only the calls still waiting for a reply. A call that finds every place taken is refused at once by its
 * transport, before it reaches the gateway, so nothing of it is applied and its request id stays
 * unused. So a load above what the node carries is shed at the door instead of queueing until
 * deadlines pass.
 *
 * <p><b>The bound follows the node's speed.</b> An admitted call waits behind the others, so the
 * wait is the calls in flight divided by the rate the node finishes them (Little's law). A fixed
 * number cannot hold that wait: 2,048 calls are 130 ms of a quiet two-core node's work, but more
 * than 700 ms of a node that refuses a flood on one core (docs/PERFORMANCE.md, 2026-12-05). With a
 * target ({@code admission.target.held.ms}, the wait the operator accepts), the bound in force
 * ({@link #limit()}) moves between a floor and the setting ({@link #max()}), judged over windows of
 * at least {@value #WINDOW_MILLIS} ms and {@value #MIN_JUDGED} calls (at most a second) by the calls
 * that were admitted under the bound in force:
 * <ul>
 *   <li>more than 1% of them held their place longer than the target (the window's p99 is over
 *       it) while at least half the bound is in flight (so the wait is a queue, not a pause or one
 *       slow call): the bound comes down to what the node finished in one target's time over the
 *       window, by a quarter at least and by half at most;
 *   <li>99% of them held it less than half the target: it goes up by an eighth, back to the
 *       setting (from the floor to 2,048 in about four seconds of calls);
 *   <li>in between, it stays: a node whose calls wait between half the target and the target
 *       carries the bound in force (without that band it would climb until they were late again,
 *       and swing).
 * </ul>
 * A cut is checked by the first window of calls admitted after it: if their mean wait is not an
 * eighth shorter than that of the calls admitted before it and finished since (in a queue a cut of
 * a quarter shortens it by a quarter), the node is slow rather than queued (a degraded disk makes
 * every call wait its force however few are in flight, and cutting would only refuse work it could
 * carry): the cut is undone and none is tried for {@code FUTILE_CUT_HOLD_NANOS} (10 s).
 * Calls admitted before the last change are not judged, since the bound they entered under is
 * gone: so one slow stretch lowers it once, not window after window while the calls admitted under
 * the old bound drain. The floor is {@value #FLOOR} calls (or the setting, if lower).
 * A target of 0 keeps the bound fixed at the setting.
 *
 * <p>One atomic counter, no lock: an increment and, when over the bound, a decrement, on the event
 * loop that reads the call. A place is given back exactly once per call admitted ({@link #exit()});
 * the transports make sure of it. The window's counts are adders; whichever call gives back its
 * place first after a window has passed judges it, one thread at a time by a compare-and-set. While
 * calls are shed, one WARNING a minute says how many, and the bound in force.
 */
public final class CallsInFlight {
  private static final Logger log = Logger.getLogger(CallsInFlight.class.getName());
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** The span over which the admitted calls' waits are judged. */
  static final int WINDOW_MILLIS = 100;
  private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);
  /** A window this long with no call judged is a quiet spell: its count of calls finished says nothing of the node's speed. */
  private static final long QUIET_NANOS = 10 * WINDOW_NANOS;
  /** The lowest bound the target brings it to (unless the setting is lower). */
  static final int FLOOR = 32;
  /** Fewer calls judged than this in a window lower nothing: one late call is not a queue. */
  static final int MIN_JUDGED = 32;
  /** How long no cut is tried after one that did not shorten the waits. */
  static final long FUTILE_CUT_HOLD_NANOS = TimeUnit.SECONDS.toNanos(10);
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
  private final int floor;
  private final long targetNanos;
  private final Observer observer;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong shedSinceLogged = new AtomicLong();
  private final LongSupplier clock;
  private final AtomicLong loggedAtNanos;
  /** The bound in force: between {@link #floor} and {@link #max}. */
  private volatile int limit;
  /** When the bound last changed: calls admitted before are not judged. */
  private volatile long changedAtNanos;
  /** The start of the window being counted; a compare-and-set on it elects the one who judges it. */
  private final AtomicLong windowAtNanos;
  private final LongAdder finished = new LongAdder();
  private final LongAdder judged = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder slow = new LongAdder();
  private final LongAdder judgedHeldNanos = new LongAdder();
  /** Calls admitted before the last change that gave their place back since: their count and waits. */
  private final LongAdder older = new LongAdder();
  private final LongAdder olderHeldNanos = new LongAdder();
  // Written and read only by the thread judging a window (one at a time, elected by windowAtNanos).
  /** Whether the last change was a cut that the next window judged has yet to check. */
  private boolean cutToCheck;
  private int limitBeforeCut;
  /** No cut before this time: the last one did not shorten the waits (a slow node, not a queue). */
  private long noCutBeforeNanos;

  /** At most {@code max} (>= 1) calls in flight at once, always. */
  public CallsInFlight(int max, Observer observer) {
    this(max, 0, observer);
  }

  /**
   * At most {@code max} (>= 1) calls in flight at once, and fewer while admitted calls hold their
   * place longer than {@code targetNanos} (> 0; 0: the bound stays {@code max}).
   */
  public CallsInFlight(int max, long targetNanos, Observer observer) {
    this(max, targetNanos, observer, System::nanoTime);
  }

  /** As above, on {@code clock} (nanoseconds, as {@link System#nanoTime()}): tests give a clock of their own. */
  CallsInFlight(int max, long targetNanos, Observer observer, LongSupplier clock) {
    checkArgument(max >= 1, "admission.max.in.flight.calls: %s (expected: >= 1)", max);
    checkArgument(targetNanos >= 0, "admission.target.held.ms: %s ns (expected: >= 0)", targetNanos);
    this.max = max;
    this.floor = Math.min(max, FLOOR);
    this.targetNanos = targetNanos;
    this.observer = requireNonNull(observer, "observer");
    this.clock = clock;
    this.limit = max;
    this.changedAtNanos = clock.getAsLong();
    this.windowAtNanos = new AtomicLong(changedAtNanos);
    this.noCutBeforeNanos = changedAtNanos;
    this.loggedAtNanos = new AtomicLong(changedAtNanos - LOG_INTERVAL_NANOS);
  }

  /**
   * Takes a place for a call arriving {@code via} a transport: true when it is admitted (then
   * {@link #exit()} must follow once), false when every place is taken (the observer is told).
   */
  public boolean tryEnter(String via) {
    if (inFlight.incrementAndGet() <= limit) {
      return true;
    }
    inFlight.decrementAndGet();
    observer.shed(via);
    shedSinceLogged.incrementAndGet();
    long now = clock.getAsLong();
    long logged = loggedAtNanos.get();
    if (now - logged >= LOG_INTERVAL_NANOS && loggedAtNanos.compareAndSet(logged, now)) {
      log.warning("OVERLOADED: " + shedSinceLogged.getAndSet(0) + " calls shed since the last such line, over"
          + " the bound on calls in flight, now " + limit + " (admission.max.in.flight.calls=" + max
          + (targetNanos > 0 ? ", admission.target.held.ms=" + TimeUnit.NANOSECONDS.toMillis(targetNanos) : "")
          + "; nothing of them applied)");
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
    long now = clock.getAsLong();
    long held = now - enteredNanos;
    observer.held(via, held); // first: whoever sees the place free finds it timed
    inFlight.decrementAndGet();
    if (targetNanos > 0) {
      judge(enteredNanos, held, now);
    }
  }

  /** Counts a call that gave its place back in the current window, and judges the window once it has passed. */
  private void judge(long enteredNanos, long held, long now) {
    finished.increment();
    if (enteredNanos - changedAtNanos < 0) {
      older.increment();
      olderHeldNanos.add(held);
    } else {
      judged.increment();
      judgedHeldNanos.add(held);
      if (held > targetNanos / 2) {
        slow.increment();
        if (held > targetNanos) {
          late.increment();
        }
      }
    }
    long windowAt = windowAtNanos.get();
    long elapsed = now - windowAt;
    if (elapsed < WINDOW_NANOS || (elapsed < QUIET_NANOS && judged.sum() < MIN_JUDGED)
        || !windowAtNanos.compareAndSet(windowAt, now)) {
      return;
    }
    long done = finished.sumThenReset();
    long n = judged.sumThenReset();
    long over = late.sumThenReset();
    long overHalf = slow.sumThenReset();
    long heldSum = judgedHeldNanos.sumThenReset();
    if (n == 0) {
      return; // a quiet spell, or only calls admitted under an older bound: counted afresh from here
    }
    int bound = limit;
    long next = bound;
    if (cutToCheck) {
      // The first window of calls admitted since the last cut, against the calls admitted before it
      // that finished since: a cut that did not shorten the wait by an eighth met a node that is slow,
      // not a queue (a slow disk makes every call wait its force however few are in flight); it is
      // undone, and no cut is tried again for a while.
      long olderCount = older.sum();
      boolean futile = olderCount > 0 && heldSum / n * 8 > olderHeldNanos.sum() / olderCount * 7;
      cutToCheck = false;
      if (futile) {
        next = limitBeforeCut;
        noCutBeforeNanos = now + FUTILE_CUT_HOLD_NANOS;
      }
    }
    if (next == bound && overHalf * 100 <= n) {
      next = Math.min(max, (long) bound + bound / 8 + 1);
    } else if (next == bound && n >= MIN_JUDGED && over * 100 > n && inFlight.get() >= bound / 2
        && now - noCutBeforeNanos >= 0) {
      // Late, and because many wait: fewer admitted makes each wait shorter. (Late with few in flight
      // is a pause or a slow call, not a queue.) At most by half, at least by a quarter.
      long inOneTarget = done * targetNanos / elapsed;
      next = Math.max(floor, Math.max(bound / 2, Math.min(bound - bound / 4, inOneTarget)));
      cutToCheck = next < bound;
      limitBeforeCut = bound;
    }
    if (next != bound) {
      older.reset();
      olderHeldNanos.reset();
      limit = (int) next;
      changedAtNanos = now;
    }
  }

  /** Calls in flight now (for the gauge; may briefly read one above the bound while a call is refused). */
  public int inFlight() {
    return inFlight.get();
  }

  /** The bound in force now: {@link #max()}, or lower while admitted calls wait longer than the target. */
  public int limit() {
    return limit;
  }

  /** The setting: the bound never goes above it. */
  public int max() {
    return max;
  }
}
