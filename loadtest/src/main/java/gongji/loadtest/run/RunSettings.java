package gongji.loadtest.run;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The settings of one {@code loadtest run}, checked once here; {@link RunCommand} fills them from flags. */
record RunSettings(
    String target,
    String scenario,
    double rate,
    int concurrency,
    int connections,
    double warmupSeconds,
    double durationSeconds,
    long maxRequests,
    long maxWallSeconds,
    long rpcTimeoutMillis,
    long maxInFlight,
    long seed,
    String dataSet,
    int people,
    int bindings,
    int activePeople,
    boolean setup,
    String dataTag,
    double duplicateShare,
    boolean audit,
    double sloP99Millis,
    double sloP999Millis,
    boolean findMaxRate,
    double stepSeconds,
    Path reportJson,
    Path reportHtml,
    long serverPid,
    java.net.URI serverMetrics,
    Access access,
    Schedule schedule) {

  /**
   * Where the back office is and the credentials of the run: {@code adminTarget} null when the back
   * office shares the terminal port; {@code tokens} the values of {@code --token}; {@code adminToken}
   * and {@code tlsCa} null for none.
   */
  record Access(String adminTarget, List<String> tokens, String adminToken, Path tlsCa) {
    /** Plaintext, no credentials, one port: a gateway started with --auth-required false --admin-port -1. */
    static final Access NONE = new Access(null, List.of(), null, null);

    Access {
      tokens = List.copyOf(tokens);
    }

    Credentials credentials() {
      return tokens.isEmpty() && adminToken == null ? Credentials.NONE : new Credentials(tokens, adminToken);
    }
  }

  RunSettings {
    Scenarios.checkName(scenario);
    check(rate > 0 != concurrency > 0, "give exactly one of --rate R (open loop) and --concurrency N (closed loop)"
        + " (got: rate %s, concurrency %s)", rate, concurrency);
    check(!findMaxRate || rate > 0, "--find-max-rate starts from --rate R (the first step's rate)");
    check(connections >= 1 && connections <= 64, "--connections: %s (expected: 1..64)", connections);
    check(warmupSeconds >= 0, "--warmup: %s (expected: >= 0 seconds)", warmupSeconds);
    check(durationSeconds > 0, "--duration: %s (expected: > 0 seconds)", durationSeconds);
    check(maxRequests > 0, "--max-requests: %s (expected: > 0)", maxRequests);
    check(maxWallSeconds > 0, "--max-wall-seconds: %s (expected: > 0)", maxWallSeconds);
    check(rpcTimeoutMillis > 0, "--rpc-timeout-ms: %s (expected: > 0)", rpcTimeoutMillis);
    check(maxInFlight > 0, "--max-in-flight: %s (expected: > 0)", maxInFlight);
    check(dataSet.equals("generated") || dataSet.equals("demo"), "--data: %s (expected: generated or demo)", dataSet);
    check(people >= 4 && people <= 10_000_000, "--people: %s (expected: 4..10,000,000)", people);
    check(bindings >= 0, "--bindings: %s (expected: >= 0)", bindings);
    check(activePeople >= 4, "--active-people: %s (expected: >= 4, a family)", activePeople);
    check(duplicateShare >= 0 && duplicateShare <= 1, "--duplicate-share: %s (expected: 0..1)", duplicateShare);
    check(stepSeconds > 0, "--step-duration: %s (expected: > 0 seconds)", stepSeconds);
    requireNonNull(access, "access");
    check(schedule == null || (rate > 0 && !findMaxRate), "--schedule is an open loop of its own: without --rate,"
        + " --concurrency and --find-max-rate");
    access.credentials();
    check(access.tlsCa() == null || Files.isReadable(access.tlsCa()), "--tls-ca: %s (expected: a readable PEM file)",
        access.tlsCa());
  }

  boolean open() {
    return rate > 0;
  }

  private static void check(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }
}
