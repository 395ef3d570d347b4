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
 * <p>{@code maxCallers} bounds the buckets kept in memory (terminals and institutions together); a
 * bucket left alone long enough to be full again is dropped, since a new one is the same.
 */
public record AdmissionLimits(
    int terminalRatePerSecond,
    int terminalBurst,
    int institutionRatePerSecond,
    int institutionBurst,
    int maxCallers) {

  public AdmissionLimits {
    checkArgument(terminalRatePerSecond >= 0, "admission.terminal.rate: %s (expected: >= 0, 0 = off)",
        terminalRatePerSecond);
    checkArgument(terminalBurst >= 1, "admission.terminal.burst: %s (expected: >= 1)", terminalBurst);
    checkArgument(institutionRatePerSecond >= 0, "admission.institution.rate: %s (expected: >= 0, 0 = off)",
        institutionRatePerSecond);
    checkArgument(institutionBurst >= 1, "admission.institution.burst: %s (expected: >= 1)", institutionBurst);
    checkArgument(maxCallers >= 16, "admission.max.callers: %s (expected: >= 16)", maxCallers);
  }

  /** The settings, with their defaults, in the order {@code serve --help} lists them. */
  static void defaults(Map<String, String> d) {
    // A pharmacy terminal makes a few calls a sale, a sale every half minute at the busiest counter.
    d.put("admission.terminal.rate", "50");
    d.put("admission.terminal.burst", "100");
    // A large hospital's HIS across all its terminals; a province's peak is a few thousand a second.
    d.put("admission.institution.rate", "2000");
    d.put("admission.institution.burst", "4000");
    d.put("admission.max.callers", "200000");
  }

  /** What each setting means, for {@code serve --help}. */
  static final Map<String, String> DESCRIPTIONS = Map.of(
      "admission.terminal.rate", "settlement calls a second one terminal may make (token bucket; 0 = no limit)",
      "admission.terminal.burst", "calls a quiet terminal may make at once before its rate applies",
      "admission.institution.rate", "settlement calls a second all terminals of one institution may make (0 = no limit)",
      "admission.institution.burst", "calls a quiet institution may make at once before its rate applies",
      "admission.max.callers", "terminals and institutions whose buckets are kept in memory (idle ones go first)");

  /** The limits from the settings, by name. */
  static AdmissionLimits from(Map<String, String> s) {
    return new AdmissionLimits(
        GatewayConfig.integer(s, "admission.terminal.rate"),
        GatewayConfig.integer(s, "admission.terminal.burst"),
        GatewayConfig.integer(s, "admission.institution.rate"),
        GatewayConfig.integer(s, "admission.institution.burst"),
        GatewayConfig.integer(s, "admission.max.callers"));
  }

  /** The defaults. */
  public static AdmissionLimits defaults() {
    Map<String, String> d = new java.util.HashMap<>();
    defaults(d);
    return from(d);
  }

  /** No limit per caller (the global bound on queued commands still holds). */
  public static AdmissionLimits off() {
    return new AdmissionLimits(0, 1, 0, 1, 16);
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
        + "\nadmission.max.callers=" + maxCallers;
  }
}
