package gongji.loadtest.run;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one phase of a run measured (the warm-up and the measured window each have their own):
 * HdrHistogram latencies in microseconds per RPC, per scenario step and per scenario, and errors
 * by gRPC code and by {@code ErrorInfo} reason. Safe to record from any thread.
 */
final class Stats {
  /** Latencies up to an hour, to three significant digits. */
  static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Map<String, Histogram> byRpc = new ConcurrentHashMap<>();
  private final Map<String, Histogram> byStep = new ConcurrentHashMap<>();
  private final Map<String, Histogram> byScenario = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rpcErrors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> stepErrors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorsByCode = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorsByReason = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Histogram allRpcs = histogram();
  private final Histogram okRpcs = histogram();
  private final Histogram allScenarios = histogram();
  private final LongAdder scenariosFailed = new LongAdder();
  /** The latest reply's time ({@link System#nanoTime()}), or none yet. */
  private final AtomicLong lastReplyNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong longestStallNanos = new AtomicLong();
  /** When the longest stall ended, and when the window it is counted in starts (both nanoTime). */
  private volatile long longestStallEndNanos;
  private volatile long startsAtNanos;
  /** RPCs out now, and when the span in which some have been out began. */
  private final AtomicLong outstanding = new AtomicLong();
  private volatile long busySinceNanos;
  /** The window's stats when these are one interval of it ({@code --schedule}), else null. */
  private final Stats window;
  /** Where every RPC's latency also goes for the live line a second, or null. */
  private final Recorder live;
  /**
   * RPCs of at most {@link Hiccups#KEPT_NANOS}, and when the slower ones and the stalls over it were
   * (start and end, nanoTime, in pairs; the first {@link #MAX_SPANS}): at the end of the run the
   * load generator's own pauses are laid over these ({@link #withoutGeneratorPauses}).
   */
  private final Histogram quickRpcs = histogram();
  private final Spans slowRpcs = new Spans();
  private final Spans stalls = new Spans();
  static final int MAX_SPANS = 1 << 20;

  Stats() {
    this(null, null);
  }

  /** Stats of a phase whose RPC latencies also go to {@code live}, read once a second. */
  Stats(Recorder live) {
    this(null, live);
  }

  /** Stats of one interval of {@code window}: everything recorded here is recorded there too. */
  Stats(Stats window) {
    this(window, null);
  }

  private Stats(Stats window, Recorder live) {
    this.window = window;
    this.live = live;
  }

  static Histogram histogram() {
    return new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
  }

  /** One RPC of a step ended after {@code micros}; {@code error} is null when it succeeded. */
  void rpc(String rpc, String step, long micros, Throwable error) {
    if (window != null) {
      window.rpc(rpc, step, micros, error);
    }
    long v = clamp(micros);
    if (live != null) {
      live.recordValue(v);
    }
    byRpc.computeIfAbsent(rpc, k -> histogram()).recordValue(v);
    byStep.computeIfAbsent(step, k -> histogram()).recordValue(v);
    allRpcs.recordValue(v);
    if (error == null) {
      okRpcs.recordValue(v);
    } else {
      Status status = Target.status(error);
      String code = status.getCode().name();
      String reason = Target.reason(error);
      count(rpcErrors, rpc);
      count(stepErrors, step);
      count(errorsByCode, code);
      count(errorsByReason, reason.isEmpty() ? code + " (no ErrorInfo)" : reason);
    }
  }

  /** One scenario instance ended after {@code micros}. */
  void scenario(String scenario, long micros, boolean ok) {
    if (window != null) {
      window.scenario(scenario, micros, ok);
    }
    long v = clamp(micros);
    byScenario.computeIfAbsent(scenario, k -> histogram()).recordValue(v);
    allScenarios.recordValue(v);
    if (!ok) {
      scenariosFailed.increment();
    }
  }

  /** A load-generator error that is not an RPC (the client's in-flight bound refused to start one). */
  void clientError(String code) {
    if (window != null) {
      window.clientError(code);
    }
    count(errorsByCode, code);
    count(errorsByReason, code);
    scenariosFailed.increment();
  }

  /**
   * An RPC of this window was out from {@code startNanos} (its intended send time in an open loop)
   * to {@code endNanos}: kept to see at the end whether the load generator paused while it was out.
   */
  void spanned(long startNanos, long endNanos) {
    if (window != null) {
      window.spanned(startNanos, endNanos);
      return;
    }
    if (endNanos - startNanos <= Hiccups.KEPT_NANOS) {
      quickRpcs.recordValue(clamp((endNanos - startNanos) / 1000));
    } else {
      slowRpcs.add(startNanos, endNanos);
    }
  }

  /**
   * An RPC is sent now ({@link System#nanoTime()}): returns when the span of RPCs out that it
   * belongs to began (now, if none was out), to give back to {@link #replied}. Only a run's window
   * counts stalls; an interval of it passes them on.
   */
  long sent(long nowNanos) {
    if (window != null) {
      return window.sent(nowNanos);
    }
    if (outstanding.getAndIncrement() == 0) {
      busySinceNanos = nowNanos;
      return nowNanos;
    }
    return busySinceNanos;
  }

  /**
   * The RPC sent in the span of RPCs out that began at {@code busySinceNanos} ended at
   * {@code nowNanos}: with a reply from the server ({@code fromServer}), or not (its deadline
   * passed in the client, which is no sign of life from the server). The time since the last reply
   * before it, or since the span began if later, is time in which RPCs were out and the server gave
   * no reply: a stall (a pause of the gateway's, a slow force, a snapshot, a GC).
   */
  void replied(long busySinceNanos, long nowNanos, boolean fromServer) {
    if (window != null) {
      window.replied(busySinceNanos, nowNanos, fromServer);
      return;
    }
    if (fromServer) {
      long previous = lastReplyNanos.getAndAccumulate(nowNanos, Math::max);
      long stall = nowNanos - (previous == Long.MIN_VALUE ? busySinceNanos : Math.max(previous, busySinceNanos));
      if (stall > Hiccups.KEPT_NANOS) {
        stalls.add(nowNanos - stall, nowNanos);
      }
      if (stall > longestStallNanos.get() && longestStallNanos.accumulateAndGet(stall, Math::max) == stall) {
        longestStallEndNanos = nowNanos; // racy against a longer one at once: the second is a hint, not a figure
      }
    }
    outstanding.decrementAndGet();
  }

  /** The window this counts in starts at {@code nanos} ({@link System#nanoTime()}), for {@link #longestStallEndSecond}. */
  void startsAt(long nanos) {
    startsAtNanos = nanos;
  }

  /** The second of the window in which the longest stall ended (from the window's start), or -1 if none. */
  double longestStallEndSecond() {
    if (window != null) {
      return window.longestStallEndSecond();
    }
    return longestStallNanos.get() == 0 ? -1 : (longestStallEndNanos - startsAtNanos) / 1e9;
  }

  /**
   * The longest span with an RPC sent and no reply to anything, in microseconds: the longest stall
   * seen from outside (issue 10: none over 100 ms in a 10-minute run).
   */
  long longestStallMicros() {
    return window != null ? window.longestStallMicros() : longestStallNanos.get() / 1000;
  }

  /**
   * The figures of this window with the load generator's own pauses taken out: the latency of the
   * RPCs during which it did not pause (for {@link Hiccups#KEPT_NANOS} or more), and the longest
   * stall less the part of it in which it was paused (a stall that is all the generator's is none).
   * Null when the RPCs or stalls were too many to keep.
   */
  GeneratorFree withoutGeneratorPauses(Hiccups pauses) {
    if (window != null) {
      return window.withoutGeneratorPauses(pauses);
    }
    Histogram rpcs = quickRpcs.copy();
    long overlapped = 0;
    long[] slow = slowRpcs.copy();
    if (slow == null) {
      return null;
    }
    for (int i = 0; i < slow.length; i += 2) {
      if (pauses.pausedWithin(slow[i], slow[i + 1]) > 0) {
        overlapped++;
      } else {
        rpcs.recordValue(clamp((slow[i + 1] - slow[i]) / 1000));
      }
    }
    long[] spans = stalls.copy();
    if (spans == null) {
      return null;
    }
    long longest = 0;
    long endedAt = 0;
    for (int i = 0; i < spans.length; i += 2) {
      long net = spans[i + 1] - spans[i] - pauses.pausedWithin(spans[i], spans[i + 1]);
      if (net > longest) {
        longest = net;
        endedAt = spans[i + 1];
      }
    }
    return new GeneratorFree(rpcs, overlapped, longest / 1000, longest == 0 ? -1 : (endedAt - startsAtNanos) / 1e9);
  }

  /**
   * {@link #withoutGeneratorPauses}: {@code rpcs} the latencies of the RPCs no pause fell on,
   * {@code overlapped} how many it left out, and the longest stall not the load generator's own.
   */
  record GeneratorFree(Histogram rpcs, long overlapped, long longestStallMicros, double longestStallEndSecond) {}

  /** Spans of time (start and end, nanoTime), kept in pairs up to {@link #MAX_SPANS}; null once more came. */
  private static final class Spans {
    private long[] pairs = new long[256];
    private int size;
    private boolean overflowed;

    synchronized void add(long startNanos, long endNanos) {
      if (size == 2 * MAX_SPANS) {
        overflowed = true;
        return;
      }
      if (size == pairs.length) {
        pairs = java.util.Arrays.copyOf(pairs, size * 2);
      }
      pairs[size++] = startNanos;
      pairs[size++] = endNanos;
    }

    synchronized long[] copy() {
      return overflowed ? null : java.util.Arrays.copyOf(pairs, size);
    }
  }

  /** Counts a named event (for example, sales by number of account legs). */
  void count(String name) {
    if (window != null) {
      window.count(name);
    }
    count(counters, name);
  }

  private static void count(Map<String, LongAdder> m, String key) {
    m.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static long clamp(long micros) {
    return Math.max(1, Math.min(HIGHEST_MICROS, micros));
  }

  Histogram allRpcs() {
    return allRpcs;
  }

  /** The RPCs that succeeded: under overload, the latency of what was admitted, without the fast refusals. */
  Histogram okRpcs() {
    return okRpcs;
  }

  Histogram allScenarios() {
    return allScenarios;
  }

  /** Scenario instances that did not complete every step. */
  long scenariosFailed() {
    return scenariosFailed.sum();
  }

  long errors() {
    return errorsByCode.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, Histogram> byRpc() {
    return new TreeMap<>(byRpc);
  }

  Map<String, Histogram> byStep() {
    return new TreeMap<>(byStep);
  }

  Map<String, Histogram> byScenario() {
    return new TreeMap<>(byScenario);
  }

  long rpcErrors(String rpc) {
    return sum(rpcErrors, rpc);
  }

  long stepErrors(String step) {
    return sum(stepErrors, step);
  }

  Map<String, Long> errorsByCode() {
    return snapshot(errorsByCode);
  }

  Map<String, Long> errorsByReason() {
    return snapshot(errorsByReason);
  }

  Map<String, Long> counters() {
    return snapshot(counters);
  }

  private static long sum(Map<String, LongAdder> m, String key) {
    LongAdder a = m.get(key);
    return a == null ? 0 : a.sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** The percentiles every report shows, in microseconds. */
  record Summary(long count, long p50, long p90, long p99, long p999, long p9999, long max, double mean) {
    static Summary of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Summary(0, 0, 0, 0, 0, 0, 0, 0);
      }
      return new Summary(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
          h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getValueAtPercentile(99.99), h.getMaxValue(),
          h.getMean());
    }
  }

  /** (percentile, micros) points of a histogram, for a latency-by-percentile chart. */
  static List<double[]> percentileCurve(Histogram h) {
    List<double[]> points = new ArrayList<>();
    if (h.getTotalCount() == 0) {
      return points;
    }
    double[] ps = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.25, 99.5, 99.75, 99.9,
        99.95, 99.99, 99.995, 99.999, 100};
    for (double p : ps) {
      points.add(new double[] {p, p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p)});
    }
    return points;
  }
}
