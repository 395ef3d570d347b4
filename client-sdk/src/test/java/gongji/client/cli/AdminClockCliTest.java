package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code gongji admin clock show|set|advance} against a sandbox gateway and a real one, on Netty. */
class AdminClockCliTest {
  private static final Pattern CLOCK = Pattern.compile("^clock (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d) \\(Beijing time\\)");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  private TestGateway gateway;

  @AfterEach
  void stop() {
    gateway.close();
  }

  private CliRun run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--target");
    all.add(gateway.target());
    return CliRun.of((out, err) -> new AdminCli(out, err)::run, all.toArray(new String[0]));
  }

  /** The time {@code clock show|set|advance} printed. */
  private static Instant clock(CliRun r) {
    Matcher m = CLOCK.matcher(r.out());
    assertTrue(m.find(), r.toString());
    return LocalDateTime.parse(m.group(1), TIME).atZone(CHINA).toInstant();
  }

  @Test
  void clock_advanceAndSetOnASandbox_movesForwardOnly() throws Exception {
    gateway = TestGateway.netty(GatewayConfig.forTests().asSandbox());

    CliRun shown = run("clock", "show");
    CliRun advanced = run("clock", "advance", "--by", "1h30m");
    CliRun set = run("clock", "set", "--to", "2999-01-01 06:00");
    CliRun back = run("clock", "set", "--to", "2001-01-01 06:00");
    CliRun badDuration = run("clock", "advance", "--by", "90x");

    assertEquals(0, shown.exit(), shown.toString());
    assertTrue(shown.out().contains("  sandbox: runs with the host's, moved forward by clock set and advance"),
        shown.out());
    assertEquals(0, advanced.exit(), advanced.toString());
    assertTrue(!clock(advanced).isBefore(clock(shown).plusSeconds(5_400)), shown.out() + advanced.out());
    assertEquals(3, set.exit(), "more than a year at once is refused: " + set);
    assertTrue(set.err().contains("to_time"), set.err());
    assertEquals(3, back.exit(), back.toString());
    assertEquals(2, badDuration.exit(), badDuration.toString());
    assertTrue(badDuration.err().contains("--by \"90x\""), badDuration.err());
  }

  @Test
  void reconcile_withoutADate_isTheGatewaysTodayByItsOwnClock() throws Exception {
    gateway = TestGateway.netty(GatewayConfig.forTests().asSandbox());
    CliRun advanced = run("clock", "advance", "--by", "3d");

    CliRun r = run("reconcile", "--institution", DemoData.PHARMACY);

    assertEquals(0, advanced.exit(), advanced.toString());
    String gatewaysToday = clock(advanced).atZone(CHINA).toLocalDate().toString();
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("reconciliation " + DemoData.PHARMACY + " " + gatewaysToday + " (yuan)"), r.toString());
  }

  @Test
  void clock_onARealGateway_showsTheHostsAndRefusesToMove() throws Exception {
    gateway = TestGateway.netty();

    CliRun shown = run("clock", "show");
    CliRun advanced = run("clock", "advance", "--by", "8h");
    CliRun help = run("clock", "advance", "--help");

    assertEquals(0, shown.exit(), shown.toString());
    assertTrue(shown.out().contains("not a sandbox"), shown.out());
    assertEquals(3, advanced.exit(), advanced.toString());
    assertTrue(advanced.err().contains("SANDBOX_ONLY"), advanced.err());
    assertEquals(0, help.exit(), help.toString());
    assertTrue(help.out().contains("--by=DURATION"), help.out());
  }
}
