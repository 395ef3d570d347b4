package gongji.loadtest.run;

import static gongji.loadtest.run.LoadRunTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadtest run --schedule} against the real gateway: the steps of a short step or ramp
 * schedule happen and the reports list each with its rate and latency. No figure is asserted.
 */
@Timeout(120)
class LoadRunScheduleTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static TestGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = TestGateway.start(dir.resolve("data"), true);
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void run_stepSchedule_reportsEveryStep() throws Exception {
    Path json = dir.resolve("step.json");
    Path html = dir.resolve("step.html");
    LoadRunTest.Result r = run("--target", gateway.target(), "--scenario", "pharmacy-sale", "--data", "demo",
        "--schedule", "step:20:60:20:0.3", "--warmup", "0.1", "--seed", "31", "--report-json", json.toString(),
        "--report-html", html.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    JsonNode schedule = report.get("schedule");
    assertEquals("step", schedule.get("kind").asText());
    JsonNode intervals = schedule.get("intervals");
    assertEquals(3, intervals.size(), schedule.toString());
    List<Double> rates = List.of(20.0, 40.0, 60.0);
    long rpcs = 0;
    for (int i = 0; i < 3; i++) {
      JsonNode step = intervals.get(i);
      assertEquals(i + 1, step.get("index").asInt());
      assertEquals(rates.get(i), step.get("rate_target").asDouble(), step.toString());
      assertEquals(0.3 * i, step.get("start_s").asDouble(), 1e-9, step.toString());
      assertTrue(step.get("latency_us").get("count").asLong() > 0, "every step sent: " + step);
      assertTrue(step.get("latency_us").get("p50").asLong() <= step.get("latency_us").get("max").asLong(), step.toString());
      rpcs += step.get("latency_us").get("count").asLong();
    }
    assertEquals(report.get("latency_us").get("count").asLong(), rpcs, "the steps partition the measured window");
    assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
    assertTrue(r.output().contains("schedule step:20:60:20:0.3"), r.output());
    String page = Files.readString(html);
    assertTrue(page.contains("<table id=\"schedule\">"), page);
    String table = page.split("<table id=\"schedule\">")[1].split("</table>")[0];
    assertEquals(3, table.split("<tr><td>", -1).length - 1, table);
    assertTrue(table.contains("<td>1 20/s</td>") && table.contains("<td>3 60/s</td>"), table);
  }

  @Test
  void run_rampSchedule_reportsIntervals() throws Exception {
    Path json = dir.resolve("ramp.json");
    LoadRunTest.Result r = run("--target", gateway.target(), "--scenario", "health", "--schedule", "ramp:20:80:0.6",
        "--warmup", "0", "--seed", "32", "--report-json", json.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode schedule = JSON.readTree(json.toFile()).get("schedule");
    assertEquals("ramp", schedule.get("kind").asText());
    JsonNode intervals = schedule.get("intervals");
    assertEquals(2, intervals.size(), schedule.toString());
    assertTrue(intervals.get(0).get("rate_target").asDouble() < intervals.get(1).get("rate_target").asDouble(),
        schedule.toString());
    assertEquals("20->50/s", intervals.get(0).get("label").asText());
  }

  @Test
  void schedule_parse_stepsAndRamps() {
    Schedule down = Schedule.parse("step:100:40:-30:2");
    assertEquals(3, down.intervals().size());
    assertEquals(40, down.intervals().get(2).fromRate());
    assertEquals(6, down.seconds());
    assertEquals(70, down.meanRate(), 1e-9);
    assertEquals(1, down.intervalAt(2_500_000_000L));
    assertEquals(0, down.intervalAt(-1));
    Schedule ramp = Schedule.parse("ramp:10:30:4");
    assertEquals(4, ramp.intervals().size());
    assertEquals(20, ramp.rateAt(2_000_000_000L), 1e-9);
    for (String bad : List.of("step:10:20:0:1", "step:10:20:-5:1", "step:0:20:5:1", "ramp:10:20", "ramp:10:20:0",
        "wave:1:2:3", "step:a:b:c:d", "step:1:100000:1:1")) {
      assertThrows(IllegalArgumentException.class, () -> Schedule.parse(bad), bad);
    }
  }

  @Test
  void run_scheduleWithRateOrConcurrency_exitsTwo() {
    assertEquals(2, run("--target", "127.0.0.1:1", "--schedule", "step:1:2:1:1", "--rate", "10").exitCode());
    assertEquals(2, run("--target", "127.0.0.1:1", "--schedule", "step:1:2:1:1", "--concurrency", "2").exitCode());
    assertEquals(2, run("--target", "127.0.0.1:1", "--schedule", "nope").exitCode());
  }
}
