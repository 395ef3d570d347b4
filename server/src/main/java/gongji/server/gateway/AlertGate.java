package gongji.server.gateway;

import gongji.server.cache.RateBuckets;

/**
 * How many fraud alerts each terminal may have recorded: a token bucket per terminal
 * ({@link RateBuckets}). An attempt over it is still refused, logged at most as the rest and counted,
 * but not recorded as an alert of its own; the next alert recorded from that terminal brings one
 * summary of how many were left out. A flood of fakes from one terminal thus costs the alert
 * history a few records a minute, and cannot bury what other terminals raise.
 */
public final class AlertGate {
  /** No limit: every alert is recorded. */
  public static final AlertGate OPEN = new AlertGate(null);

  private final RateBuckets buckets;

  /** A gate on {@code buckets} (null: no limit). */
  public AlertGate(RateBuckets buckets) {
    this.buckets = buckets;
  }

  /**
   * Whether an alert from {@code terminal} is recorded: -1 when it is not (over the terminal's
   * rate); otherwise how many of its alerts were left out since the last one recorded (0 or more).
   */
  long admit(Terminal terminal) {
    if (buckets == null) {
      return 0;
    }
    String key = terminal.institution() + "/" + terminal.terminalId();
    return buckets.take(key) > 0 ? -1 : buckets.takeRefused(key);
  }
}
