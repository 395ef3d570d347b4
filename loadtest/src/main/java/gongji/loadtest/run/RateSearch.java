package gongji.loadtest.run;

/**
 * The rule of {@code --find-max-rate}: from the first rate, each step that meets the objectives
 * raises the rate by half, until one misses; then it bisects between the highest rate met and the
 * lowest missed until they are within 10% of each other, in at most {@link #MAX_STEPS} steps.
 *
 * <p>A step that misses is run once more at the same rate, and the rate counts as missed only when
 * both miss: a window of a few seconds can hold one collector pause of either side (tens of ms,
 * docs/PERFORMANCE.md), which is not the rate's limit but would end the search's climb for good.
 * A rate at its limit misses both. Every step, the second ones too, is in the report.
 */
final class RateSearch {
  static final int MAX_STEPS = 16;

  private double rate;
  private double met;
  private double missed = Double.POSITIVE_INFINITY;
  private int steps;
  /** Whether the next step runs the rate that just missed once more. */
  private boolean confirming;

  RateSearch(double firstRate) {
    this.rate = firstRate;
  }

  /** The rate of the next step. */
  double rate() {
    return rate;
  }

  /** Whether the next step is the second at a rate whose first step missed. */
  boolean confirming() {
    return confirming;
  }

  /** Whether the search is over: its bounds within 10%, the rate under 1/s, or its steps spent. */
  boolean done() {
    return steps >= MAX_STEPS || rate < 1 || (missed != Double.POSITIVE_INFINITY && missed / Math.max(met, 1e-9) < 1.1);
  }

  /** The highest rate met so far (0 if none). */
  double best() {
    return met;
  }

  /**
   * How long a step must be for one stall of {@code stallMicros} (no reply to anything: a collector
   * pause of either side, say) not to decide its p99.9 alone, or 0 if {@code stepSeconds} is that
   * long or the stall is within the objective. An RPC sent during a stall waits out the rest of it,
   * so the stall takes past the objective the RPCs sent in its first {@code stall - objective}; they
   * arrive at the step's rate, and 0.1% of the step's RPCs outnumber them only when the step lasts
   * more than a thousand times that: {@code stall - objective} in milliseconds, as seconds. Shorter,
   * the step says whether it met such a pause, not what the gateway sustains.
   */
  static double stepSecondsNeeded(double stepSeconds, long stallMicros, double sloP999Millis) {
    double over = stallMicros / 1e3 - sloP999Millis;
    if (sloP999Millis <= 0 || over <= 0) {
      return 0;
    }
    return stepSeconds > over ? 0 : Math.floor(over) + 1;
  }

  /** Takes the outcome of the step just run at {@link #rate()} and picks the next rate. */
  void record(boolean stepMet) {
    steps++;
    if (!stepMet && !confirming) {
      confirming = true; // the same rate once more
      return;
    }
    confirming = false;
    if (stepMet) {
      met = rate;
    } else {
      missed = rate;
    }
    rate = missed == Double.POSITIVE_INFINITY ? rate * 1.5 : met == 0 ? rate / 2 : (met + missed) / 2;
  }
}
