package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's CPU by thread group, as the report names it. */
class ProcStatTest {
  @Test
  void group_theGatewaysThreadNamesAsProcShowsThem_fallInTheirGroups() {
    assertEquals("event loops", ProcStat.group("multiThreadIoEv"));
    assertEquals("ledger writer", ProcStat.group("gongji-sequence"));
    assertEquals("history", ProcStat.group("gongji-history-"));
    assertEquals("history", ProcStat.group("rocksdb:low"));
    assertEquals("audit", ProcStat.group("gongji-audit"));
    assertEquals("JIT compiler", ProcStat.group("C2 CompilerThre"));
    assertEquals("GC and VM", ProcStat.group("GC Thread#0"));
    assertEquals("GC and VM", ProcStat.group("G1 Refine#0"));
    assertEquals("other", ProcStat.group("main"));
  }

  @Test
  void threadCpuBetween_thisProcess_namesOnlyKnownGroupsAndNeverMoreThanTheProcessSpent() {
    if (!System.getProperty("os.name").startsWith("Linux")) {
      return;
    }
    ProcStat self = ProcStat.self();
    ProcStat.Sample from = self.sample();
    long x = 0;
    for (int i = 0; i < 20_000_000; i++) {
      x += Long.numberOfTrailingZeros(i) ^ i;
    }
    ProcStat.Sample to = self.sample();
    assertTrue(x != 1);
    Map<String, Double> spent = ProcStat.threadCpuBetween(from, to);
    assertTrue(spent.containsKey("other"), spent.toString());
    assertTrue(ProcStat.GROUPS.containsAll(spent.keySet()), spent.toString());
    double sum = spent.values().stream().mapToDouble(Double::doubleValue).sum();
    // Ticks of 10 ms, read thread by thread: a few ticks of slack.
    assertTrue(sum <= to.cpuSeconds() - from.cpuSeconds() + 0.05 * (spent.size() + 1), spent + " vs process "
        + (to.cpuSeconds() - from.cpuSeconds()));
  }

  @Test
  void selfByThreadName_thisProcess_numbersDroppedAndMostFirst() {
    if (!System.getProperty("os.name").startsWith("Linux")) {
      return;
    }
    Map<String, Double> byName = ProcStat.selfByThreadName();
    assertTrue(!byName.isEmpty(), "no thread read");
    assertTrue(byName.keySet().stream().noneMatch(n -> n.matches(".*#?[0-9]+$")), byName.toString());
    double previous = Double.MAX_VALUE;
    for (double seconds : byName.values()) {
      assertTrue(seconds <= previous, byName.toString());
      previous = seconds;
    }
  }
}
