package gongji.loadtest.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report: one self-contained page (no script, no stylesheet or font from the network) with
 * the figures as tables and two inline SVG charts: latency by percentile (the x axis spreads the
 * tail as HdrHistogram's plots do: 1 / (1 - percentile), log scale) and throughput over time. The
 * figures come from the JSON report, so the page and the JSON never disagree.
 */
final class HtmlReport {
  private static final int W = 720;
  private static final int H = 300;
  private static final int PAD = 48;

  private HtmlReport() {}

  static void write(Report.Run run, ObjectNode json, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(run, json), StandardCharsets.UTF_8);
  }

  static String render(Report.Run run, ObjectNode json) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gongji load test: ")
        .append(esc(run.scenario())).append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}.bad{color:#b00}.good{color:#070}</style></head><body>\n");
    b.append("<h1>Gongji load test: ").append(esc(run.scenario())).append("</h1>\n<p id=\"summary\">")
        .append(esc(json.get("mode").asText())).append(" loop, ")
        .append(run.settings().open() ? fmt(run.rate()) + " instances/s target" : run.settings().concurrency() + " in flight")
        .append(", ").append(run.settings().connections()).append(" connections, seed ").append(run.settings().seed())
        .append(": <b id=\"throughput\">").append(fmt(json.get("throughput_rps").asDouble())).append("</b> RPC/s, ")
        .append(fmt(json.get("scenarios_per_s").asDouble())).append(" instances/s over ")
        .append(fmt(json.get("duration_s").asDouble())).append(" s; errors <b id=\"errors\">")
        .append(json.get("errors").get("total").asLong()).append("</b>; audit <b id=\"audit\" class=\"")
        .append(run.audit() == null ? "" : run.audit().ok() ? "good" : "bad").append("\">")
        .append(run.audit() == null ? "off" : run.audit().ok() ? "OK" : "FAILED").append("</b>")
        .append(run.audit() == null ? "" : " (" + run.audit().accountsChecked() + " accounts read back, audit "
            + fmt(run.audit().auditMillis() / 1e3) + " s)")
        .append("; result <b id=\"ok\">")
        .append(run.ok() ? "PASSED" : "FAILED").append("</b></p>\n");
    b.append("<h2>Latency (ms)</h2>\n<table id=\"latency\"><tr><th></th><th>count</th><th>errors</th><th>p50</th><th>p90</th>"
        + "<th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr>\n");
    row(b, "all RPCs", json.get("latency_us"), json.get("errors").get("total").asLong());
    rows(b, "rpc ", json.get("rpcs"));
    rows(b, "step ", json.get("steps"));
    row(b, "scenario", json.get("scenario_latency_us"), -1);
    if (json.has("send_lag_us")) {
      row(b, "send lag", json.get("send_lag_us"), -1);
    }
    b.append("</table>\n");
    JsonNode schedule = json.get("schedule");
    if (schedule != null) {
      b.append("<h2>Schedule ").append(esc(schedule.get("spec").asText())).append("</h2>\n<table id=\"schedule\">")
          .append("<tr><th>interval</th><th>from s</th><th>target /s</th><th>achieved /s</th><th>RPC/s</th>")
          .append("<th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n");
      for (JsonNode i : schedule.get("intervals")) {
        b.append("<tr><td>").append(esc(i.get("index").asInt() + " " + i.get("label").asText())).append("</td>");
        for (String k : new String[] {"start_s", "rate_target", "scenarios_per_s", "throughput_rps"}) {
          b.append("<td>").append(String.format(Locale.ROOT, "%.1f", i.get(k).asDouble())).append("</td>");
        }
        b.append("<td>").append(i.get("errors").asLong()).append("</td>");
        for (String k : new String[] {"p50", "p90", "p99", "p999", "max"}) {
          b.append("<td>").append(String.format(Locale.ROOT, "%.3f", i.get("latency_us").get(k).asLong() / 1e3))
              .append("</td>");
        }
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Latency by percentile</h2>\n").append(percentileChart(run));
    b.append("<h2>Throughput over time</h2>\n").append(timelineChart(json.get("timeline")));
    b.append("<h2>Errors</h2>\n<table id=\"error-table\"><tr><th>by code / reason</th><th>count</th></tr>\n");
    for (String group : new String[] {"by_code", "by_reason"}) {
      for (Map.Entry<String, JsonNode> e : json.get("errors").get(group).properties()) {
        b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue().asLong()).append("</td></tr>\n");
      }
    }
    b.append("</table>\n");
    if (run.audit() != null && !run.audit().ok()) {
      b.append("<h2>Audit discrepancies</h2>\n<ul>\n");
      run.audit().discrepancies().stream().limit(200).forEach(d -> b.append("<li>").append(esc(d)).append("</li>\n"));
      b.append("</ul>\n");
    }
    b.append("</body></html>\n");
    return b.toString();
  }

  private static void rows(StringBuilder b, String prefix, JsonNode group) {
    for (Map.Entry<String, JsonNode> e : group.properties()) {
      row(b, prefix + e.getKey(), e.getValue().get("latency_us"), e.getValue().get("errors").asLong());
    }
  }

  private static void row(StringBuilder b, String name, JsonNode l, long errors) {
    b.append("<tr><td>").append(esc(name)).append("</td><td>").append(l.get("count").asLong()).append("</td><td>")
        .append(errors < 0 ? "" : Long.toString(errors)).append("</td>");
    for (String k : new String[] {"p50", "p90", "p99", "p999", "p9999", "max"}) {
      b.append("<td>").append(String.format(Locale.ROOT, "%.3f", l.get(k).asLong() / 1e3)).append("</td>");
    }
    b.append("</tr>\n");
  }

  private static String percentileChart(Report.Run run) {
    List<double[]> pts = Stats.percentileCurve(run.result().stats().allRpcs());
    if (pts.isEmpty()) {
      return "<p>No RPCs measured.</p>\n";
    }
    double maxX = Math.log10(1e5);
    double maxY = pts.stream().mapToDouble(p -> p[1] / 1e3).max().orElse(1) * 1.1;
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      double x = Math.log10(1 / Math.max(1e-5, 1 - p[0] / 100));
      path.append(path.length() == 0 ? "M" : " L").append(fmt(px(x, maxX))).append(',').append(fmt(py(p[1] / 1e3, maxY)));
    }
    StringBuilder svg = svgStart("latency-chart", "latency (ms) by percentile");
    axes(svg, maxY, "ms");
    String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i < labels.length; i++) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
          fmt(px(i, maxX)), H - PAD + 16, labels[i]));
    }
    svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/></svg>\n");
    return svg.toString();
  }

  private static String timelineChart(JsonNode timeline) {
    List<double[]> pts = new ArrayList<>();
    for (JsonNode s : timeline) {
      pts.add(new double[] {s.get("second").asDouble(), s.get("rpcs").asDouble(), s.get("warmup").asBoolean() ? 1 : 0});
    }
    if (pts.isEmpty()) {
      return "<p>No seconds recorded.</p>\n";
    }
    double maxX = Math.max(1, pts.get(pts.size() - 1)[0]);
    double maxY = Math.max(1, pts.stream().mapToDouble(p -> p[1]).max().orElse(1) * 1.1);
    StringBuilder path = new StringBuilder();
    for (double[] p : pts) {
      path.append(path.length() == 0 ? "M" : " L").append(fmt(px(p[0], maxX))).append(',').append(fmt(py(p[1], maxY)));
    }
    StringBuilder svg = svgStart("throughput-chart", "RPCs per second over time (warm-up included, shaded)");
    double warmEnd = pts.stream().filter(p -> p[2] > 0).mapToDouble(p -> p[0]).max().orElse(0);
    if (warmEnd > 0) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%s\" height=\"%d\" fill=\"#eee\"/>", PAD, PAD / 2,
          fmt(px(warmEnd, maxX) - PAD), H - PAD - PAD / 2));
    }
    axes(svg, maxY, "RPC/s");
    for (int i = 0; i <= 4; i++) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%ss</text>",
          fmt(px(maxX * i / 4, maxX)), H - PAD + 16, fmt(maxX * i / 4)));
    }
    svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"/></svg>\n");
    return svg.toString();
  }

  private static StringBuilder svgStart(String id, String title) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
            + "<title>%s</title>", id, W, H, W, H, esc(title)));
  }

  private static void axes(StringBuilder svg, double maxY, String unit) {
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>", PAD, H - PAD,
        W - PAD / 2, H - PAD));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>", PAD, PAD / 2,
        PAD, H - PAD));
    for (int i = 0; i <= 4; i++) {
      double v = maxY * i / 4;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%s\" font-size=\"11\" text-anchor=\"end\">%s</text>",
          PAD - 4, fmt(py(v, maxY) + 4), fmt(v)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%s</text>", PAD / 2 - 6, esc(unit)));
  }

  private static double px(double x, double maxX) {
    return PAD + x / maxX * (W - PAD * 1.5);
  }

  private static double py(double y, double maxY) {
    return H - PAD - y / maxY * (H - PAD * 1.5);
  }

  private static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
