package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report as a browser shows it: a short audited run of {@code pharmacy-sale} against the
 * real gateway writes its report, headless Chromium opens it ({@link HeadlessBrowser}, which installs
 * Debian's package on first use), and the figures read back from the document the browser built
 * are the run's JSON figures: throughput, errors, the audit, every percentile of all RPCs, both charts.
 */
@Timeout(900) // the first use may install the browser
class HtmlReportInBrowserTest {
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

  @Test
  void report_openedInChromium_showsTheRunsFigures() throws Exception {
    Path json = dir.resolve("sale.json");
    Path html = dir.resolve("sale.html");
    LoadRunTest.Result r = LoadRunTest.run("--target", gateway.target(), "--scenario", "pharmacy-sale", "--rate", "40",
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
}
