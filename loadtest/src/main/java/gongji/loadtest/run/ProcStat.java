package gongji.loadtest.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The CPU time and resident memory of a process on this machine, from {@code /proc} (Linux): for
 * the server when it runs here ({@code --server-pid}), and for the load generator itself, so that a
 * report can say what each RPC cost each side, and, for a JVM, which of its threads spent it
 * (the event loops, the ledger's writer, the JIT compiler, the GC...). CPU time is in clock ticks of
 * 10 ms ({@code getconf CLK_TCK} = 100 on Linux).
 */
public final class ProcStat {
  private static final double SECONDS_PER_TICK = 0.01;

  /**
   * CPU seconds (user + system) and resident bytes at one moment, and the CPU seconds of the
   * threads alive then, by {@link #group} of their name.
   */
  public record Sample(double cpuSeconds, long rssBytes, Map<String, Double> threadCpuSeconds) {}

  /** The groups of threads a report names, in the order it names them. */
  static final java.util.List<String> GROUPS = java.util.List.of("event loops", "ledger writer", "history",
      "audit", "JIT compiler", "GC and VM", "other");

  private final String pid;

  private ProcStat(String pid) {
    this.pid = pid;
  }

  static ProcStat of(long pid) {
    return new ProcStat(Long.toString(pid));
  }

  public static ProcStat self() {
    return new ProcStat("self");
  }

  /** Reads the process now; null when it cannot be read (not Linux, gone). */
  public Sample sample() {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // After the name, field 3 (state) is f[0]: utime (14) is f[11], stime (15) f[12], rss pages (24) f[21].
      double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * SECONDS_PER_TICK;
      long rss = Long.parseLong(f[21]) * 4096;
      return new Sample(cpu, rss, threads());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The CPU seconds of the process's threads alive now, by group; empty if they cannot be read. */
  private Map<String, Double> threads() {
    Map<String, Double> byGroup = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
          double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * SECONDS_PER_TICK;
          byGroup.merge(group(name), cpu, Double::sum);
        } catch (IOException | RuntimeException gone) {
          // The thread ended while it was read.
        }
      });
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return byGroup;
  }

  /**
   * The CPU seconds of this process's threads alive now, by name with its number dropped (the two
   * {@code GC Thread#N} as one), most first; empty if they cannot be read. A restart's report says
   * with it what the decoding thread, the collector's workers, its refinement and marking threads
   * and the JIT each took.
   */
  public static Map<String, Double> selfByThreadName() {
    Map<String, Double> byName = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("#?[0-9]+$", "").trim();
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
          byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * SECONDS_PER_TICK, Double::sum);
        } catch (IOException | RuntimeException gone) {
          // The thread ended while it was read.
        }
      });
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** The group of a thread by its name (as /proc shows it: at most 15 characters). */
  static String group(String thread) {
    if (thread.startsWith("multiThreadIo") || thread.contains("EventLoop") || thread.startsWith("grpc-")
        || thread.startsWith("epoll")) {
      return "event loops";
    }
    if (thread.startsWith("gongji-sequenc")) {
      return "ledger writer";
    }
    if (thread.startsWith("gongji-history") || thread.startsWith("rocksdb")) {
      return "history";
    }
    if (thread.startsWith("gongji-audit")) {
      return "audit";
    }
    if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
      return "JIT compiler";
    }
    if (thread.startsWith("GC ") || thread.startsWith("G1 ") || thread.startsWith("VM ")) {
      return "GC and VM";
    }
    return "other";
  }

  /**
   * What each group of threads spent between two samples, in {@link #GROUPS} order; a thread that
   * ended in between is not counted, so the groups may add up to less than the process.
   */
  public static Map<String, Double> threadCpuBetween(Sample from, Sample to) {
    Map<String, Double> spent = new LinkedHashMap<>();
    for (String g : GROUPS) {
      double d = to.threadCpuSeconds().getOrDefault(g, 0.0) - from.threadCpuSeconds().getOrDefault(g, 0.0);
      if (to.threadCpuSeconds().containsKey(g)) {
        spent.put(g, Math.max(0, d));
      }
    }
    return spent;
  }
}
