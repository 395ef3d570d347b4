package gongji.loadtest;

import static gongji.loadtest.Checks.checkArgument;

import gongji.loadtest.run.ProcStat;
import gongji.server.history.RocksHistoryStore;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryApplier;
import gongji.server.ledger.Recaller;
import gongji.server.ledger.FileJournal;
import gongji.server.ledger.Journal;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Result;
import gongji.server.ledger.Sequencer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.ref.Reference;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The ledger benchmark: how many two-leg authorize+settle sales per second the single writer takes
 * in memory ({@link Journal#NONE}), and, with {@code --raw}, how many {@link Ledger#apply} alone
 * takes on one thread with no sequencer: the upper bound for the sequencer.
 *
 * <p>How it works. A seeded {@link LedgerWorkload} builds the data set through the same path as the
 * run. Producer threads then submit sales, each keeping at most its share of {@code --in-flight}
 * sales outstanding (a sale holds one slot from its Authorize until its Settle completes, and has
 * one command in the sequencer at a time), so the sequencer's queue never refuses: in-flight is
 * checked to be below {@code maxQueuedCommands}. The Settle is submitted from the Authorize's
 * completion. After a warm-up, one window of {@code --seconds} is measured: completed commands and
 * sales, the sequencer's batches, and the submit-to-completion latency of every command
 * (HdrHistogram). The run then stops by itself, drains, and checks: every command came back OK with
 * the split the workload expects, the ledger audit finds nothing, and the institutions hold exactly
 * the money of the settled sales.
 *
 * <p>The ledger keeps every sale and every result of the idempotency window in memory, so the run
 * is also bounded in sales ({@code --max-pairs}, by default what the heap can hold); the report
 * shows the retained bytes per sale.
 */
public final class LedgerBenchmark {
  /** Retained heap per settled sale with the default idempotency window, measured, with margin. */
  static final long PLANNED_BYTES_PER_PAIR = 2_048;
  private static final long DRAIN_TIMEOUT_SECONDS = 30;
  private static final long IDLE_TICK_MILLIS = 200;

  private LedgerBenchmark() {}

  public static void main(String[] args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "ledger-bench";
    System.arraycopy(args, 0, all, 1, args.length);
    System.exit(LoadtestMain.run(all));
  }

  /** The settings of one run. */
  record Options(
      boolean raw,
      int seconds,
      int warmupSeconds,
      int producers,
      int inFlight,
      int maxBatchCommands,
      int maxQueuedCommands,
      int patients,
      int institutions,
      long seed,
      long maxPairs,
      Duration idempotencyWindow,
      String journalDir,
      int recentWindowSeconds) {

    Options {
      checkArgument(seconds > 0, "--seconds: %s (expected: > 0)", seconds);
      checkArgument(warmupSeconds >= 0, "--warmup: %s (expected: >= 0)", warmupSeconds);
      checkArgument(producers > 0, "--producers: %s (expected: > 0)", producers);
      checkArgument(inFlight >= producers, "--in-flight: %s (expected: >= --producers %s)", inFlight, producers);
      checkArgument(maxBatchCommands > 0, "--batch: %s (expected: > 0)", maxBatchCommands);
      checkArgument(inFlight < maxQueuedCommands, "--in-flight: %s (expected: < --max-queued %s)", inFlight,
          maxQueuedCommands);
      checkArgument(patients > 0, "--patients: %s (expected: > 0)", patients);
      checkArgument(institutions > 0, "--institutions: %s (expected: > 0)", institutions);
      checkArgument(maxPairs > 0, "--max-pairs: %s (expected: > 0)", maxPairs);
      checkArgument(!idempotencyWindow.isNegative() && !idempotencyWindow.isZero(), "--window-days: %s (expected: > 0)",
          idempotencyWindow);
    }

    /** The sales producer {@code i} may have outstanding: its share of {@code inFlight}. */
    int inFlightOf(int i) {
      return inFlight / producers + (i < inFlight % producers ? 1 : 0);
    }

    /** Visits each patient is funded for: enough for {@code maxPairs} sales in all. */
    long fundedVisits() {
      return Math.max(1, (maxPairs + patients - 1) / patients);
    }
  }

  /** Runs the benchmark; 0 when the audit passed. */
  static int run(Options options) throws Exception {
    LedgerWorkload workload =
        new LedgerWorkload(options.patients(), options.institutions(), options.fundedVisits(), options.seed());
    Report report = options.raw() ? runRaw(options, workload) : runSequenced(options, workload);
    report.print(options);
    return report.passed() ? 0 : 1;
  }

  // ---- through the sequencer ----------------------------------------------------------------

  private static Report runSequenced(Options options, LedgerWorkload workload) throws Exception {
    Report report = new Report();
    Ledger ledger = new Ledger(options.idempotencyWindow(), ReferenceListener.NONE);
    BatchCounter batches = new BatchCounter();
    ExecutorService replies = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-replies");
      t.setDaemon(true);
      return t;
    });
    Journal journal = options.journalDir() == null ? Journal.NONE
        : new FileJournal(new FileStorage(java.nio.file.Path.of(options.journalDir())), 1, 64L << 20);
    Sequencer sequencer = new Sequencer(ledger, journal, InstantSource.system(), replies,
        new Sequencer.Config(options.maxQueuedCommands(), options.maxBatchCommands(), IDLE_TICK_MILLIS), batches);
    java.nio.file.Path historyDir = null;
    HistoryApplier history = null;
    if (options.recentWindowSeconds() > 0) {
      historyDir = java.nio.file.Files.createTempDirectory("ledger-bench-history");
      RocksHistoryStore store = RocksHistoryStore.open(historyDir);
      history = new HistoryApplier(store, 1 << 22).start();
      sequencer.history(history).sweeping(Duration.ofSeconds(options.recentWindowSeconds()), new Recaller(store));
    }
    sequencer.start();
    Pipeline pipeline = new Pipeline(sequencer, report);
    try {
      long setUpStart = System.nanoTime();
      List<Command> setUp = workload.setUp();
      submitAll(sequencer, setUp, options.inFlight(), report);
      report.setUp(setUp.size(), System.nanoTime() - setUpStart, usedHeapAfterGc());

      Thread[] producers = new Thread[options.producers()];
      Semaphore[] slots = new Semaphore[producers.length];
      boolean[] exhausted = new boolean[producers.length];
      AtomicBoolean stop = new AtomicBoolean();
      for (int i = 0; i < producers.length; i++) {
        Semaphore mine = new Semaphore(options.inFlightOf(i));
        slots[i] = mine;
        LedgerWorkload.Producer sales = workload.producer(i, producers.length);
        int index = i;
        producers[i] = new Thread(() -> {
          try {
            while (!stop.get() && sales.hasNext()) {
              if (!mine.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                continue;
              }
              if (stop.get()) {
                mine.release();
                break;
              }
              pipeline.start(sales.next(), mine);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exhausted[index] = !sales.hasNext();
        }, "bench-producer-" + i);
        producers[i].start();
      }

      long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
      sleepUntil(warmupEnd, producers);
      Snapshot start = pipeline.snapshot(batches);
      pipeline.latency.getIntervalHistogram();
      sleepUntil(start.nanos + TimeUnit.SECONDS.toNanos(options.seconds()), producers);
      Snapshot end = pipeline.snapshot(batches);
      Histogram latency = pipeline.latency.getIntervalHistogram();
      stop.set(true);
      for (Thread t : producers) {
        t.join();
      }
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_SECONDS);
      for (int i = 0; i < slots.length; i++) {
        if (!slots[i].tryAcquire(options.inFlightOf(i), Math.max(0, drainDeadline - System.nanoTime()),
            TimeUnit.NANOSECONDS)) {
          report.fail("sales of producer " + i + " still outstanding after " + DRAIN_TIMEOUT_SECONDS + " s");
        }
      }
      for (boolean e : exhausted) {
        if (e) {
          report.budgetExhausted();
        }
      }
      report.window(start, end, latency);

      Result audit = sequencer.submit(new Command.Audit()).get(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      report.audit(((Result.AuditReport) audit).violations());
    } finally {
      sequencer.close();
      replies.shutdown();
      if (history != null) {
        history.close();
        history.store().close();
        deleteTree(historyDir);
      }
    }
    if (options.recentWindowSeconds() > 0) {
      System.out.printf(Locale.ROOT, "  sweeps: %d; looked up again: %d; kept at the end: %d sales, %d request"
          + " entries%n", ledger.sweeps(), sequencer.recalledAgain(), ledger.salesKept(), ledger.requestsKept());
    }
    report.totals(pipeline.pairs.sum(), pipeline.commands.sum(), pipeline.settledFen.sum());
    checkInstitutions(ledger, workload, pipeline.settledFen.sum(), report);
    report.retained(usedHeapAfterGc());
    Reference.reachabilityFence(ledger);
    return report;
  }

  private static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }

  /** Submits set-up commands with at most {@code inFlight} outstanding; each must come back OK. */
  private static void submitAll(Sequencer sequencer, List<Command> commands, int inFlight, Report report)
      throws Exception {
    for (int from = 0; from < commands.size(); from += inFlight) {
      List<CompletableFuture<Result>> futures = new ArrayList<>();
      List<Command> chunk = commands.subList(from, Math.min(commands.size(), from + inFlight));
      for (Command c : chunk) {
        futures.add(sequencer.submit(c));
      }
      for (int i = 0; i < futures.size(); i++) {
        Result r = futures.get(i).get(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.outcome() != Outcome.OK) {
          report.fail("set-up " + chunk.get(i) + ": " + LedgerWorkload.describe(r));
        }
      }
    }
  }

  private static void sleepUntil(long deadlineNanos, Thread[] producers) throws InterruptedException {
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      boolean anyAlive = false;
      for (Thread t : producers) {
        anyAlive |= t.isAlive();
      }
      if (!anyAlive) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
    }
  }

  /**
   * The life of each sale: Authorize, check, Settle, check. Completions run on the sequencer's
   * replies thread (or on the submitter's if the future was already done), so every count here is
   * thread-safe.
   */
  private static final class Pipeline {
    final Sequencer sequencer;
    final Report report;
    final Recorder latency = new Recorder(3);
    final LongAdder commands = new LongAdder();
    final LongAdder pairs = new LongAdder();
    final LongAdder settledFen = new LongAdder();

    Pipeline(Sequencer sequencer, Report report) {
      this.sequencer = sequencer;
      this.report = report;
    }

    void start(LedgerWorkload.Sale sale, Semaphore slot) {
      long submitted = System.nanoTime();
      sequencer.submit(sale.authorize()).whenComplete((r, e) -> authorized(sale, slot, submitted, r, e));
    }

    private void authorized(LedgerWorkload.Sale sale, Semaphore slot, long submitted, Result r, Throwable e) {
      latency.recordValue(System.nanoTime() - submitted);
      commands.increment();
      String txnId = e == null ? sale.checkAuthorized(r) : null;
      if (txnId == null) {
        report.fail(sale.authorize().requestId() + ": " + (e != null ? e.toString() : LedgerWorkload.describe(r)));
        slot.release();
        return;
      }
      long settleSubmitted = System.nanoTime();
      sequencer.submit(sale.settle(txnId)).whenComplete((r2, e2) -> settled(sale, slot, settleSubmitted, r2, e2));
    }

    private void settled(LedgerWorkload.Sale sale, Semaphore slot, long submitted, Result r, Throwable e) {
      latency.recordValue(System.nanoTime() - submitted);
      commands.increment();
      if (e == null && sale.checkSettled(r)) {
        settledFen.add(sale.totalFen());
        pairs.increment();
      } else {
        report.fail(sale.settleRequestId() + ": " + (e != null ? e.toString() : LedgerWorkload.describe(r)));
      }
      slot.release();
    }

    /** The sequencer's thread, found by name: its CPU time shows how busy the single writer was. */
    private final Thread sequencerThread = findThread("gongji-sequencer");

    Snapshot snapshot(BatchCounter batches) {
      return new Snapshot(System.nanoTime(), commands.sum(), pairs.sum(), batches.batches.get(),
          batches.commands.get(), batches.maxCommands.get(), gcCount(), gcMillis(), threadCpuNanos(sequencerThread),
          processCpuNanos(), THIS_PROCESS.sample());
    }
  }

  /** Counts the sequencer's batches. Written by the sequencer thread only; read by the main thread. */
  private static final class BatchCounter implements Sequencer.BatchObserver {
    final AtomicLong batches = new AtomicLong();
    final AtomicLong commands = new AtomicLong();
    final AtomicLong maxCommands = new AtomicLong();

    @Override
    public void batchDone(int commandCount, int mutating, long forceNanos) {
      batches.lazySet(batches.get() + 1);
      commands.lazySet(commands.get() + commandCount);
      if (commandCount > maxCommands.get()) {
        maxCommands.lazySet(commandCount);
      }
    }
  }

  // ---- the ledger alone ---------------------------------------------------------------------

  private static Report runRaw(Options options, LedgerWorkload workload) {
    Report report = new Report();
    Ledger ledger = new Ledger(options.idempotencyWindow(), ReferenceListener.NONE);
    long setUpStart = System.nanoTime();
    List<Command> setUp = workload.setUp();
    for (Command c : setUp) {
      Result r = ledger.apply(c, System.currentTimeMillis());
      if (r.outcome() != Outcome.OK) {
        report.fail("set-up " + c + ": " + LedgerWorkload.describe(r));
      }
    }
    report.setUp(setUp.size(), System.nanoTime() - setUpStart, usedHeapAfterGc());

    LedgerWorkload.Producer sales = workload.producer(0, 1);
    long pairs = 0;
    long commands = 0;
    long settledFen = 0;
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
    long end = Long.MAX_VALUE;
    Snapshot start = null;
    long nowMillis = System.currentTimeMillis();
    for (long iteration = 0; ; iteration++) {
      if ((iteration & 63) == 0) {
        long t = System.nanoTime();
        nowMillis = System.currentTimeMillis();
        if (start == null && t >= warmupEnd) {
          start = new Snapshot(t, commands, pairs, 0, 0, 0, gcCount(), gcMillis(), threadCpuNanos(Thread.currentThread()),
              processCpuNanos(), THIS_PROCESS.sample());
          end = t + TimeUnit.SECONDS.toNanos(options.seconds());
        }
        if (t >= end) {
          break;
        }
      }
      if (!sales.hasNext()) {
        report.budgetExhausted();
        break;
      }
      LedgerWorkload.Sale sale = sales.next();
      Result r = ledger.apply(sale.authorize(), nowMillis);
      commands++;
      String txnId = sale.checkAuthorized(r);
      if (txnId == null) {
        report.fail(sale.authorize().requestId() + ": " + LedgerWorkload.describe(r));
        continue;
      }
      Result r2 = ledger.apply(sale.settle(txnId), nowMillis);
      commands++;
      if (!sale.checkSettled(r2)) {
        report.fail(sale.settleRequestId() + ": " + LedgerWorkload.describe(r2));
        continue;
      }
      settledFen += sale.totalFen();
      pairs++;
    }
    Snapshot last = new Snapshot(System.nanoTime(), commands, pairs, 0, 0, 0, gcCount(), gcMillis(),
        threadCpuNanos(Thread.currentThread()), processCpuNanos(), THIS_PROCESS.sample());
    report.window(start == null ? last : start, last, null);
    report.audit(ledger.audit());
    report.totals(pairs, commands, settledFen);
    checkInstitutions(ledger, workload, settledFen, report);
    report.retained(usedHeapAfterGc());
    Reference.reachabilityFence(ledger);
    return report;
  }

  // ---- checks and figures -------------------------------------------------------------------

  /** The institutions' settlement accounts must hold exactly the money of the settled sales. */
  private static void checkInstitutions(Ledger ledger, LedgerWorkload workload, long settledFen, Report report) {
    long sum = 0;
    for (String code : workload.institutions()) {
      sum += ledger.institutionBalance(code);
    }
    if (sum != settledFen) {
      report.fail("institutions hold " + sum + " fen but the settled sales total " + settledFen + " fen");
    }
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }

  private static long gcMillis() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionTime());
    }
    return n;
  }

  private static Thread findThread(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** CPU time of a thread so far, or -1 where the JVM cannot tell. */
  @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
  private static long threadCpuNanos(Thread t) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return t == null || !threads.isThreadCpuTimeSupported() ? -1 : threads.getThreadCpuTime(t.getId());
  }

  /** CPU time of the whole process so far (all threads, GC included), or -1 where the JVM cannot tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** This process's threads, read from /proc (Linux): where the CPU of a window went. */
  private static final ProcStat THIS_PROCESS = ProcStat.self();

  /** Counters at one instant; {@code threads} is null where /proc cannot be read. */
  private record Snapshot(long nanos, long commands, long pairs, long batches, long batchCommands, long maxBatch,
      long gcCount, long gcMillis, long applierCpuNanos, long processCpuNanos, ProcStat.Sample threads) {}

  /** What a run found: its figures and its failures. Failures may be reported from any thread. */
  private static final class Report {
    private static final int MAX_FAILURES_SHOWN = 5;

    private final AtomicLong failures = new AtomicLong();
    private final List<String> shown = new ArrayList<>();
    private final AtomicReference<List<String>> violations = new AtomicReference<>(List.of());
    private boolean audited;
    private volatile boolean budgetExhausted;
    private int setUpCommands;
    private long setUpNanos;
    private long heapAfterSetUp;
    private long heapAtEnd;
    private Snapshot start;
    private Snapshot end;
    private Histogram latency;
    private long totalPairs;
    private long totalCommands;
    private long settledFen;
    private final double loadAverageBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    void fail(String what) {
      if (failures.incrementAndGet() <= MAX_FAILURES_SHOWN) {
        synchronized (shown) {
          shown.add(what);
        }
      }
    }

    void budgetExhausted() {
      budgetExhausted = true;
    }

    void setUp(int commands, long nanos, long heapUsed) {
      setUpCommands = commands;
      setUpNanos = nanos;
      heapAfterSetUp = heapUsed;
    }

    void window(Snapshot start, Snapshot end, Histogram latency) {
      this.start = start;
      this.end = end;
      this.latency = latency;
    }

    void audit(List<String> found) {
      audited = true;
      violations.set(List.copyOf(found));
    }

    void totals(long pairs, long commands, long fen) {
      totalPairs = pairs;
      totalCommands = commands;
      settledFen = fen;
    }

    void retained(long heapUsed) {
      heapAtEnd = heapUsed;
    }

    boolean passed() {
      return failures.get() == 0 && audited && violations.get().isEmpty();
    }

    void print(Options o) {
      String mode = o.raw() ? "ledger-bench --raw" : "ledger-bench";
      double seconds = (end.nanos - start.nanos) / 1e9;
      double pairsPerSecond = (end.pairs - start.pairs) / seconds;
      double commandsPerSecond = (end.commands - start.commands) / seconds;
      System.out.printf(Locale.ROOT, "%s: patients=%d institutions=%d seed=%d warmup=%ds seconds=%d%s%n", mode,
          o.patients(), o.institutions(), o.seed(), o.warmupSeconds(), o.seconds(),
          o.raw() ? "" : String.format(Locale.ROOT, " producers=%d in-flight=%d batch=%d max-queued=%d", o.producers(),
              o.inFlight(), o.maxBatchCommands(), o.maxQueuedCommands()));
      System.out.printf(Locale.ROOT, "  set-up: %d commands in %.2f s; heap after set-up %d MiB%n", setUpCommands,
          setUpNanos / 1e9, heapAfterSetUp >> 20);
      System.out.printf(Locale.ROOT, "  window: %.2f s, %d sales, %d commands; gc %d collections, %d ms (%.1f%%)%n",
          seconds, end.pairs - start.pairs, end.commands - start.commands, end.gcCount - start.gcCount,
          end.gcMillis - start.gcMillis, 100.0 * (end.gcMillis - start.gcMillis) / 1000.0 / seconds);
      double applier = (end.applierCpuNanos - start.applierCpuNanos) / 1e9 / seconds;
      double process = (end.processCpuNanos - start.processCpuNanos) / 1e9 / seconds;
      System.out.printf(Locale.ROOT,
          "  cpu: %s thread %.2f cores (%.0f ns of its CPU per command), process %.2f of %d cores; load average %.2f"
              + " before the run%n",
          o.raw() ? "applying" : "sequencer", applier,
          (end.applierCpuNanos - start.applierCpuNanos) / (double) Math.max(1, end.commands - start.commands), process,
          Runtime.getRuntime().availableProcessors(), loadAverageBefore);
      if (start.threads() != null && end.threads() != null) {
        // Where goal 2's commands per second go: the writer is one of these, the collector another.
        StringBuilder line = new StringBuilder("  cpu by thread, ns per command:");
        long commands = Math.max(1, end.commands - start.commands);
        ProcStat.threadCpuBetween(start.threads(), end.threads()).forEach((group, cpuSeconds) -> line.append(
            String.format(Locale.ROOT, " %s %.0f,", !"other".equals(group) ? group
                : o.raw() ? "other (the applying thread, the bench's)" : "other (the bench's producer and replies)",
                cpuSeconds * 1e9 / commands)));
        line.setLength(line.length() - 1);
        System.out.println(line);
      }
      if (latency != null) {
        System.out.printf(Locale.ROOT,
            "  latency submit->complete us: p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f mean=%.1f (n=%d)%n",
            us(latency, 50), us(latency, 90), us(latency, 99), us(latency, 99.9), latency.getMaxValue() / 1e3,
            latency.getMean() / 1e3, latency.getTotalCount());
        System.out.printf(Locale.ROOT, "  batches: %d in the window, mean %.1f commands, max %d since start%n",
            end.batches - start.batches, batchMean(), end.maxBatch);
      } else {
        System.out.printf(Locale.ROOT, "  ns per command (apply + making the command + checking it): %.0f%n",
            1e9 / commandsPerSecond);
      }
      long grown = heapAtEnd - heapAfterSetUp;
      System.out.printf(Locale.ROOT, "  whole run: %d sales, %d commands, %d fen settled; heap retained %d MiB, %d bytes per sale%n",
          totalPairs, totalCommands, settledFen, grown >> 20, totalPairs == 0 ? 0 : grown / totalPairs);
      if (budgetExhausted) {
        System.out.println("  note: the funded sales (--max-pairs) ran out before the window ended; figures cover "
            + "the window up to then");
      }
      for (String f : shown) {
        System.out.println("  FAILED: " + f);
      }
      for (String v : violations.get().subList(0, Math.min(MAX_FAILURES_SHOWN, violations.get().size()))) {
        System.out.println("  AUDIT: " + v);
      }
      String audit = !audited ? "not-run" : violations.get().isEmpty() ? "ok" : violations.get().size() + "-violations";
      if (o.raw()) {
        System.out.printf(Locale.ROOT, "%s: pairs/s=%.0f commands/s=%.0f ns_per_command=%.0f audit=%s failures=%d%n",
            mode, pairsPerSecond, commandsPerSecond, 1e9 / commandsPerSecond, audit, failures.get());
      } else {
        System.out.printf(Locale.ROOT,
            "%s: pairs/s=%.0f commands/s=%.0f p50_us=%.1f p99_us=%.1f batches_mean=%.1f audit=%s failures=%d%n",
            mode, pairsPerSecond, commandsPerSecond, us(latency, 50), us(latency, 99), batchMean(), audit,
            failures.get());
      }
    }

    private double batchMean() {
      long batches = end.batches - start.batches;
      return batches == 0 ? 0 : (double) (end.batchCommands - start.batchCommands) / batches;
    }

    private static double us(Histogram h, double percentile) {
      return h.getValueAtPercentile(percentile) / 1e3;
    }
  }
}
