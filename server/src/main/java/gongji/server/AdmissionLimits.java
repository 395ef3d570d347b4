package gongji.server;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Map;

/**
 * How many settlement calls a second each caller may make: a token bucket per terminal and one per
 * institution, checked on the event loop before a call reaches the gateway (see
 * {@code grpc.Admission}). A rate of 0 turns that bucket off. A bucket holds up to its burst, so a
 * caller that was quiet may send that many at once; past it, calls are refused with
 * RESOURCE_EXHAUSTED (reason {@code RATE_LIMITED}) and a RetryInfo saying when the next one is
 * admitted, and nothing is applied.
 *
 * <p>Fraud alerts (an impersonation refused) are limited per terminal as well: past
 * {@code alertBurst} at once and {@code alertsPerMinute} after, a terminal's further attempts are
 * still refused and counted ({@code gongji_alerts_suppressed_total}) but not recorded one by one;
 * the next alert recorded from that terminal comes with one {@code ALERTS_SUPPRESSED} alert that
 * says how many were left out. So a flood of fakes cannot bury the alerts others raise.
 *
 * <p>{@code maxInFlightCalls} bounds the calls the whole gateway serves at once, from every caller
 * and with or without caller authentication ({@code gateway.CallsInFlight}): a call over it is
 * refused at once, RESOURCE_EXHAUSTED (reason {@code OVERLOADED}) on gRPC and HTTP 503 on the
 * national interface, and nothing is applied. So an overload is shed at the door instead of
 * queueing until deadlines pass. {@code targetHeldMillis} is the wait an admitted call may have
 * behind the others: while more than 1% of admitted calls hold their place longer, the bound in
 * force comes down below {@code maxInFlightCalls} (to what the node finishes in that time), and it
 * goes back up when they no longer do; 0 keeps it fixed.
 *
 * <p>{@code maxCallers} bounds the buckets kept in memory (terminals and institutions together); a
 * bucket left alone long enough to be full again is dropped, since a new one is the same.
 */
public record AdmissionLimits(
    int terminalRatePerSecond,
    int terminalBurst,
    int institutionRatePerSecond,
    int institutionBurst,
    int maxCallers,
    int alertsPerMinute,
    int alertBurst,
    int maxInFlightCalls,
    int targetHeldMillis) {

  public AdmissionLimits {
    checkArgument(terminalRatePerSecond >= 0, "admission.terminal.rate: %s (expected: >= 0, 0 = off)",
        terminalRatePerSecond);
    checkArgument(terminalBurst >= 1, "admission.terminal.burst: %s (expected: >= 1)", terminalBurst);
    checkArgument(institutionRatePerSecond >= 0, "admission.institution.rate: %s (expected: >= 0, 0 = off)",
        institutionRatePerSecond);
    checkArgument(institutionBurst >= 1, "admission.institution.burst: %s (expected: >= 1)", institutionBurst);
    checkArgument(maxCallers >= 16, "admission.max.callers: %s (expected: >= 16)", maxCallers);
    checkArgument(alertsPerMinute >= 0, "admission.terminal.alerts.per.minute: %s (expected: >= 0, 0 = off)",
        alertsPerMinute);
    checkArgument(alertBurst >= 1, "admission.terminal.alerts.burst: %s (expected: >= 1)", alertBurst);
    checkArgument(maxInFlightCalls >= 1, "admission.max.in.flight.calls: %s (expected: >= 1)", maxInFlightCalls);
    checkArgument(targetHeldMillis >= 0 && targetHeldMillis <= 60_000,
        "admission.target.held.ms: %s (expected: 0 to 60000, 0 = the bound stays admission.max.in.flight.calls)",
        targetHeldMillis);
  }

  /**
   * Calls the gateway serves at once, from every caller together, by default: at the 14,000 to
   * 16,000 calls a second one node answers at saturation on two cores, 2,048 calls are 130 to 150 ms
   * of its work, so an admitted call waits at most that long behind the others, far inside any
   * deadline; yet they are eight times the 256 in flight that already saturate it, so a burst of
   * thousands of terminals is not shed while the node keeps up.
   */
  static final int DEFAULT_MAX_IN_FLIGHT_CALLS = 2048;

  /**
   * The wait behind the others an admitted call may have, by default: "a few hundred milliseconds"
   * of the node's work, far inside a terminal's deadline (seconds), and above what the fixed bound
   * gives a node sized for it even when flooded (admitted p99 206-330 ms with the gateway refusing
   * twice its saturation on one core, docs/PERFORMANCE.md 2026-12-05 02:13): so the bound in force
   * stays at {@link #DEFAULT_MAX_IN_FLIGHT_CALLS} unless the node is much slower than that, where
   * it keeps the wait at this instead of seconds. (At 200 ms the bound came down in those runs too,
   * shedding twice the calls for a p99 no better: bursts of a load generator are not a queue.)
   */
  static final int DEFAULT_TARGET_HELD_MILLIS = 500;

  /** The settings, with their defaults, in the order {@code serve --help} lists them. */
  static void defaults(Map<String, String> d) {
    // A pharmacy terminal makes a few calls a sale, a sale every half minute at the busiest counter.
    d.put("admission.terminal.rate", "50");
    d.put("admission.terminal.burst", "100");
    // A large hospital's HIS across all its terminals; a province's peak is a few thousand a second.
    d.put("admission.institution.rate", "2000");
    d.put("admission.institution.burst", "4000");
    d.put("admission.max.callers", "200000");
    // A real impersonation is rare; a terminal raising more is under attack or misconfigured.
    d.put("admission.terminal.alerts.per.minute", "10");
    d.put("admission.terminal.alerts.burst", "20");
    d.put("admission.max.in.flight.calls", Integer.toString(DEFAULT_MAX_IN_FLIGHT_CALLS));
    d.put("admission.target.held.ms", Integer.toString(DEFAULT_TARGET_HELD_MILLIS));
  }

  /** What each setting means, for {@code serve --help}. */
  static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
      Map.entry("admission.terminal.rate", "settlement calls a second one terminal may make (token bucket; 0 = no limit)"),
      Map.entry("admission.terminal.burst", "calls a quiet terminal may make at once before its rate applies"),
      Map.entry("admission.institution.rate", "settlement calls a second all terminals of one institution may make (0 = no limit)"),
      Map.entry("admission.institution.burst", "calls a quiet institution may make at once before its rate applies"),
      Map.entry("admission.max.callers", "terminals and institutions whose buckets are kept in memory (idle ones go first)"),
      Map.entry("admission.terminal.alerts.per.minute", "fraud alerts a minute recorded one by one per terminal; more are"
          + " counted in one summary alert (0 = no limit)"),
      Map.entry("admission.terminal.alerts.burst", "fraud alerts a quiet terminal may raise at once before its rate applies"),
      Map.entry("admission.max.in.flight.calls", "calls (gRPC services that move money or read them, and the national interface)"
          + " the gateway serves at once from all callers; more are refused at once as OVERLOADED, nothing applied"
          + " (size: a few hundred ms of the node's work)"),
      Map.entry("admission.target.held.ms", "the wait behind other calls an admitted call may have: while more than one in a hundred of them"
          + " wait longer, fewer calls are admitted at once than the bound on calls in flight (0 = always that many)"));

  /** The limits from the settings, by name. */
  static AdmissionLimits from(Map<String, String> s) {
    return new AdmissionLimits(
        GatewayConfig.integer(s, "admission.terminal.rate"),
        GatewayConfig.integer(s, "admission.terminal.burst"),
        GatewayConfig.integer(s, "admission.institution.rate"),
        GatewayConfig.integer(s, "admission.institution.burst"),
        GatewayConfig.integer(s, "admission.max.callers"),
        GatewayConfig.integer(s, "admission.terminal.alerts.per.minute"),
        GatewayConfig.integer(s, "admission.terminal.alerts.burst"),
        GatewayConfig.integer(s, "admission.max.in.flight.calls"),
        GatewayConfig.integer(s, "admission.target.held.ms"));
  }

  /** The defaults. */
  public static AdmissionLimits defaults() {
    Map<String, String> d = new java.util.HashMap<>();
    defaults(d);
    return from(d);
  }

  /** No limit per caller (the global bounds on calls in flight and on queued commands still hold). */
  public static AdmissionLimits off() {
    return new AdmissionLimits(0, 1, 0, 1, 16, 0, 1, DEFAULT_MAX_IN_FLIGHT_CALLS, DEFAULT_TARGET_HELD_MILLIS);
  }

  /** These limits with at most {@code calls} in flight at once. */
  public AdmissionLimits withMaxInFlightCalls(int calls) {
    return new AdmissionLimits(terminalRatePerSecond, terminalBurst, institutionRatePerSecond, institutionBurst,
        maxCallers, alertsPerMinute, alertBurst, calls, targetHeldMillis);
  }

  /** Whether any bucket is on. */
  public boolean on() {
    return terminalRatePerSecond > 0 || institutionRatePerSecond > 0;
  }

  /** One line per setting, for the effective configuration printed at start. */
  String describe() {
    return "admission.terminal.rate=" + terminalRatePerSecond
        + "\nadmission.terminal.burst=" + terminalBurst
        + "\nadmission.institution.rate=" + institutionRatePerSecond
        + "\nadmission.institution.burst=" + institutionBurst
        + "\nadmission.max.callers=" + maxCallers
        + "\nadmission.terminal.alerts.per.minute=" + alertsPerMinute
        + "\nadmission.terminal.alerts.burst=" + alertBurst
        + "\nadmission.max.in.flight.calls=" + maxInFlightCalls
        + "\nadmission.target.held.ms=" + targetHeldMillis;
  }
}
