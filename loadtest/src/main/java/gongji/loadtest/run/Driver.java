package gongji.loadtest.run;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one scenario for a warm-up and a measured window, in an open or a closed loop, and prints a
 * live line per second.
 *
 * <p><b>Open loop</b> ({@code --rate}): instance {@code i} is due at {@code start + i / rate}; one
 * pacer thread parks ({@link LockSupport#parkNanos}, no spinning) until it is due and starts it. When
 * the pacer is late (a GC pause, a busy core) it starts the due instances at once rather than
 * skipping them, and their latency still counts from when they were due, so a server that stalls is
 * charged for the whole stall: no coordinated omission. How late the pacer was is reported as the
 * send lag. Arrivals never wait for replies; only a hard bound on instances in flight
 * ({@code --max-in-flight}) refuses to start one, counted as an error {@code CLIENT_IN_FLIGHT_LIMIT}.
 *
 * <p><b>Closed loop</b> ({@code --concurrency N}): N chains, each starting its next instance when
 * the last one completes; latency counts from the actual start.
 *
 * <p>With a {@code --schedule} the open loop's rate follows it (the warm-up at its first rate), and
 * each instance also records into the {@link Interval} it was due in, so that the report shows the
 * rate achieved and the latency of every step.
 *
 * <p>Instances started in the warm-up record into the warm-up's {@link Stats}, which the report
 * ignores; the measured window's throughput counts the instances started in it.
 */
final class Driver {
  /** One second of the run, for the live line and the throughput-over-time chart. */
  record Second(int second, boolean warmup, double scenariosPerSecond, long rpcs, long errors, long p50Micros,
      long p99Micros, long rpcP50Micros, long rpcP99Micros, long inFlight) {}

  /** What a drive measured. */
  record Result(Stats stats, Histogram sendLag, double measuredSeconds, long started, long completedMeasured,
      long rpcsMeasured, List<Second> timeline, boolean drained, Cpu server, Cpu client, List<Interval> intervals,
      ServerHeld.Figures serverHeld, Hiccups.Figures generatorPauses, Stats.GeneratorFree generatorFree) {}

  /**
   * One interval of a {@code --schedule}: the instances due in it, by their intended send time; their
   * latencies are also in the window's {@link Stats}.
   */
  record Interval(int index, String label, Schedule.Interval planned, Stats stats) {
    /** Instances due in the interval that completed, per second of it. */
    double scenariosPerSecond() {
      return stats.allScenarios().getTotalCount() / planned.seconds();
    }

    double rpcsPerSecond() {
      return stats.allRpcs().getTotalCount() / planned.seconds();
    }
  }

  /** CPU used by a process over the measured window, and its resident memory at the end; null when unknown. */
  record Cpu(double cpuSeconds, long rssBytes, java.util.Map<String, Double> threadCpuSeconds) {}

  private final Scenarios scenarios;
  private final String scenario;
  private final PrintStream out;
  private final AtomicLong inFlight = new AtomicLong();
  /** The second's scenario instances (a whole sale, say) and its RPCs, for the live line. */
  private final Recorder liveLatency = new Recorder(1, Stats.HIGHEST_MICROS, 2);
  private final Recorder liveRpcLatency = new Recorder(1, Stats.HIGHEST_MICROS, 2);
  private final LongAdder liveCompleted = new LongAdder();
  private final List<Second> timeline = new ArrayList<>();
  private final ProcStat server;
  private final ProcStat client = ProcStat.self();
  private final ServerHeld serverHeld;

  /**
   * {@code server}: the server's process when it runs on this machine, else null; {@code serverHeld}:
   * its metrics, to read the time its admitted calls took there over the window, else null.
   */
  Driver(Scenarios scenarios, String scenario, PrintStream out, ProcStat server, ServerHeld serverHeld) {
    this.scenarios = scenarios;
    this.scenario = scenario;
    this.out = out;
    this.server = server;
    this.serverHeld = serverHeld;
  }

  /** The run's shape: how long, how many, and the hard bounds. */
  record Plan(double rate, int concurrency, long warmupNanos, long durationNanos, long maxInstances, long maxInFlight,
      long drainNanos, long firstIndex, Schedule schedule) {
    boolean open() {
      return rate > 0;
    }
  }

  Result drive(Plan plan) throws InterruptedException {
    Stats warm = new Stats(liveRpcLatency);
    Stats measured = new Stats(liveRpcLatency);
    List<Interval> intervals = new ArrayList<>();
    if (plan.schedule() != null) {
      for (int k = 0; k < plan.schedule().intervals().size(); k++) {
        intervals.add(new Interval(k + 1, plan.schedule().label(k), plan.schedule().intervals().get(k), new Stats(measured)));
      }
    }
    Histogram sendLag = Stats.histogram();
    if (serverHeld != null) {
      serverHeld.sample(); // The first scrape loads the HTTP client: not at the window's start, where it would be late.
    }
    Hiccups pauses = Hiccups.start();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    long measureFrom = start + plan.warmupNanos();
    measured.startsAt(measureFrom);
    long end = measureFrom + plan.durationNanos();
    AtomicLong started = new AtomicLong();
    LongAdder completedMeasured = new LongAdder();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "loadtest-live");
      t.setDaemon(true);
      return t;
    });
    long[] lastRpcs = {0};
    long[] lastErrors = {0};
    ticker.scheduleAtFixedRate(() -> live(start, measureFrom, warm, measured, lastRpcs, lastErrors), 1, 1, TimeUnit.SECONDS);
    java.util.concurrent.atomic.AtomicReferenceArray<ProcStat.Sample> cpu = new java.util.concurrent.atomic.AtomicReferenceArray<>(4);
    java.util.concurrent.atomic.AtomicReference<ServerHeld.Sample> heldFrom = new java.util.concurrent.atomic.AtomicReference<>();
    long now0 = System.nanoTime();
    ticker.schedule(() -> {
      cpu.set(0, server == null ? null : server.sample());
      cpu.set(1, client.sample());
      heldFrom.set(serverHeld == null ? null : serverHeld.sample());
    }, measureFrom - now0, TimeUnit.NANOSECONDS);
    java.util.concurrent.ScheduledFuture<?> endSample = ticker.schedule(() -> {
      cpu.set(2, server == null ? null : server.sample());
      cpu.set(3, client.sample());
    }, end - now0, TimeUnit.NANOSECONDS);
    try {
      if (plan.open()) {
        openLoop(plan, start, measureFrom, end, warm, measured, intervals, sendLag, started, completedMeasured);
      } else {
        closedLoop(plan, start, measureFrom, end, warm, measured, started, completedMeasured);
      }
      // A run stopped early by --max-requests ends its window when it stopped starting instances.
      long windowEnd = Math.min(System.nanoTime(), end);
      if (endSample.cancel(false) || !endSample.isDone()) {
        cpu.set(2, server == null ? null : server.sample());
        cpu.set(3, client.sample());
      }
      boolean drained = drain(plan.drainNanos());
      // After the drain: the calls admitted in the window have all given their place back by now.
      ServerHeld.Figures held = serverHeld == null ? null : ServerHeld.between(heldFrom.get(), serverHeld.sample());
      if (serverHeld != null && held == null) {
        out.println("server metrics: no figures of admitted calls over the window: " + (serverHeld.problem() != null
            ? serverHeld.problem() : heldFrom.get() == null ? "no scrape at the window's start"
            : "no call gave its place back in it (or no " + ServerHeld.METER + " on the page)"));
      }
      double measuredSeconds = Math.max(1e-9, (windowEnd - measureFrom) / 1e9);
      List<Second> seconds;
      synchronized (timeline) {
        seconds = List.copyOf(timeline);
      }
      pauses.close(); // after the drain: a pause that fell on the last replies ended before it did
      return new Result(measured, sendLag, measuredSeconds, started.get(), completedMeasured.sum(),
          measured.allRpcs().getTotalCount(), seconds, drained, cpu(cpu.get(0), cpu.get(2)), cpu(cpu.get(1), cpu.get(3)),
          List.copyOf(intervals), held, pauses.between(measureFrom, windowEnd), measured.withoutGeneratorPauses(pauses));
    } finally {
      pauses.close();
      ticker.shutdownNow();
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    }
  }

  private static Cpu cpu(ProcStat.Sample from, ProcStat.Sample to) {
    return from == null || to == null ? null
        : new Cpu(to.cpuSeconds() - from.cpuSeconds(), to.rssBytes(), ProcStat.threadCpuBetween(from, to));
  }

  private void openLoop(Plan plan, long start, long measureFrom, long end, Stats warm, Stats measured,
      List<Interval> intervals, Histogram sendLag, AtomicLong started, LongAdder completedMeasured) {
    double periodNanos = 1e9 / plan.rate();
    Schedule schedule = plan.schedule();
    // With a schedule, each instance is due one period of the rate at the last one's due time later.
    double dueOffsetNanos = 0;
    for (long i = 0; i < plan.maxInstances(); i++) {
      long due = schedule == null ? start + (long) (i * periodNanos) : start + (long) dueOffsetNanos;
      if (schedule != null) {
        dueOffsetNanos += 1e9 / schedule.rateAt(due - measureFrom);
      }
      if (due >= end) {
        break;
      }
      long now;
      while ((now = System.nanoTime()) < due) {
        LockSupport.parkNanos(due - now);
      }
      boolean measuring = due >= measureFrom;
      if (measuring) {
        sendLag.recordValue(Math.max(1, Math.min(Stats.HIGHEST_MICROS, (now - due) / 1000)));
      }
      Stats stats = !measuring ? warm
          : schedule == null ? measured : intervals.get(schedule.intervalAt(due - measureFrom)).stats();
      if (inFlight.get() >= plan.maxInFlight()) {
        stats.clientError("CLIENT_IN_FLIGHT_LIMIT");
        continue;
      }
      launch(plan.firstIndex() + i, due, stats, measuring, started, completedMeasured);
    }
  }

  private void closedLoop(Plan plan, long start, long measureFrom, long end, Stats warm, Stats measured,
      AtomicLong started, LongAdder completedMeasured) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < start) {
      LockSupport.parkNanos(start - now);
    }
    AtomicLong index = new AtomicLong();
    CompletableFuture<?>[] chains = new CompletableFuture<?>[plan.concurrency()];
    for (int w = 0; w < plan.concurrency(); w++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      chains[w] = done;
      chain(plan, measureFrom, end, warm, measured, index, started, completedMeasured, done);
    }
    try {
      CompletableFuture.allOf(chains).get(end - System.nanoTime() + plan.drainNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // The drain below bounds what is left.
    }
  }

  /** Runs instances one after another until the window or the count is over; bounded stack depth. */
  private void chain(Plan plan, long measureFrom, long end, Stats warm, Stats measured, AtomicLong index,
      AtomicLong started, LongAdder completedMeasured, CompletableFuture<Void> done) {
    for (int depth = 0; depth < 64; depth++) {
      long now = System.nanoTime();
      long i = index.getAndIncrement();
      if (now >= end || i >= plan.maxInstances()) {
        done.complete(null);
        return;
      }
      boolean measuring = now >= measureFrom;
      CompletableFuture<Boolean> f = launch(plan.firstIndex() + i, now, measuring ? measured : warm, measuring, started,
          completedMeasured);
      if (!f.isDone()) {
        f.whenComplete((r, e) -> chain(plan, measureFrom, end, warm, measured, index, started, completedMeasured, done));
        return;
      }
    }
    CompletableFuture.runAsync(() -> chain(plan, measureFrom, end, warm, measured, index, started, completedMeasured, done));
  }

  private CompletableFuture<Boolean> launch(long index, long startNanos, Stats stats, boolean measuring,
      AtomicLong started, LongAdder completedMeasured) {
    started.incrementAndGet();
    inFlight.incrementAndGet();
    return scenarios.start(scenario, index, startNanos, stats).whenComplete((ok, e) -> {
      inFlight.decrementAndGet();
      liveLatency.recordValue(Math.max(1, Math.min(Stats.HIGHEST_MICROS, (System.nanoTime() - startNanos) / 1000)));
      liveCompleted.increment();
      if (measuring) {
        completedMeasured.increment();
      }
    });
  }

  private boolean drain(long drainNanos) throws InterruptedException {
    long deadline = System.nanoTime() + drainNanos;
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return inFlight.get() == 0;
  }

  private void live(long start, long measureFrom, Stats warm, Stats measured, long[] lastRpcs, long[] lastErrors) {
    long now = System.nanoTime();
    Histogram h = liveLatency.getIntervalHistogram();
    Histogram r = liveRpcLatency.getIntervalHistogram();
    long completed = liveCompleted.sumThenReset();
    long rpcs = warm.allRpcs().getTotalCount() + measured.allRpcs().getTotalCount();
    long errors = warm.errors() + measured.errors();
    int second = (int) Math.round((now - start) / 1e9);
    boolean warmup = now < measureFrom;
    Second s = new Second(second, warmup, completed, rpcs - lastRpcs[0], errors - lastErrors[0],
        percentile(h, 50), percentile(h, 99), percentile(r, 50), percentile(r, 99), inFlight.get());
    lastRpcs[0] = rpcs;
    lastErrors[0] = errors;
    synchronized (timeline) {
      timeline.add(s);
    }
    // The objectives are on RPCs; a scenario of several RPCs (a sale) also gets its own figures.
    out.printf(Locale.ROOT, "[%3ds%s] %s=%.0f/s p50=%.2fms p99=%.2fms | rpc=%d/s p50=%.2fms p99=%.2fms errors=%d in_flight=%d%n",
        s.second(), warmup ? " warm-up" : "", scenario, s.scenariosPerSecond(), s.p50Micros() / 1000.0,
        s.p99Micros() / 1000.0, s.rpcs(), s.rpcP50Micros() / 1000.0, s.rpcP99Micros() / 1000.0, s.errors(),
        s.inFlight());
  }

  private static long percentile(Histogram h, double p) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p);
  }
}
