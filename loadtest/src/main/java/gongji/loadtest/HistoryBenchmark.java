package gongji.loadtest;

import gongji.server.domain.ReconcileGroup;
import gongji.server.history.RocksHistoryStore;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The history benchmark: how fast the embedded history store answers the questions the agency asks
 * of it, while history is being written as fast as it can be.
 *
 * <p>How it works. A RocksDB history store in a new directory is filled as the history applier
 * fills it (batches of records with a journal sequence number, each one fsync'd write): one
 * institution-day with {@code settlements} settlement events, one person with {@code usage} usage
 * records among {@code people} others' records. Then, while a writer thread keeps applying batches
 * of new records (the applier under load), the benchmark asks, one after another for
 * {@code seconds}: the person's whole usage list (pages of 100, as the API pages it), the day's
 * Reconcile (3201), and a page of its detail (3202). Each answer is checked for size; the latency of
 * every query (HdrHistogram, microseconds) and the writer's record rate are reported.
 */
public final class HistoryBenchmark {
  /** The sizes and the measured window. */
  public record Config(int settlements, int usage, int people, long seconds, Path dir) {}

  private static final String INSTITUTION = "P62010200017";
  private static final String PERSON = "62010019820304002200000002";
  /** 2026-11-25 10:00 China time. */
  private static final long T0 = 1_764_036_000_000L;
  private static final int BATCH = 1_000;
  private static final int PAGE = 100;

  private HistoryBenchmark() {}

  /** The reconciliation groups of an institution's day: a pharmacy's employees and residents of two regions. */
  private static final ReconcileGroup[] GROUPS = {new ReconcileGroup(310, 41, "620100"),
      new ReconcileGroup(390, 41, "620100"), new ReconcileGroup(310, 41, "620500"), new ReconcileGroup(390, 41, "620500")};

  /** Runs it; returns 0, or 1 when an answer was not what was written. */
  public static int run(Config config, PrintStream out) throws Exception {
    Path dir = config.dir() != null ? config.dir() : Files.createTempDirectory("gongji-history-bench");
    long[] seq = {0};
    try (HistoryStore store = RocksHistoryStore.open(dir.resolve("history"))) {
      long start = System.nanoTime();
      SplittableRandom random = new SplittableRandom(42);
      List<HistoryRecord> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < config.settlements(); i++) {
        batch.add(new HistoryRecord.Settlement(INSTITUTION, new Result.ReconcileLine("T" + i, "SETTLED", T0 + i * 100L,
            10_000, 6_000, 3_000, 1_000, GROUPS[i % GROUPS.length])));
        flushIfFull(store, batch, seq);
      }
      for (int i = 0; i < config.usage(); i++) {
        batch.add(usage(T0 + i, "A" + random.nextInt(config.people()), PERSON));
        for (int k = 0; k < 4; k++) { // the records of others in between, as they arrive in time
          batch.add(usage(T0 + i, "A" + random.nextInt(config.people()), "B" + random.nextInt(config.people())));
        }
        flushIfFull(store, batch, seq);
      }
      store.apply(++seq[0], batch);
      batch.clear();
      out.printf(Locale.ROOT, "history-bench: loaded %d settlements of one institution-day and %d usage records of one"
          + " person (among %d others' records) in %.1f s, %d batches%n", config.settlements(), config.usage(),
          config.usage() * 4, (System.nanoTime() - start) / 1e9, seq[0]);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong written = new AtomicLong();
      Thread writer = new Thread(() -> {
        SplittableRandom r = new SplittableRandom(7);
        List<HistoryRecord> more = new ArrayList<>(BATCH);
        long n = 0;
        try {
          while (!stop.get()) {
            for (int i = 0; i < BATCH; i++) {
              more.add(usage(T0 + 86_400_000L + n++, "A" + r.nextInt(config.people()), "B" + r.nextInt(config.people())));
            }
            synchronized (seq) {
              store.apply(++seq[0], more);
            }
            written.addAndGet(more.size());
            more.clear();
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "history-bench-writer");
      writer.start();
      Histogram usageLatency = new Histogram(3_600_000_000L, 3);
      Histogram reconcileLatency = new Histogram(3_600_000_000L, 3);
      Histogram detailLatency = new Histogram(3_600_000_000L, 3);
      long day = Ledger.localDay(T0);
      boolean ok = true;
      long end = System.nanoTime() + config.seconds() * 1_000_000_000L;
      long measuredFrom = System.nanoTime();
      long writtenFrom = written.get();
      while (System.nanoTime() < end) {
        long t = System.nanoTime();
        int listed = 0;
        for (int offset = 0; ; offset += PAGE) {
          Result.Usages page = (Result.Usages) store.answer(new HistoryQuery.Usage(PERSON, Command.BindingRole.BENEFICIARY,
              0, Long.MAX_VALUE, offset, PAGE));
          listed += page.usages().size();
          if (!page.more()) {
            break;
          }
        }
        usageLatency.recordValue((System.nanoTime() - t) / 1_000);
        t = System.nanoTime();
        Result.Reconciliation rec = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile(INSTITUTION, day));
        reconcileLatency.recordValue((System.nanoTime() - t) / 1_000);
        t = System.nanoTime();
        Result.ReconcileLines lines = (Result.ReconcileLines) store.answer(
            new HistoryQuery.ReconcileDetail(INSTITUTION, day, config.settlements() / 2, PAGE));
        detailLatency.recordValue((System.nanoTime() - t) / 1_000);
        ok &= listed == config.usage() && rec.settlements()[0] == config.settlements()
            && rec.settlements()[1] == 10_000L * config.settlements() && lines.lines().size() == Math.min(PAGE,
            config.settlements() - config.settlements() / 2);
      }
      double seconds = (System.nanoTime() - measuredFrom) / 1e9;
      stop.set(true);
      writer.join();
      out.printf(Locale.ROOT, "  writer meanwhile: %.0f records/s in batches of %d (one fsync'd write each)%n",
          (written.get() - writtenFrom) / seconds, BATCH);
      print(out, "ListUsageRecords, all " + config.usage() + " records in pages of " + PAGE, usageLatency);
      print(out, "Reconcile, one institution-day of " + config.settlements(), reconcileLatency);
      print(out, "ListReconcileDetails, a page of " + PAGE + " from the middle of the day", detailLatency);
      out.println("history-bench: answers " + (ok ? "ok" : "WRONG"));
      return ok ? 0 : 1;
    } finally {
      if (config.dir() == null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static HistoryRecord usage(long at, String authorizer, String beneficiary) {
    return new HistoryRecord.Usage(new Result.Usage("SETTLED", at, authorizer, beneficiary, INSTITUTION, "T1", "B1",
        1_000));
  }

  private static void flushIfFull(HistoryStore store, List<HistoryRecord> batch, long[] seq) throws IOException {
    if (batch.size() >= BATCH) {
      store.apply(++seq[0], batch);
      batch.clear();
    }
  }

  private static void print(PrintStream out, String what, Histogram h) {
    out.printf(Locale.ROOT, "  %-58s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", what, h.getTotalCount(),
        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
  }
}
