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
