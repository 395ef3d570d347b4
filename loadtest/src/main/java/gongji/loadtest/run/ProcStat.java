package gongji.loadtest.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time and resident memory of a process on this machine, from {@code /proc} (Linux): for
 * the server when it runs here ({@code --server-pid}), and for the load generator itself, so that a
 * report can say what each RPC cost each side. CPU time is in clock ticks of 10 ms
 * ({@code getconf CLK_TCK} = 100 on Linux).
 */
final class ProcStat {
  private static final double SECONDS_PER_TICK = 0.01;

  /** CPU seconds (user + system) and resident bytes at one moment. */
  record Sample(double cpuSeconds, long rssBytes) {}

  private final String pid;

  private ProcStat(String pid) {
    this.pid = pid;
  }

  static ProcStat of(long pid) {
    return new ProcStat(Long.toString(pid));
  }

  static ProcStat self() {
    return new ProcStat("self");
  }

  /** Reads the process now; null when it cannot be read (not Linux, gone). */
  Sample sample() {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // After the name, field 3 (state) is f[0]: utime (14) is f[11], stime (15) f[12], rss pages (24) f[21].
      double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * SECONDS_PER_TICK;
      long rss = Long.parseLong(f[21]) * 4096;
      return new Sample(cpu, rss);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
