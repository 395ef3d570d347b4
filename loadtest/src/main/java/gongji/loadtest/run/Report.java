package gongji.loadtest.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The reports of a run: the final table on the console, the JSON report ({@code --report-json}),
 * built with Jackson, and the self-contained HTML page ({@code --report-html}).
 *
 * <p>JSON fields: {@code scenario}, {@code mode} ("open" or "closed"), {@code rate_target} (instances
 * per second, null in a closed loop; with {@code --find-max-rate}, the rate of the step reported: the
 * highest that met the objectives, else the last), {@code concurrency}, {@code connections}, {@code seed},
 * {@code duration_s}, {@code throughput_rps} (RPCs per second in the measured window),
 * {@code scenarios_per_s}, {@code scenarios_failed}, {@code latency_us} (all RPCs: p50, p90, p99, p999, p9999, max, count;
 * {@code latency_ok_us} the same of the RPCs that succeeded),
 * {@code scenario_latency_us} (whole instances), {@code send_lag_us}, {@code longest_stall_ms} (the
 * longest span in which RPCs were out and no reply to any came) and {@code longest_stall_end_s} (when
 * it ended, in seconds from the window's start; -1: none), {@code generator_pauses} (the load
 * generator's own pauses of 5 ms or more, {@link Hiccups}: count, total_ms, longest_ms, truncated;
 * and the figures with them taken out: latency_us_without, rpcs_left_out, longest_stall_ms_without,
 * longest_stall_end_s_without), {@code rpcs} and {@code steps}
 * (each: count, errors, latency_us), {@code errors} (total, by_code, by_reason), {@code counters},
 * {@code audit_ok} (null when the audit was off), {@code audit} (sales, resolved_by_request_id,
 * accounts_checked, settled_fen, refunded_fen, discrepancies, {@code read_back}: what was read back
 * before the load, {@link Workload.ReadBack}, and {@code audit_seconds}), {@code slo}, {@code ok},
 * {@code schedule} (with {@code --schedule}: spec, kind, and {@code intervals}, each: index, label,
 * start_s, seconds, rate_target, scenarios_per_s achieved, throughput_rps, errors, latency_us),
 * {@code server} and {@code load_generator} (CPU seconds, cores, CPU per RPC, resident MB, CPU per
 * RPC by thread group in {@code cpu_us_per_rpc_by_thread}; the server's only with
 * {@code --server-pid}), {@code server_admitted} (with {@code --server-metrics}: the gRPC calls the
 * server admitted and answered over the window, by its own clock, see {@link ServerHeld}: count,
 * p50_ms, p99_ms, max_ms_at_most), and
 * {@code timeline} (one entry per second: second, warmup, scenarios_per_s, rpcs, errors, p50_us and
 * p99_us of the scenario instances that ended in it, rpc_p50_us and rpc_p99_us of its RPCs, in_flight).
 */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Everything a report needs about a run. */
  record Run(String scenario, RunSettings settings, double rate, Driver.Result result, Auditor.Report audit,
      List<String> sloMisses, boolean ok) {
    double throughputRps() {
      return result.rpcsMeasured() / result.measuredSeconds();
    }

    double scenariosPerSecond() {
      return result.completedMeasured() / result.measuredSeconds();
    }
  }

  private Report() {}

  static void table(Run run, PrintStream out) {
    Stats s = run.result().stats();
    Driver.Result r = run.result();
    out.println();
    out.printf(Locale.ROOT, "scenario %s, %s loop%s, %d connections, seed %d: %d instances in %.1f s measured"
            + " (%.1f/s), %d RPCs (%.1f RPC/s)%n",
        run.scenario(), run.settings().open() ? "open" : "closed",
        run.settings().open() ? String.format(Locale.ROOT, " at %.0f/s", run.rate())
            : " with " + run.settings().concurrency() + " in flight",
        run.settings().connections(), run.settings().seed(), r.completedMeasured(), r.measuredSeconds(),
        run.scenariosPerSecond(), r.rpcsMeasured(), run.throughputRps());
    out.printf("%-34s %9s %7s %9s %9s %9s %9s %9s %9s   (latency in ms)%n", "", "count", "errors", "p50", "p90", "p99",
        "p99.9", "p99.99", "max");
    row(out, "all RPCs", s.allRpcs(), s.errors());
    for (Map.Entry<String, Histogram> e : s.byRpc().entrySet()) {
      row(out, "rpc " + e.getKey(), e.getValue(), s.rpcErrors(e.getKey()));
    }
    for (Map.Entry<String, Histogram> e : s.byStep().entrySet()) {
      row(out, "step " + e.getKey(), e.getValue(), s.stepErrors(e.getKey()));
    }
    for (Map.Entry<String, Histogram> e : s.byScenario().entrySet()) {
      row(out, "scenario " + e.getKey(), e.getValue(), -1);
    }
    if (run.settings().open()) {
      row(out, "send lag (pacer late by)", r.sendLag(), -1);
    }
    out.printf(Locale.ROOT, "longest stall (RPCs out, no reply to any): %.1f ms, ending %.1f s into the window%n",
        s.longestStallMicros() / 1000.0, s.longestStallEndSecond());
    Hiccups.Figures own = r.generatorPauses();
    out.printf(Locale.ROOT, "load generator's own pauses of %d ms or more (its GC, or no core for it): %d, %.1f ms in"
            + " all, the longest %.1f ms%s%n", Hiccups.KEPT_NANOS / 1_000_000, own.count(), own.totalMicros() / 1000.0,
        own.longestMicros() / 1000.0, own.truncated() ? " (more than could be kept)" : "");
    Stats.GeneratorFree free = r.generatorFree();
    if (free != null && own.count() > 0) {
      row(out, "all RPCs no such pause fell on", free.rpcs(), -1);
      out.printf(Locale.ROOT, "  (%d RPCs left out); longest stall not the load generator's: %.1f ms, ending %.1f s"
          + " into the window%n", free.overlapped(), free.longestStallMicros() / 1000.0, free.longestStallEndSecond());
    }
    if (!r.intervals().isEmpty()) {
      out.println("schedule " + run.settings().schedule().spec() + ": by the interval an instance was due in");
      for (Driver.Interval i : r.intervals()) {
        row(out, String.format(Locale.ROOT, "%2d %s got %.1f/s", i.index(), i.label(), i.scenariosPerSecond()),
            i.stats().allRpcs(), i.stats().errors());
      }
    }
    if (!s.errorsByCode().isEmpty()) {
      out.println("errors by code:   " + s.errorsByCode());
      out.println("errors by reason: " + s.errorsByReason());
    }
    if (!s.counters().isEmpty()) {
      out.println("counts: " + s.counters());
    }
    cpuLine(out, "server", r.server(), r);
    cpuLine(out, "load generator", r.client(), r);
    ServerHeld.Figures held = r.serverHeld();
    if (held != null) {
      out.printf(Locale.ROOT, "server side, admitted calls from their place in flight to their reply: %d calls,"
          + " p50 %.3f ms, p99 %.3f ms, max <= %.3f ms (%s)%n", held.count(), held.p50Millis(), held.p99Millis(),
          held.maxMillisAtMost(), ServerHeld.METER);
    }
    if (!r.drained()) {
      out.println("NOT DRAINED: calls were still in flight when the drain bound passed");
    }
    Auditor.Report a = run.audit();
    if (a == null) {
      out.println("audit: off");
    } else {
      out.printf(Locale.ROOT, "audit: %s: %d sales, %d requests resolved by id, %d accounts checked, %.2f yuan settled,"
              + " %.2f yuan refunded, %d discrepancies%n", a.ok() ? "OK" : "FAILED", a.sales(), a.unknownResolved(),
          a.accountsChecked(), a.settledFen() / 100.0, a.refundedFen() / 100.0, a.discrepancies().size());
      Workload.ReadBack read = a.readBack();
      if (read != null) {
        out.printf(Locale.ROOT, "audit: accounts read back before the run and after it: %d (the %d active persons' own: %d;"
                + " their relatives' outside the active set: %d; a sample outside both: %d); read back before in %.1f s,"
                + " audit %.1f s%n", read.accounts(), read.activePeople(), read.activeAccounts(), read.relativeAccounts(),
            read.sampledAccounts(), read.millis() / 1e3, a.auditMillis() / 1e3);
      }
      a.discrepancies().stream().limit(50).forEach(d -> out.println("  AUDIT " + d));
      if (a.discrepancies().size() > 50) {
        out.println("  ... and " + (a.discrepancies().size() - 50) + " more");
      }
    }
    for (String miss : run.sloMisses()) {
      out.println("SLO MISSED: " + miss);
    }
  }

  private static void cpuLine(PrintStream out, String who, Driver.Cpu cpu, Driver.Result r) {
    if (cpu != null && r.rpcsMeasured() > 0) {
      out.printf(Locale.ROOT, "%s CPU: %.2f s over %.1f s (%.2f cores), %.1f us per RPC; resident memory %d MB%n", who,
          cpu.cpuSeconds(), r.measuredSeconds(), cpu.cpuSeconds() / r.measuredSeconds(),
          cpu.cpuSeconds() * 1e6 / r.rpcsMeasured(), cpu.rssBytes() >> 20);
      if (who.equals("server") && !cpu.threadCpuSeconds().isEmpty()) {
        StringBuilder line = new StringBuilder("server CPU per RPC by thread, us:");
        cpu.threadCpuSeconds().forEach((group, seconds) -> line.append(String.format(Locale.ROOT, " %s %.1f,", group,
            seconds * 1e6 / r.rpcsMeasured())));
        line.setLength(line.length() - 1);
        out.println(line);
      }
    }
  }

  private static void cpu(ObjectNode root, String name, Driver.Cpu cpu, Driver.Result r) {
    if (cpu == null) {
      return;
    }
    ObjectNode n = root.putObject(name);
    n.put("cpu_s", cpu.cpuSeconds());
    n.put("cores", cpu.cpuSeconds() / r.measuredSeconds());
    n.put("cpu_us_per_rpc", r.rpcsMeasured() == 0 ? 0 : cpu.cpuSeconds() * 1e6 / r.rpcsMeasured());
    n.put("rss_mb", cpu.rssBytes() >> 20);
    if (!cpu.threadCpuSeconds().isEmpty() && r.rpcsMeasured() > 0) {
      ObjectNode byThread = n.putObject("cpu_us_per_rpc_by_thread");
      cpu.threadCpuSeconds().forEach((group, seconds) -> byThread.put(group, seconds * 1e6 / r.rpcsMeasured()));
    }
  }

  private static void row(PrintStream out, String name, Histogram h, long errors) {
    Stats.Summary v = Stats.Summary.of(h);
    out.printf(Locale.ROOT, "%-34s %9d %7s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", name, v.count(),
        errors < 0 ? "" : Long.toString(errors), v.p50() / 1e3, v.p90() / 1e3, v.p99() / 1e3, v.p999() / 1e3,
        v.p9999() / 1e3, v.max() / 1e3);
  }

  static ObjectNode json(Run run) {
    Stats s = run.result().stats();
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", run.scenario());
    root.put("mode", run.settings().open() ? "open" : "closed");
    if (run.settings().open()) {
      root.put("rate_target", run.rate());
      root.putNull("concurrency");
    } else {
      root.putNull("rate_target");
      root.put("concurrency", run.settings().concurrency());
    }
    root.put("connections", run.settings().connections());
    root.put("seed", run.settings().seed());
    root.put("duration_s", run.result().measuredSeconds());
    root.put("throughput_rps", run.throughputRps());
    root.put("scenarios_per_s", run.scenariosPerSecond());
    root.put("scenarios_failed", s.scenariosFailed());
    root.set("latency_us", latency(s.allRpcs()));
    root.set("latency_ok_us", latency(s.okRpcs()));
    root.set("scenario_latency_us", latency(s.allScenarios()));
    if (run.settings().open()) {
      root.set("send_lag_us", latency(run.result().sendLag()));
    }
    root.put("longest_stall_ms", s.longestStallMicros() / 1000.0);
    root.put("longest_stall_end_s", s.longestStallEndSecond());
    Hiccups.Figures own = run.result().generatorPauses();
    ObjectNode generator = root.putObject("generator_pauses");
    generator.put("count", own.count());
    generator.put("total_ms", own.totalMicros() / 1000.0);
    generator.put("longest_ms", own.longestMicros() / 1000.0);
    generator.put("truncated", own.truncated());
    Stats.GeneratorFree free = run.result().generatorFree();
    if (free != null) {
      generator.set("latency_us_without", latency(free.rpcs()));
      generator.put("rpcs_left_out", free.overlapped());
      generator.put("longest_stall_ms_without", free.longestStallMicros() / 1000.0);
      generator.put("longest_stall_end_s_without", free.longestStallEndSecond());
    }
    ObjectNode rpcs = root.putObject("rpcs");
    s.byRpc().forEach((name, h) -> {
      ObjectNode n = rpcs.putObject(name);
      n.put("count", h.getTotalCount());
      n.put("errors", s.rpcErrors(name));
      n.set("latency_us", latency(h));
    });
    ObjectNode steps = root.putObject("steps");
    s.byStep().forEach((name, h) -> {
      ObjectNode n = steps.putObject(name);
      n.put("count", h.getTotalCount());
      n.put("errors", s.stepErrors(name));
      n.set("latency_us", latency(h));
    });
    if (!run.result().intervals().isEmpty()) {
      ObjectNode schedule = root.putObject("schedule");
      schedule.put("spec", run.settings().schedule().spec());
      schedule.put("kind", run.settings().schedule().ramp() ? "ramp" : "step");
      ArrayNode intervals = schedule.putArray("intervals");
      for (Driver.Interval i : run.result().intervals()) {
        ObjectNode n = intervals.addObject();
        n.put("index", i.index());
        n.put("label", i.label());
        n.put("start_s", i.planned().startSeconds());
        n.put("seconds", i.planned().seconds());
        n.put("rate_target", i.planned().meanRate());
        n.put("scenarios_per_s", i.scenariosPerSecond());
        n.put("throughput_rps", i.rpcsPerSecond());
        n.put("errors", i.stats().errors());
        n.set("latency_us", latency(i.stats().allRpcs()));
      }
    }
    ObjectNode errors = root.putObject("errors");
    errors.put("total", s.errors());
    ObjectNode byCode = errors.putObject("by_code");
    s.errorsByCode().forEach(byCode::put);
    ObjectNode byReason = errors.putObject("by_reason");
    s.errorsByReason().forEach(byReason::put);
    ObjectNode counters = root.putObject("counters");
    s.counters().forEach(counters::put);
    Auditor.Report a = run.audit();
    if (a == null) {
      root.putNull("audit_ok");
    } else {
      root.put("audit_ok", a.ok());
      ObjectNode audit = root.putObject("audit");
      audit.put("sales", a.sales());
      audit.put("resolved_by_request_id", a.unknownResolved());
      audit.put("accounts_checked", a.accountsChecked());
      Workload.ReadBack r = a.readBack();
      if (r != null) {
        ObjectNode read = audit.putObject("read_back");
        read.put("active_people", r.activePeople());
        read.put("accounts", r.accounts());
        read.put("active_accounts", r.activeAccounts());
        read.put("relative_accounts", r.relativeAccounts());
        read.put("sampled_accounts", r.sampledAccounts());
        read.put("bindings", r.bindings());
        read.put("seconds", r.millis() / 1e3);
      }
      audit.put("audit_seconds", a.auditMillis() / 1e3);
      audit.put("settled_fen", a.settledFen());
      audit.put("refunded_fen", a.refundedFen());
      ArrayNode d = audit.putArray("discrepancies");
      a.discrepancies().forEach(d::add);
    }
    ObjectNode slo = root.putObject("slo");
    if (run.settings().sloP99Millis() > 0) {
      slo.put("p99_ms", run.settings().sloP99Millis());
    }
    if (run.settings().sloP999Millis() > 0) {
      slo.put("p999_ms", run.settings().sloP999Millis());
    }
    ArrayNode misses = slo.putArray("missed");
    run.sloMisses().forEach(misses::add);
    cpu(root, "server", run.result().server(), run.result());
    cpu(root, "load_generator", run.result().client(), run.result());
    ServerHeld.Figures held = run.result().serverHeld();
    if (held != null) {
      ObjectNode n = root.putObject("server_admitted");
      n.put("count", held.count());
      n.put("p50_ms", held.p50Millis());
      n.put("p99_ms", held.p99Millis());
      n.put("max_ms_at_most", held.maxMillisAtMost());
    }
    root.put("drained", run.result().drained());
    root.put("ok", run.ok());
    ArrayNode timeline = root.putArray("timeline");
    for (Driver.Second sec : run.result().timeline()) {
      ObjectNode n = timeline.addObject();
      n.put("second", sec.second());
      n.put("warmup", sec.warmup());
      n.put("scenarios_per_s", sec.scenariosPerSecond());
      n.put("rpcs", sec.rpcs());
      n.put("errors", sec.errors());
      n.put("p50_us", sec.p50Micros());
      n.put("p99_us", sec.p99Micros());
      n.put("rpc_p50_us", sec.rpcP50Micros());
      n.put("rpc_p99_us", sec.rpcP99Micros());
      n.put("in_flight", sec.inFlight());
    }
    return root;
  }

  private static ObjectNode latency(Histogram h) {
    Stats.Summary v = Stats.Summary.of(h);
    ObjectNode n = JSON.createObjectNode();
    n.put("count", v.count());
    n.put("p50", v.p50());
    n.put("p90", v.p90());
    n.put("p99", v.p99());
    n.put("p999", v.p999());
    n.put("p9999", v.p9999());
    n.put("max", v.max());
    n.put("mean", Math.round(v.mean() * 10) / 10.0);
    return n;
  }

  static void writeJson(ObjectNode report, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), report);
  }

  static ObjectMapper mapper() {
    return JSON;
  }
}
