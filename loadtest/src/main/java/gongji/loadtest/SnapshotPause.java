package gongji.loadtest;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.Relationship;
import gongji.server.ledger.Command;
import gongji.server.ledger.FileJournal;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Result;
import gongji.server.ledger.Sequencer;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.storage.FileStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How long the writer stops while a snapshot is made, with the image made on the writer and with
 * it made off the writer by the snapshot follower, one after the other on the same ledger in one
 * run: a ledger of {@code insured} persons and {@code bindings} bindings, a durable journal in a
 * temporary directory, snapshots written there every {@code snapshotEvery}, and pharmacy sales
 * (authorize, then settle) kept {@code inFlight} at a time through the sequencer.
 *
 * <p>What is measured: the time between the ends of consecutive batches (the writer's batch time
 * under a closed loop, which holds any pause of the writer: an image made on it falls between two
 * batch ends), and each command's time from submit to result; their p50/p99/p99.9/max over each
 * phase, the snapshots written in it, and the process CPU per command (the follower's share is
 * there: it applies every command a second time).
 */
public final class SnapshotPause {
  private static final long T0 = 1_764_036_000_000L;
  private static final String INSTITUTION = "P62010200017";
  private static final Duration WINDOW = Duration.ofDays(35);

  /** What one run asks for. */
  record Options(int insured, int bindings, int inFlight, Duration phase, Duration snapshotEvery) {}

  private SnapshotPause() {}

  static int run(Options o, PrintStream out) throws Exception {
    long t = System.nanoTime();
    Ledger ledger = populate(o.insured(), o.bindings());
    out.printf(Locale.ROOT, "snapshot-pause: %,d insured, %,d bindings loaded in %.1f s; phases of %d s, a snapshot"
        + " every %d s, %d sales in flight%n", o.insured(), o.bindings(), (System.nanoTime() - t) / 1e9,
        o.phase().toSeconds(), o.snapshotEvery().toSeconds(), o.inFlight());
    long[] sale = {0};
    Phase onWriter = phase("on the writer", ledger, false, o, sale, out);
    Phase offWriter = phase("off the writer", ledger, true, o, sale, out);
    out.printf(Locale.ROOT, "snapshot-pause: the writer's longest stop %.1f ms off the writer against %.1f ms on it"
        + " (%.3fx); batch time p99 %.2f ms against %.2f ms%n", offWriter.batchMaxMs, onWriter.batchMaxMs,
        offWriter.batchMaxMs / onWriter.batchMaxMs, offWriter.batchP99Ms, onWriter.batchP99Ms);
    List<String> violations = ledger.audit();
    out.println("snapshot-pause: audit " + (violations.isEmpty() ? "ok" : violations.size() + " violations"));
    return violations.isEmpty() && offWriter.snapshots > 0 && onWriter.snapshots > 0 ? 0 : 1;
  }

  private record Phase(double batchP99Ms, double batchMaxMs, long snapshots) {}

  private static Phase phase(String name, Ledger ledger, boolean offWriter, Options o, long[] sale, PrintStream out)
      throws Exception {
    Path dir = Files.createTempDirectory("gongji-snapshot-pause");
    FileStorage storage = new FileStorage(dir);
    long startSeq = 1_000_000_000L * (offWriter ? 2 : 1);
    Ledger seed = null;
    if (offWriter) {
      // The follower's start: what the node's follower rebuilds from the snapshot it recovered from.
      seed = Snapshots.read(Snapshots.image(ledger, startSeq), startSeq, WINDOW, ReferenceListener.NONE).ledger();
    }
    Recorder batches = new Recorder(3);
    Recorder latencies = new Recorder(3);
    Recorder forces = new Recorder(3);
    AtomicLong lastBatchEnd = new AtomicLong(System.nanoTime());
    AtomicLong snapshots = new AtomicLong();
    AtomicLong commands = new AtomicLong();
    ExecutorService replies = Executors.newSingleThreadExecutor();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Sequencer sequencer = new Sequencer(ledger, new FileJournal(storage, startSeq + 1, 64L << 20),
        InstantSource.system(), replies, new Sequencer.Config(65_536, 4_096, 200),
        (n, mutating, forceNanos) -> {
          long now = System.nanoTime();
          batches.recordValue(Math.max(1, now - lastBatchEnd.getAndSet(now)));
          if (forceNanos > 0) {
            forces.recordValue(forceNanos);
          }
        });
    sequencer.snapshotting(new Sequencer.Snapshotting(Long.MAX_VALUE / 2, o.snapshotEvery().toMillis(),
        (seq, payload) -> {
          long bytes = Snapshots.write(storage, seq, payload);
          snapshots.incrementAndGet();
          return bytes;
        }, writer));
    if (offWriter) {
      Ledger first = seed;
      sequencer.snapshotsOffTheWriter(() -> first, 2_000_000);
    }
    seed = null;
    sequencer.start();
    Bill bill = Bill.of(List.of(new LineItem("XA01", ItemCategory.DRUG, true, 1, 1)));
    Semaphore slots = new Semaphore(o.inFlight());
    long cpu0 = processCpuNanos();
    long[] gc0 = gc();
    long end = System.nanoTime() + o.phase().toNanos();
    long warm = System.nanoTime() + Math.min(o.phase().toNanos() / 5, TimeUnit.SECONDS.toNanos(5));
    boolean measuring = false;
    long measuredCommands0 = 0;
    while (System.nanoTime() < end) {
      if (!measuring && System.nanoTime() > warm) {
        measuring = true;
        batches.getIntervalHistogram(); // warm-up discarded
        latencies.getIntervalHistogram();
        forces.getIntervalHistogram();
        snapshots.set(0);
        measuredCommands0 = commands.get();
        cpu0 = processCpuNanos();
        gc0 = gc();
      }
      if (!slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
        continue;
      }
      long i = sale[0]++;
      long sent = System.nanoTime();
      sequencer.submit(new Command.Authorize("PA" + i, i, INSTITUTION, "POS01", psnNo((int) (i % o.insured())),
          MedicalType.PHARMACY, bill, true, true)).thenCompose(r -> {
            latencies.recordValue(System.nanoTime() - sent);
            long settleSent = System.nanoTime();
            return sequencer.submit(new Command.Settle("PS" + i, i, INSTITUTION, ((Result.Sale) r).txn().txnId(), -1))
                .thenApply(s -> {
                  latencies.recordValue(System.nanoTime() - settleSent);
                  return s;
                });
          }).whenComplete((r, e) -> {
            commands.addAndGet(2);
            slots.release();
          });
    }
    slots.acquire(o.inFlight());
    long cpu = processCpuNanos() - cpu0;
    long[] gc1 = gc();
    long measured = commands.get() - measuredCommands0;
    Histogram b = batches.getIntervalHistogram();
    Histogram l = latencies.getIntervalHistogram();
    Histogram f = forces.getIntervalHistogram();
    long lag = sequencer.snapshotFollowerLag();
    boolean stillOff = sequencer.snapshotsOffTheWriter();
    sequencer.close();
    writer.shutdown();
    writer.awaitTermination(5, TimeUnit.MINUTES);
    replies.shutdown();
    delete(dir);
    out.printf(Locale.ROOT, "  images %s: %d snapshots written; %,d commands, %.0f µs of process CPU each%s%n", name,
        snapshots.get(), measured, cpu / 1e3 / Math.max(1, measured), offWriter ? "; follower lag at the end " + lag
        + (stillOff ? "" : " (GIVEN UP)") : "");
    out.printf(Locale.ROOT, "    garbage collection: %d pauses, %d ms in all%n", gc1[0] - gc0[0], gc1[1] - gc0[1]);
    out.printf(Locale.ROOT, "    writer batch time   p50 %8.2f  p99 %8.2f  p99.9 %8.2f  max %8.1f ms (%,d batches)%n",
        b.getValueAtPercentile(50) / 1e6, b.getValueAtPercentile(99) / 1e6, b.getValueAtPercentile(99.9) / 1e6,
        b.getMaxValue() / 1e6, b.getTotalCount());
    out.printf(Locale.ROOT, "    journal force       p50 %8.2f  p99 %8.2f  p99.9 %8.2f  max %8.1f ms%n",
        f.getValueAtPercentile(50) / 1e6, f.getValueAtPercentile(99) / 1e6, f.getValueAtPercentile(99.9) / 1e6,
        f.getMaxValue() / 1e6);
    out.printf(Locale.ROOT, "    command latency     p50 %8.2f  p99 %8.2f  p99.9 %8.2f  max %8.1f ms%n",
        l.getValueAtPercentile(50) / 1e6, l.getValueAtPercentile(99) / 1e6, l.getValueAtPercentile(99.9) / 1e6,
        l.getMaxValue() / 1e6);
    return new Phase(b.getValueAtPercentile(99) / 1e6, b.getMaxValue() / 1e6, snapshots.get());
  }

  /** Persons with an account and a card, bindings among them, and a balance each: the working state. */
  static Ledger populate(int insured, int bindings) {
    Ledger ledger = new Ledger(WINDOW, ReferenceListener.NONE);
    long now = T0;
    ledger.apply(new Command.RegisterInstitution(new Institution(INSTITUTION, "药店", Set.of("POS01"))), now);
    for (int i = 0; i < insured; i++) {
      ledger.apply(new Command.UpsertInsured(new Insured(psnNo(i), "李娜", InsuranceType.EMPLOYEE_BASIC,
          InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC" + i)))),
          now);
      ledger.apply(new Command.Credit("C" + i, i, psnNo(i), 100_000_000), now);
    }
    int made = 0;
    for (int k = 1; made < bindings && k < insured; k++) {
      for (int i = 0; i < insured && made < bindings; i++) {
        Result r = ledger.apply(new Command.CreateBinding(psnNo((i + k) % insured), psnNo(i), Relationship.PARENT, 0),
            now);
        made += r instanceof Result.BindingView ? 1 : 0;
      }
    }
    ledger.takeHistory();
    return ledger;
  }

  /** Collections so far and their time in ms, over every collector. */
  private static long[] gc() {
    long[] out = new long[2];
    for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      out[0] += Math.max(0, gc.getCollectionCount());
      out[1] += Math.max(0, gc.getCollectionTime());
    }
    return out;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static void delete(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String psnNo(int i) {
    return LedgerFootprint.psnNo(i);
  }
}
