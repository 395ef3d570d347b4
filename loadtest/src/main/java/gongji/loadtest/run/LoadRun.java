package gongji.loadtest.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run, start to end: create or find the data set, read the opening state back, drive the
 * scenario (once, or in steps with {@code --find-max-rate}), audit, report. Every phase is bounded
 * by the run's wall-clock bound.
 */
final class LoadRun {
  /** Called between the load and the audit; tests use it to change the books behind the runner's back. */
  interface BeforeAudit {
    void run(Workload workload, Target target, Books books) throws Exception;
  }

  /** The exit status, the JSON report and what it was built from. */
  record Outcome(int exitCode, ObjectNode json, Report.Run run) {}

  private static final int SETUP_IN_FLIGHT = 256;
  /** The objectives --find-max-rate uses when none are given (the gateway's goals). */
  private static final double DEFAULT_SLO_P99_MS = 5;
  private static final double DEFAULT_SLO_P999_MS = 20;

  private LoadRun() {}

  static Outcome execute(RunSettings s, PrintStream out, BeforeAudit beforeAudit) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.maxWallSeconds());
    String runId = s.dataTag() + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    out.printf("loadtest run: scenario=%s seed=%d data=%s tag=%s run=%s target=%s%n", s.scenario(), s.seed(), s.dataSet(),
        s.dataTag(), runId, s.target());
    try (Target target = new Target(s.target(), s.access().adminTarget(), s.connections(), s.rpcTimeoutMillis(),
        s.access().credentials(), s.access().tlsCa())) {
      Workload workload = s.dataSet().equals("demo") ? Workload.demo()
          : Workload.generated(s.dataTag(), s.people(), s.bindings(), s.activePeople(), s.seed());
      boolean needsData = !s.scenario().equals("health");
      if (needsData && s.setup() && s.dataSet().equals("generated")) {
        long t0 = System.nanoTime();
        String took = workload.setUp(target, SETUP_IN_FLIGHT, deadline);
        out.printf(Locale.ROOT, "setup: %d persons, %d bindings, institution %s in %.1f s (%s)%n", workload.people().size(),
            workload.bindingsPlanned(), workload.institution(), (System.nanoTime() - t0) / 1e9, took);
      }
      if (needsData && s.audit()) {
        // What the auditor starts from: the accounts the run can touch (a run without an audit reads none).
        workload.readBack(target, SETUP_IN_FLIGHT, deadline, s.seed());
        Workload.ReadBack r = workload.readBackDone();
        out.printf(Locale.ROOT, "read back: %d accounts (the %d active persons' own: %d; their relatives' outside the"
                + " active set: %d; a sample outside both: %d) and %d bindings to active persons in %.1f s%n", r.accounts(),
            r.activePeople(), r.activeAccounts(), r.relativeAccounts(), r.sampledAccounts(), r.bindings(), r.millis() / 1e3);
      }
      settleHeap(out);
      Books books = new Books(s.audit() && needsData, workload.people());
      Scenarios scenarios = new Scenarios(target, workload, books, s.seed(), runId, s.duplicateShare());
      // --find-max-rate without objectives searches against the gateway's goals.
      boolean defaults = s.findMaxRate() && s.sloP99Millis() <= 0 && s.sloP999Millis() <= 0;
      double sloP99 = defaults ? DEFAULT_SLO_P99_MS : s.sloP99Millis();
      double sloP999 = defaults ? DEFAULT_SLO_P999_MS : s.sloP999Millis();
      Driver.Result result;
      double reportedRate = s.rate();
      ArrayNode steps = null;
      double maxRate = 0;
      if (!s.findMaxRate()) {
        result = drive(s, scenarios, out, s.rate(), 1, s.durationSeconds(), 0, deadline);
      } else {
        steps = Report.mapper().createArrayNode();
        Driver.Result best = null;
        Driver.Result last = null;
        double lastMissedRate = s.rate();
        RateSearch search = new RateSearch(s.rate());
        long nextIndex = 0;
        for (int step = 1; !search.done() && System.nanoTime() < deadline; step++) {
          double rate = search.rate();
          boolean second = search.confirming();
          // The first step warms a cold JVM on either side up for three times as long.
          last = drive(s, scenarios, out, rate, step == 1 ? 3 : 1, s.stepSeconds(), nextIndex, deadline);
          nextIndex += (long) Math.ceil(rate * ((step == 1 ? 3 : 1) * s.warmupSeconds() + s.stepSeconds())) + 1;
          List<String> misses = sloMisses(last, sloP99, sloP999);
          boolean pass = misses.isEmpty() && last.stats().errors() == 0 && last.drained();
          Stats.Summary v = Stats.Summary.of(last.stats().allRpcs());
          out.printf(Locale.ROOT, "find-max-rate: step %d rate=%.0f/s%s rpc=%.0f/s p99=%.2fms p99.9=%.2fms errors=%d: %s%n",
              step, rate, second ? " (again)" : "", last.rpcsMeasured() / last.measuredSeconds(), v.p99() / 1e3,
              v.p999() / 1e3, last.stats().errors(), pass ? "met" : "missed " + misses);
          long stallMicros = last.stats().longestStallMicros();
          double needed = RateSearch.stepSecondsNeeded(s.stepSeconds(), stallMicros, sloP999);
          if (!pass && needed > 0) {
            out.printf(Locale.ROOT, "find-max-rate:   one stall of %.1f ms can decide the p99.9 of a %.0f s step alone"
                + " (the RPCs sent in its first %.1f ms wait past %.0f ms); steps of %.0f s or more (--step-duration) tell"
                + " a rate's limit from one pause%n", stallMicros / 1e3, s.stepSeconds(), stallMicros / 1e3 - sloP999,
                sloP999, needed);
          }
          ObjectNode n = steps.addObject();
          n.put("rate", rate);
          n.put("again", second);
          n.put("throughput_rps", last.rpcsMeasured() / last.measuredSeconds());
          n.put("p99_us", v.p99());
          n.put("p999_us", v.p999());
          n.put("errors", last.stats().errors());
          n.put("longest_stall_ms", stallMicros / 1e3);
          n.put("met", pass);
          if (pass) {
            best = last;
          } else {
            lastMissedRate = rate;
          }
          search.record(pass);
        }
        maxRate = search.best();
        result = best != null ? best : last;
        reportedRate = best != null ? maxRate : lastMissedRate;
        out.printf(Locale.ROOT, "find-max-rate: the highest rate meeting p99<=%sms p99.9<=%sms with no errors: %.0f/s%n",
            sloP99, sloP999, maxRate);
      }
      beforeAudit.run(workload, target, books);
      Auditor.Report audit = null;
      if (s.audit() && needsData) {
        if (hasUnknowns(books)) {
          // A call the client gave up on may still be queued at the server: let it land before looking it up.
          Thread.sleep(Math.min(s.rpcTimeoutMillis(), Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        }
        audit = new Auditor(target, workload, SETUP_IN_FLIGHT).audit(books, deadline);
        out.printf(Locale.ROOT, "books: %d sales in %.2f MB filed in %d chunks (%.0f bytes a sale, credits included)%n",
            audit.sales(), books.filedBytes() / 1e6, books.chunks(), books.filedBytes() / (double) Math.max(1, audit.sales()));
      }
      List<String> misses = s.findMaxRate() ? List.of() : sloMisses(result, sloP99, sloP999);
      String refused = credentialsRefused(result.stats());
      boolean ok = (audit == null || audit.ok()) && misses.isEmpty() && result.drained() && refused == null;
      Report.Run run = new Report.Run(s.scenario(), s, reportedRate, result, audit, misses, ok);
      Report.table(run, out);
      ObjectNode json = Report.json(run);
      if (refused != null) {
        out.println("CREDENTIALS REFUSED: " + refused);
        json.put("credentials_refused", refused);
      }
      if (steps != null) {
        ObjectNode search = json.putObject("find_max_rate");
        search.put("max_rate", maxRate);
        search.put("slo_p99_ms", sloP99);
        search.put("slo_p999_ms", sloP999);
        search.set("steps", steps);
      }
      if (s.reportJson() != null) {
        Report.writeJson(json, s.reportJson());
        out.println("report: " + s.reportJson());
      }
      if (s.reportHtml() != null) {
        HtmlReport.write(run, json, s.reportHtml());
        out.println("report: " + s.reportHtml());
      }
      out.println("loadtest run: " + (ok ? "PASSED" : "FAILED"));
      return new Outcome(ok ? 0 : 1, json, run);
    }
  }

  /**
   * One full collection of the generator's own heap before anything is driven, as JMH does before
   * each iteration. The workload (a million persons is some 200 MB of them) and the read-back were
   * built just before; left to the collector, they are copied through the survivor spaces in the
   * first seconds of the run, in young pauses of 25-40 ms that the run would count against the
   * gateway (docs/PERFORMANCE.md, 2026-12-05 09:02).
   */
  private static void settleHeap(PrintStream out) {
    long t0 = System.nanoTime();
    System.gc();
    out.printf(Locale.ROOT, "load generator: its heap settled (one full collection) in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
  }

  private static Driver.Result drive(RunSettings s, Scenarios scenarios, PrintStream out, double rate, int warmups,
      double seconds, long firstIndex, long deadline) throws InterruptedException {
    long warmup = (long) (warmups * s.warmupSeconds() * 1e9);
    long duration = (long) (seconds * 1e9);
    // The drain after the window: the per-call deadline times the steps of a scenario, within the wall bound.
    long drain = Math.max(0, Math.min(TimeUnit.MILLISECONDS.toNanos(s.rpcTimeoutMillis() * 4 + 1000),
        deadline - System.nanoTime() - warmup - duration));
    Driver.Plan plan = new Driver.Plan(rate, s.open() ? 0 : s.concurrency(), warmup, duration, s.maxRequests(),
        s.maxInFlight(), drain, firstIndex, s.findMaxRate() ? null : s.schedule());
    return new Driver(scenarios, s.scenario(), out, s.serverPid() > 0 ? ProcStat.of(s.serverPid()) : null,
        s.serverMetrics() == null ? null : new ServerHeld(s.serverMetrics())).drive(plan);
  }

  private static List<String> sloMisses(Driver.Result r, double p99Millis, double p999Millis) {
    List<String> misses = new ArrayList<>();
    Stats.Summary v = Stats.Summary.of(r.stats().allRpcs());
    if (p99Millis > 0 && v.p99() > p99Millis * 1000) {
      misses.add(String.format(Locale.ROOT, "p99 %.3f ms > %s ms", v.p99() / 1e3, p99Millis));
    }
    if (p999Millis > 0 && v.p999() > p999Millis * 1000) {
      misses.add(String.format(Locale.ROOT, "p99.9 %.3f ms > %s ms", v.p999() / 1e3, p999Millis));
    }
    return misses;
  }

  /**
   * What the gateway said of the run's credentials when it refused any call for them, else null: a
   * run whose calls were refused at the door measured the door, not the gateway.
   */
  static String credentialsRefused(Stats stats) {
    Map<String, Long> byCode = stats.errorsByCode();
    long unauthenticated = byCode.getOrDefault("UNAUTHENTICATED", 0L);
    long denied = byCode.getOrDefault("PERMISSION_DENIED", 0L);
    if (unauthenticated == 0 && denied == 0) {
      return null;
    }
    return String.format(Locale.ROOT, "%d calls UNAUTHENTICATED, %d PERMISSION_DENIED: give each terminal the scenario"
        + " calls as a token (--token INSTITUTION/TERMINAL=TOKEN or INSTITUTION=TOKEN) and the back office"
        + " --admin-target and --admin-token", unauthenticated, denied);
  }

  private static boolean hasUnknowns(Books books) {
    for (Books.Sale sale : books.eachSale()) {
      for (Books.Request r : new Books.Request[] {sale.authorize, sale.settle, sale.cancel, sale.refund}) {
        if (r != null && r.known() == Books.Known.UNKNOWN) {
          return true;
        }
      }
    }
    return false;
  }
}
