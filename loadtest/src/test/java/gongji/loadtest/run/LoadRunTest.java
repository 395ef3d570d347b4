package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Smoke runs of {@code loadtest run} against the real gateway (Netty on 127.0.0.1, a durable journal
 * in a temporary directory): every scenario a couple of seconds at a low rate with the audit on, each
 * checked through its exit status and its JSON report, and one report opened in a browser. No
 * figure is asserted: timing belongs in benchmarks.
 */
@Timeout(120)
class LoadRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static TestGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = TestGateway.start(dir.resolve("data"), true);
  }

  @AfterAll
  static void stopGateway() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"health", "identify", "pharmacy-sale", "mutual-aid-sale", "cancel", "refund", "duplicate", "mixed",
      "hospital-discharge", "wallet-sale"})
  void run_eachScenarioOpenLoop_passesAuditAndWritesReport(String scenario) throws Exception {
    Path json = dir.resolve(scenario + ".json");
    Path html = dir.resolve(scenario + ".html");
    Result r = run("--target", gateway.target(), "--scenario", scenario, "--rate", "40", "--warmup", "0.5",
        "--duration", "1.5", "--seed", "7", "--people", "40", "--data-tag", "smoke" + scenario.length(),
        "--report-json", json.toString(), "--report-html", html.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    assertEquals(scenario, report.get("scenario").asText());
    assertEquals("open", report.get("mode").asText());
    assertEquals(40.0, report.get("rate_target").asDouble());
    assertTrue(report.get("throughput_rps").asDouble() > 0, report.toString());
    for (String p : List.of("p50", "p90", "p99", "p999", "max")) {
      assertTrue(report.get("latency_us").get(p).asLong() > 0, p + " in " + report.get("latency_us"));
    }
    assertTrue(report.get("latency_us").get("p50").asLong() <= report.get("latency_us").get("max").asLong());
    assertEquals(0, report.get("errors").get("total").asLong(), report.get("errors").toString());
    if (scenario.equals("health")) {
      assertTrue(report.get("audit_ok").isNull(), "health moves no money: nothing to audit");
    } else {
      assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
    }
    String page = Files.readString(html);
    assertTrue(page.contains("<svg id=\"latency-chart\"") && page.contains("<svg id=\"throughput-chart\""), page);
    java.util.regex.Matcher svg = java.util.regex.Pattern.compile("(?s)<svg.*?</svg>").matcher(page);
    int charts = 0;
    while (svg.find()) {
      // Each chart is well-formed XML with a drawn line.
      org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new org.xml.sax.InputSource(new java.io.StringReader(svg.group())));
      assertEquals(1, doc.getElementsByTagName("path").getLength(), svg.group());
      charts++;
    }
    assertEquals(2, charts);
    assertTrue(page.contains("<b id=\"audit\" class=\"" + (scenario.equals("health") ? "\">off" : "good\">OK")), page);
    assertFalse(page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").matches("(?s).*(https?:|src=|<script|<link).*"),
        "the page loads nothing from the network");
  }

  /**
   * The HTML report as a browser shows it: headless Chromium opens it ({@link HeadlessBrowser}, which
   * installs Debian's package on first use), and the figures read back from the document the browser
   * built are the run's JSON figures: throughput, errors, the audit, every percentile of all RPCs,
   * both charts.
   */
  @Test
  @Timeout(900) // the first use may install the browser
  void report_openedInChromium_showsTheRunsFigures() throws Exception {
    Path json = dir.resolve("sale.json");
    Path html = dir.resolve("sale.html");
    Result r = run("--target", gateway.target(), "--scenario", "pharmacy-sale", "--rate", "40",
        "--warmup", "0.5", "--duration", "1.5", "--seed", "11", "--people", "40", "--data-tag", "browser",
        "--report-json", json.toString(), "--report-html", html.toString());
    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());

    String shown = HeadlessBrowser.dom(html);

    assertTrue(shown.contains("<title>Gongji load test: pharmacy-sale</title>"), shown);
    assertEquals(report.get("throughput_rps").asDouble(), Double.parseDouble(text(shown, "<b id=\"throughput\">")), 0.5);
    assertEquals(report.get("errors").get("total").asLong(), Long.parseLong(text(shown, "<b id=\"errors\">")));
    assertEquals("OK", text(shown, "<b id=\"audit\" class=\"good\">"));
    assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
    // The row of all RPCs: count, errors, then p50 p90 p99 p99.9 p99.99 max in ms.
    Matcher row = Pattern.compile("<tr><td>all RPCs</td>((?:<td>[^<]*</td>){8})</tr>").matcher(shown);
    assertTrue(row.find(), shown);
    List<String> cells = Pattern.compile("<td>([^<]*)</td>").matcher(row.group(1)).results()
        .map(m -> m.group(1)).toList();
    JsonNode latency = report.get("latency_us");
    assertEquals(latency.get("count").asLong(), Long.parseLong(cells.get(0)));
    List<String> keys = List.of("p50", "p90", "p99", "p999", "p9999", "max");
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(latency.get(keys.get(i)).asLong() / 1e3, Double.parseDouble(cells.get(2 + i)), 0.0005,
          keys.get(i) + " in " + row.group());
    }
    // Both charts were taken as SVG, each with its drawn line.
    for (String chart : List.of("latency-chart", "throughput-chart")) {
      Matcher svg = Pattern.compile("(?s)<svg id=\"" + chart + "\".*?</svg>").matcher(shown);
      assertTrue(svg.find(), chart + " in " + shown);
      assertTrue(svg.group().matches("(?s).*<path d=\"M[^\"]+\".*"), svg.group());
    }
  }

  /** The text after {@code start} up to the next tag. */
  private static String text(String page, String start) {
    int at = page.indexOf(start);
    assertTrue(at >= 0, start + " in " + page);
    int from = at + start.length();
    return page.substring(from, page.indexOf('<', from)).strip();
  }
  @Test
  void run_closedLoopOnDemoData_passesAudit() throws Exception {
    Path json = dir.resolve("closed.json");
    Result r = run("--target", gateway.target(), "--scenario", "mixed", "--concurrency", "4", "--warmup", "0.5",
        "--duration", "1.5", "--seed", "8", "--data", "demo", "--report-json", json.toString(),
        "--server-metrics", gateway.metricsUrl());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    assertEquals("closed", report.get("mode").asText());
    assertTrue(report.get("rate_target").isNull());
    assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
    JsonNode admitted = report.get("server_admitted");
    assertTrue(admitted != null && admitted.get("count").asLong() > 0, "the server's own figures: " + admitted);
    assertTrue(admitted.get("p50_ms").asDouble() <= admitted.get("p99_ms").asDouble()
        && admitted.get("p99_ms").asDouble() <= admitted.get("max_ms_at_most").asDouble(), admitted.toString());
    assertTrue(r.output().contains("server side, admitted calls"), r.output());
    // Each second has the scenario instances' figures (a sale is several RPCs) and the RPCs' own.
    assertTrue(r.output().matches("(?s).*mixed=\\d+/s p50=[0-9.]+ms p99=[0-9.]+ms \\| rpc=\\d+/s p50=[0-9.]+ms p99=.*"),
        r.output());
    JsonNode seconds = report.get("timeline");
    assertTrue(seconds.size() > 0, report.toString());
    for (JsonNode sec : seconds) {
      if (sec.get("rpcs").asLong() > 0) {
        assertTrue(sec.get("rpc_p50_us").asLong() > 0 && sec.get("rpc_p50_us").asLong() <= sec.get("rpc_p99_us").asLong(),
            sec.toString());
      }
    }
  }

  @Test
  void run_mixedWithAnActiveSetSmallerThanTheDataSet_readsBackItsAccountsOnlyAndPassesAudit() throws Exception {
    Path json = dir.resolve("active.json");
    Result r = run("--target", gateway.target(), "--scenario", "mixed", "--rate", "40", "--warmup", "0.5",
        "--duration", "1.5", "--seed", "10", "--people", "80", "--active-people", "8", "--data-tag", "active",
        "--report-json", json.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode audit = JSON.readTree(json.toFile()).get("audit");
    assertTrue(JSON.readTree(json.toFile()).get("audit_ok").asBoolean(), audit.toString());
    JsonNode read = audit.get("read_back");
    // Two families' 6 accounts (their relatives are in the family) and a sample of 6 of the other 54.
    assertEquals(8, read.get("active_people").asInt(), read.toString());
    assertEquals(6, read.get("active_accounts").asInt(), read.toString());
    assertEquals(0, read.get("relative_accounts").asInt(), read.toString());
    assertEquals(6, read.get("sampled_accounts").asInt(), read.toString());
    assertEquals(12, audit.get("accounts_checked").asInt(), audit.toString());
    assertTrue(audit.get("audit_seconds").asDouble() >= 0 && read.get("seconds").asDouble() >= 0, audit.toString());
    assertTrue(r.output().contains("read back: 12 accounts (the 8 active persons' own: 6;"), r.output());
  }

  @Test
  void run_maxRequests_boundsTheRun() throws Exception {
    Path json = dir.resolve("bounded.json");
    Result r = run("--target", gateway.target(), "--scenario", "identify", "--concurrency", "2", "--warmup", "0",
        "--duration", "60", "--max-requests", "25", "--seed", "9", "--people", "8", "--data-tag", "bounded",
        "--report-json", json.toString());

    assertEquals(0, r.exitCode(), r.output());
    assertEquals(25, JSON.readTree(json.toFile()).get("rpcs").get("Identify").get("count").asLong());
  }

  @Test
  void run_unmeetableObjective_exitsOne() throws Exception {
    Result r = run("--target", gateway.target(), "--scenario", "health", "--rate", "20", "--warmup", "0",
        "--duration", "0.5", "--slo-p99-ms", "0.000001");

    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("SLO MISSED: p99"), r.output());
  }

  @Test
  void run_findMaxRate_searchesInStepsAndReportsEach() throws Exception {
    Path json = dir.resolve("search.json");
    Result r = run("--target", gateway.target(), "--scenario", "health", "--find-max-rate", "--rate", "20", "--warmup",
        "0.1", "--step-duration", "0.3", "--slo-p99-ms", "1000000", "--max-wall-seconds", "60", "--report-json",
        json.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    JsonNode search = report.get("find_max_rate");
    assertEquals(search.get("max_rate").asDouble(), report.get("rate_target").asDouble(), "the reported step is the best");
    assertTrue(search.get("steps").size() >= 2, search.toString());
    assertTrue(search.get("steps").get(0).get("met").asBoolean(), search.toString());
    assertEquals(20.0, search.get("steps").get(0).get("rate").asDouble());
    assertEquals(30.0, search.get("steps").get(1).get("rate").asDouble(), "each met step raises the rate by half");
    for (JsonNode step : search.get("steps")) {
      assertTrue(step.get("longest_stall_ms").asDouble() > 0, step.toString());
    }
    assertFalse(r.output().contains("can decide the p99.9"), "no step missed: " + r.output());
  }

  @Test
  void run_findMaxRate_saysWhenAStepIsTooShortForOneStallNotToDecideIt() throws Exception {
    // An objective of 1 us on p99.9: every step with an RPC misses, and the longest stall of each (an
    // RPC's own round trip at least, over 50 us) passes it by more than a step of 0.05 s can outweigh.
    Result r = run("--target", gateway.target(), "--scenario", "health", "--find-max-rate", "--rate", "400", "--warmup",
        "0.1", "--step-duration", "0.05", "--slo-p99-ms", "1000000", "--slo-p999-ms", "0.001", "--max-wall-seconds", "60");

    assertTrue(r.output().contains("find-max-rate:   one stall of "), r.output());
    assertTrue(r.output().contains("--step-duration"), r.output());
  }

  @Test
  void run_badUsage_exitsTwo() {
    assertEquals(2, run("--target", "127.0.0.1:1", "--rate", "10", "--concurrency", "2").exitCode());
    assertEquals(2, run("--target", "127.0.0.1:1", "--rate", "10", "--scenario", "nope").exitCode());
    assertEquals(2, run("--rate", "10").exitCode());
    assertEquals(2, run("--target", "127.0.0.1:1", "--rate", "10", "--active-people", "3").exitCode());
    Result help = run("--help");
    assertEquals(0, help.exitCode());
  }

  record Result(int exitCode, String output) {}

  static Result run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = RunCommand.run(args, out);
    return new Result(code, bytes.toString(StandardCharsets.UTF_8));
  }
}
