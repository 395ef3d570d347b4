package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.JournalRecovery.CorruptJournalException;
import gongji.server.ledger.storage.SimulatedStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A crash between the journal and the history store loses and duplicates nothing: seeded runs of a
 * node's life on a simulated disk, as the sequencer, the history applier and the snapshot writer
 * interleave their writes, cut at a random moment; recovery must bring back a ledger and a history
 * equal to those that exactly the surviving journal builds.
 *
 * <p>Each run: batches of workload commands are applied, journaled and forced (the last batch
 * perhaps not forced); the history applier lags by a random number of batches and applies what it
 * takes in one write; snapshots are taken at random and written once history has caught up with
 * them and flushed (as the node does). Then the power fails: unforced journal bytes are dropped or
 * torn, and the history store keeps the writes up to some point at or after its last flush (RocksDB
 * without its own write-ahead log keeps whole writes up to its last memtable flush, made when the
 * memtable filled or when asked). Sometimes history is also set back to an
 * older state (a restored backup): recovery then starts from an older snapshot, or refuses with a
 * journal gap when the journal no longer reaches back far enough, never silently.
 */
class HistoryRecoveryTest {
  private static final int SEEDS = Integer.getInteger("gongji.history.seeds", 10_000);
  private static final long START_MILLIS = 1_764_036_000_000L;
  private static final SimulatedStorage.Fault[] FAULTS = {SimulatedStorage.Fault.DROP, SimulatedStorage.Fault.PREFIX,
      SimulatedStorage.Fault.TORN_SECTOR};

  @BeforeAll
  static void quiet() {
    Logger.getLogger("gongji").setLevel(Level.OFF);
  }

  @AfterAll
  static void loud() {
    Logger.getLogger("gongji").setLevel(null);
  }

  @Test
  void recover_afterACrashBetweenJournalAndHistory_historyIsExactlyWhatTheJournalBuilds() throws IOException {
    int refusedForGap = 0;
    int fromOlderSnapshot = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      try {
        Outcome o = run(seed);
        refusedForGap += o == Outcome.REFUSED_GAP ? 1 : 0;
        fromOlderSnapshot += o == Outcome.OLDER_SNAPSHOT ? 1 : 0;
      } catch (AssertionError | IOException | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay: -Dgongji.history.seeds=" + seed + "): " + e, e);
      }
    }
    assertTrue(fromOlderSnapshot > 0, "some runs started from a snapshot older than the newest");
    assertTrue(refusedForGap < SEEDS / 10, "only a set-back history without the journal to rebuild it is refused");
  }

  enum Outcome { RECOVERED, OLDER_SNAPSHOT, REFUSED_GAP }

  private static Outcome run(long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    SimulatedStorage disk = new SimulatedStorage();
    MemoryHistoryStore history = new MemoryHistoryStore();
    List<MemoryHistoryStore> backups = new ArrayList<>();
    LedgerWorkload workload = new LedgerWorkload(random.split());
    Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    List<JournalRecoveryTest.Rec> appended = new ArrayList<>();
    List<Long> batchEnds = new ArrayList<>();
    List<List<HistoryRecord>> batchRecords = new ArrayList<>();
    int applierAt = 0; // batches history has applied
    int flushedAt = 0; // the store's states from backups.get(flushedAt) on survive a crash
    long forcedSeq = 0;
    long now = START_MILLIS;
    List<Command> world = new ArrayList<>(workload.world());
    int batches = 3 + random.nextInt(30);
    int segmentBytes = 4_096 + random.nextInt(2_048);
    // Half the runs let closed sales and old request entries go to history, looked up in the lagging store.
    long recentWindow = random.nextBoolean() ? 0 : new long[] {500, 3_000, 60_000}[random.nextInt(3)];
    Recaller recaller = new Recaller(history);
    try (FileJournal journal = new FileJournal(disk, 1, segmentBytes)) {
      for (int b = 0; b < batches; b++) {
        now += workload.nextDelayMillis();
        List<HistoryRecord> made = new ArrayList<>();
        if (recentWindow > 0 && ledger.sweepDue(now, recentWindow)) {
          Command sweep = new Command.Sweep(recentWindow, 1 + random.nextInt(40));
          ledger.apply(sweep, now);
          journal.append(sweep, now);
          appended.add(new JournalRecoveryTest.Rec(journal.lastSeq(), now, sweep));
          made.addAll(ledger.takeHistory());
        }
        for (int n = 1 + random.nextInt(6); n > 0; n--) {
          Command c = !world.isEmpty() ? world.remove(0) : workload.next(ledger);
          if (recentWindow > 0) {
            c = recaller.recall(c);
          }
          Result r = ledger.apply(c, now);
          if (r instanceof Result.Stale) {
            continue; // history lags the sweeps: the sequencer would look it up again later; here it is dropped
          }
          workload.observe(r);
          if (c.mutating()) {
            journal.append(c, now);
            appended.add(new JournalRecoveryTest.Rec(journal.lastSeq(), now, c));
          }
          made.addAll(ledger.takeHistory());
        }
        boolean lastAndUnforced = b == batches - 1 && random.nextInt(3) == 0;
        if (lastAndUnforced) {
          break; // the power fails before the force: never acknowledged, never in history
        }
        journal.force();
        forcedSeq = journal.lastSeq();
        batchEnds.add(forcedSeq);
        batchRecords.add(made);
        // The applier catches up on some of what is queued, in one write.
        int upTo = applierAt + random.nextInt(batchEnds.size() - applierAt + 1);
        applierAt = applyUpTo(history, batchEnds, batchRecords, applierAt, upTo, backups);
        if (random.nextInt(4) == 0) {
          // A snapshot of the state now, written once history has caught up with it.
          long seq = journal.lastSeq();
          byte[] image = Snapshots.image(ledger, seq);
          applierAt = applyUpTo(history, batchEnds, batchRecords, applierAt, batchEnds.size(), backups);
          flushedAt = backups.size(); // the state now: the one the next write's backup keeps
          Snapshots.write(disk, seq, image);
        }
      }
    }
    disk.crash(random, FAULTS[random.nextInt(FAULTS.length)]);
    // What history kept: its state at the last flush, or after one of the writes since.
    int kept = flushedAt + random.nextInt(backups.size() - flushedAt + 1);
    MemoryHistoryStore survived = kept == backups.size() ? history.copy() : backups.get(kept).copy();
    boolean setBack = !backups.isEmpty() && random.nextInt(8) == 0;
    if (setBack) {
      survived = backups.get(random.nextInt(backups.size())).copy();
    }

    LedgerRecovery.Recovered r;
    try {
      r = LedgerRecovery.recover(disk, survived, LedgerStates.WINDOW, ReferenceListener.NONE, true);
    } catch (CorruptJournalException e) {
      assertTrue(setBack && e.getMessage().contains("gap"), () -> "refused to start: " + e.getMessage());
      return Outcome.REFUSED_GAP;
    }
    long n = r.journal().lastSeq();
    long forced = forcedSeq;
    assertTrue(n >= forced, () -> "lost forced records: recovered " + n + " < " + forced);
    assertTrue(n <= appended.size(), "recovered records that were never appended");

    // What exactly the surviving journal builds, history included.
    Ledger reference = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    MemoryHistoryStore referenceHistory = new MemoryHistoryStore();
    for (int i = 0; i < n; i++) {
      JournalRecoveryTest.Rec rec = appended.get(i);
      reference.apply(rec.command(), rec.atMillis());
      referenceHistory.apply(rec.seq(), reference.takeHistory());
    }
    assertArrayEquals(LedgerStates.bytes(reference), LedgerStates.bytes(r.ledger()), "the recovered ledger");
    assertEquals(List.of(), r.ledger().audit());
    assertEquals(n, survived.appliedSeq(), "history caught up with the journal");
    assertEquals(referenceHistory.sweeps(), survived.sweeps(), "the sweeps history has applied");
    for (int i = 0; i < n; i++) {
      // Every image history holds is the one the surviving journal made last under its key.
      if (appended.get(i).command() instanceof Command.Recalled rc && !rc.txnId().isEmpty()) {
        assertArrayEquals(referenceHistory.saleImage(rc.txnId()), survived.saleImage(rc.txnId()), rc.txnId());
        assertArrayEquals(referenceHistory.requestImage(rc.requestKey()), survived.requestImage(rc.requestKey()),
            rc.requestKey());
      }
    }
    long firstDay = Ledger.localDay(START_MILLIS);
    long lastDay = Ledger.localDay(Math.max(now, START_MILLIS));
    LedgerStates.assertSameAnswers(LedgerStates.describeHistory(referenceHistory, workload.people(), firstDay, lastDay),
        LedgerStates.describeHistory(survived, workload.people(), firstDay, lastDay), "history after recovery");
    return r.snapshotSeq() > 0 && r.snapshotSeq() < newestSnapshot(disk) ? Outcome.OLDER_SNAPSHOT : Outcome.RECOVERED;
  }

  /** Applies the queued batches {@code from..to-1} in one write; keeps a backup of the store before it. */
  private static int applyUpTo(MemoryHistoryStore history, List<Long> ends, List<List<HistoryRecord>> records,
      int from, int to, List<MemoryHistoryStore> backups) {
    if (to <= from) {
      return from;
    }
    backups.add(history.copy());
    List<HistoryRecord> all = new ArrayList<>();
    for (int i = from; i < to; i++) {
      all.addAll(records.get(i));
    }
    history.apply(ends.get(to - 1), all);
    return to;
  }

  private static long newestSnapshot(SimulatedStorage disk) {
    long newest = 0;
    for (String name : disk.list()) {
      newest = Math.max(newest, Snapshots.seqOf(name));
    }
    return newest;
  }
}
