package gongji.loadtest.run;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator's own pauses, measured as jHiccup measures a JVM's: a thread asks to sleep for
 * a millisecond at a time, and whatever it slept beyond that is time in which this process could
 * not have sent a request or read a reply either (its collector stopped it, or it waited for a core
 * the gateway held). A run's figures are the gateway's only once these are taken out: in a
 * ten-minute run at 800 sales/s (docs/PERFORMANCE.md, 2026-12-05 04:00) the longest stall, 142 ms,
 * was a pause of the load generator's collector, whose heap then grew with the auditor's books
 * (kept as objects, before {@link Books} filed them as bytes).
 *
 * <p>A pause of at least {@link #KEPT_NANOS} is kept as a span (the first {@link #MAX_KEPT}), to be
 * laid, at the end of the run, over the slow RPCs and the stalls ({@link Stats#withoutGeneratorPauses}):
 * at the end, because the thread that sees a pause may run after the reply that waited through it.
 */
final class Hiccups implements AutoCloseable {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Pauses this long and longer count: they are what moves a p99.9 of milliseconds. */
  static final long KEPT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  static final int MAX_KEPT = 16_384;

  private final long[] starts = new long[MAX_KEPT];
  private final long[] ends = new long[MAX_KEPT];
  private int kept; // guarded by this
  private volatile boolean stopped;
  private final Thread thread;

  /** Measures nothing until {@link #start}ed (a test gives it pauses by hand). */
  Hiccups() {
    thread = new Thread(this::run, "loadtest-hiccups");
    thread.setDaemon(true);
  }

  /** Starts measuring. */
  static Hiccups start() {
    Hiccups h = new Hiccups();
    h.thread.start();
    return h;
  }

  private void run() {
    long last = System.nanoTime();
    while (!stopped) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      long late = now - last - TICK_NANOS;
      if (late >= KEPT_NANOS) {
        paused(now - late, now);
      }
      last = now;
    }
  }

  /** A pause from {@code startNanos} to {@code endNanos} (both {@link System#nanoTime()}). */
  synchronized void paused(long startNanos, long endNanos) {
    if (kept < MAX_KEPT) {
      starts[kept] = startNanos;
      ends[kept] = endNanos;
      kept++;
    }
  }

  /** How much of the span from {@code fromNanos} to {@code toNanos} the kept pauses cover. */
  synchronized long pausedWithin(long fromNanos, long toNanos) {
    long covered = 0;
    for (int i = kept - 1; i >= 0 && ends[i] > fromNanos; i--) { // kept in the order they ended
      covered += Math.max(0, Math.min(ends[i], toNanos) - Math.max(starts[i], fromNanos));
    }
    return covered;
  }

  /** What the pauses that ended between {@code fromNanos} and {@code toNanos} add up to. */
  synchronized Figures between(long fromNanos, long toNanos) {
    long longest = 0;
    long count = 0;
    long total = 0;
    for (int i = 0; i < kept; i++) {
      if (ends[i] >= fromNanos && ends[i] <= toNanos) {
        long d = ends[i] - starts[i];
        longest = Math.max(longest, d);
        count++;
        total += d;
      }
    }
    return new Figures(longest / 1000, count, total / 1000, kept == MAX_KEPT);
  }

  /**
   * The pauses of a window: the longest, how many (of at least {@link #KEPT_NANOS}) and their sum,
   * in microseconds; {@code truncated} when more came than were kept.
   */
  record Figures(long longestMicros, long count, long totalMicros, boolean truncated) {}

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join(TimeUnit.SECONDS.toMillis(1));
  }
}
