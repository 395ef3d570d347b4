package gongji.loadtest.run;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest run}: drives one scenario against a running gateway; only turns flags into {@link RunSettings}. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = gongji.server.Commands.Version.class, sortOptions = false, usageHelpWidth = 110,
    description = {
        "Drives a scenario against a running gateway over gRPC, measures latency with HdrHistogram, then audits",
        "the accounts through the API. Exit status: 0 passed, 1 audit failed / objective missed / bound hit,",
        "2 bad usage."},
    footer = {"",
        "Scenarios: health, identify, pharmacy-sale, mutual-aid-sale, cancel, refund, duplicate, hospital-discharge,",
        "wallet-sale, mixed",
        "(mixed: identify 20%%, pharmacy-sale 50%%, mutual-aid-sale 10%%, cancel 8%%, refund 7%%, duplicate 5%%).",
        "Example: gongji loadtest run --target 127.0.0.1:9090 --scenario pharmacy-sale --rate 500 --duration 30",
        "Against a gateway that requires credentials (the back office on its own port):",
        "  gongji loadtest run --target 127.0.0.1:9090 --admin-target 127.0.0.1:9092 --admin-token CLERK \\",
        "      --token P62010200017/POS01=T1 --token P62010200017/POS02=T2 --data demo --scenario pharmacy-sale --rate 50"})
public final class RunCommand implements Callable<Integer> {
  @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "the gateway")
  String target;

  @Option(names = "--admin-target", paramLabel = "HOST:PORT",
      description = "the back office (AdminService, FamilyService: set-up, read-back, audit) when it has a port of its"
          + " own, the gateway's admin.port (default: --target)")
  String adminTarget;

  @Option(names = "--token", paramLabel = "[INSTITUTION[/TERMINAL]=]TOKEN",
      description = {"bearer token for terminal calls; repeat it as INSTITUTION/TERMINAL=TOKEN (one terminal) or"
          + " INSTITUTION=TOKEN (an institution-wide token) when the scenario calls as several terminals; a bare"
          + " TOKEN serves any terminal the others do not name"})
  java.util.List<String> tokens = new java.util.ArrayList<>();

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "bearer token of the back office (admin:clerk:NAME; admin:auditor:NAME is enough with --no-setup"
          + " on a scenario that credits no account)")
  String adminToken;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "trust this CA and use TLS to both ports (default: plaintext)")
  Path tlsCa;

  @Option(names = "--scenario", defaultValue = "pharmacy-sale", description = "what to drive (default: ${DEFAULT-VALUE})")
  String scenario;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
      description = "open loop: scenario instances started per second, whatever the replies")
  double rate;

  @Option(names = "--schedule", paramLabel = "step:FROM:TO:STEP:SECONDS|ramp:FROM:TO:SECONDS",
      description = {"open loop whose rate changes: from FROM to TO per second by STEP, each held SECONDS; or a linear"
          + " ramp over SECONDS. Replaces --rate and --duration; the report lists every step (a ramp: every second)"})
  String schedule;

  @Option(names = "--concurrency", defaultValue = "0", paramLabel = "N",
      description = "closed loop: N instances in flight, each starting the next when it ends")
  int concurrency;

  @Option(names = "--connections", defaultValue = "2", paramLabel = "N",
      description = "HTTP/2 connections (one channel each), used in turn (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS", description = "discarded (default: ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--duration", defaultValue = "10", paramLabel = "SECONDS",
      description = "the measured window (default: ${DEFAULT-VALUE})")
  double durationSeconds;

  @Option(names = "--max-requests", defaultValue = "100000000", paramLabel = "N",
      description = "hard bound: at most N scenario instances in all (default: ${DEFAULT-VALUE})")
  long maxRequests;

  @Option(names = "--max-wall-seconds", defaultValue = "0", paramLabel = "SECONDS",
      description = "hard bound on the whole run, setup and audit included (default: warm-up + duration + 300)")
  long maxWallSeconds;

  @Option(names = "--rpc-timeout-ms", defaultValue = "5000", description = "each call's deadline (default: ${DEFAULT-VALUE})")
  long rpcTimeoutMillis;

  @Option(names = "--max-in-flight", defaultValue = "20000",
      description = "open loop: instances in flight above which a new one is refused and counted as an error"
          + " (default: ${DEFAULT-VALUE})")
  long maxInFlight;

  @Option(names = "--seed", paramLabel = "S", description = "the workload's seed (default: from the clock; printed)")
  Long seed;

  @Option(names = "--data", defaultValue = "generated",
      description = "generated: create --people persons first; demo: the data of `gongji serve --demo` (default: ${DEFAULT-VALUE})")
  String dataSet;

  @Option(names = "--people", defaultValue = "1000", description = "persons to generate, in families of 4 (default: ${DEFAULT-VALUE})")
  int people;

  @Option(names = "--bindings", paramLabel = "N", description = "mutual-aid bindings to generate, at most 2 a person (default: people / 2)")
  Integer bindings;

  @Option(names = "--active-people", paramLabel = "N",
      description = {"draw the patients of the sales from N persons of the generated data set (whole families),"
          + " chosen by the seed; only their accounts and their relatives' (found through the bindings) are read back"
          + " for the audit, so that the audit of a run on a large data set costs what the run touches (default:"
          + " every person; Identify still asks about anyone)"})
  Integer activePeople;

  @Option(names = "--no-setup", description = "do not create the data set: it exists from an earlier run with the same --data-tag")
  boolean noSetup;

  @Option(names = "--data-tag", paramLabel = "TAG", description = "names the generated data set (default: from the seed)")
  String dataTag;

  @Option(names = "--duplicate-share", defaultValue = "0.5",
      description = "duplicate scenario: the share of requests sent twice with one id (default: ${DEFAULT-VALUE})")
  double duplicateShare;

  @Option(names = "--no-audit", description = "skip the audit at the end, and the read-back of accounts and bindings before the run that it needs")
  boolean noAudit;

  @Option(names = "--slo-p99-ms", defaultValue = "0", description = "objective: p99 of all RPCs at most this; missed = exit 1")
  double sloP99Millis;

  @Option(names = "--slo-p999-ms", defaultValue = "0", description = "objective: p99.9 of all RPCs at most this; missed = exit 1")
  double sloP999Millis;

  @Option(names = "--find-max-rate",
      description = "step search from --rate for the highest rate meeting the objectives with no errors: each"
          + " step met raises the rate by half, then it bisects; a step missed is run once more, and its rate counts"
          + " as missed only if both miss")
  boolean findMaxRate;

  @Option(names = "--step-duration", defaultValue = "10", paramLabel = "SECONDS",
      description = "--find-max-rate: the measured window of each step (default: ${DEFAULT-VALUE})")
  double stepSeconds;

  @Option(names = "--report-json", paramLabel = "FILE", description = "write the JSON report here")
  Path reportJson;

  @Option(names = "--report-html", paramLabel = "FILE", description = "write a self-contained HTML report here")
  Path reportHtml;

  @Option(names = "--server-pid", defaultValue = "0", paramLabel = "PID",
      description = "the server's process, when it runs on this machine: report its CPU per RPC and memory (from /proc)")
  long serverPid;

  @Option(names = "--server-metrics", paramLabel = "URL",
      description = "the server's metrics (http://HOST:PORT/metrics): report the time its admitted calls took there"
          + " over the measured window (gongji_admission_held_seconds: p50, p99, max)")
  java.net.URI serverMetrics;

  private final PrintStream out;

  RunCommand(PrintStream out) {
    this.out = out;
  }

  /** Parses {@code args} and runs; returns the exit status. */
  public static int run(String[] args, PrintStream out) {
    CommandLine cl = commandLine(out);
    gongji.server.Commands.strict(cl);
    handleFailures(cl);
    return cl.execute(args);
  }

  /** The command, printing its report to {@code out}. */
  public static CommandLine commandLine(PrintStream out) {
    return new CommandLine(new RunCommand(out));
  }

  /**
   * A caller's mistake is exit 2; a failed run is exit 1 with what failed in one line (and the trace
   * of a bug: anything but an {@link IllegalStateException}). Set on the command {@code execute} is
   * called on: picocli asks that one's handler, whichever subcommand failed.
   */
  public static void handleFailures(CommandLine cl) {
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      String name = line.getCommandSpec().qualifiedName();
      if (e instanceof IllegalArgumentException) {
        line.getErr().println(name + ": " + e.getMessage());
        return 2;
      }
      line.getErr().println(name + ": failed: " + e.getMessage());
      if (!(e instanceof IllegalStateException)) {
        e.printStackTrace(line.getErr());
      }
      return 1;
    });
  }

  @Override
  public Integer call() throws Exception {
    Schedule plan = null;
    if (schedule != null) {
      if (rate > 0 || concurrency > 0 || findMaxRate) {
        throw new IllegalArgumentException("--schedule is an open loop of its own: without --rate, --concurrency and"
            + " --find-max-rate");
      }
      plan = Schedule.parse(schedule);
      rate = plan.meanRate();
      durationSeconds = plan.seconds();
    }
    long s = seed != null ? seed : System.currentTimeMillis();
    String tag = dataTag != null ? dataTag : Long.toString(Math.floorMod(s, 60_466_176L), 36);
    long wall = maxWallSeconds > 0 ? maxWallSeconds
        : (long) Math.ceil((findMaxRate ? 20 * (warmupSeconds + stepSeconds) : warmupSeconds + durationSeconds) + 300);
    RunSettings settings = new RunSettings(target, scenario, rate, concurrency, connections, warmupSeconds,
        durationSeconds, maxRequests, wall, rpcTimeoutMillis, maxInFlight, s, dataSet, people,
        bindings != null ? bindings : people / 2, activePeople != null ? activePeople : people, !noSetup, tag, duplicateShare, !noAudit, sloP99Millis, sloP999Millis,
        findMaxRate, stepSeconds, reportJson, reportHtml, serverPid, serverMetrics,
        new RunSettings.Access(adminTarget, tokens, adminToken, tlsCa), plan);
    return LoadRun.execute(settings, out, (w, t, b) -> { }).exitCode();
  }
}
