package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.GatewayConfig;
import gongji.server.Node;
import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.JournalRecovery.CorruptJournalException;
import gongji.server.ledger.JournalRecoveryTest.Pos;
import gongji.server.ledger.JournalRecoveryTest.Rec;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.ledger.storage.Storage;
import gongji.server.testing.ForwardingStorage;
import gongji.server.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The storage fault matrix of issue 11: every fault a disk or an operator can do to a data
 * directory, against the real {@link FileJournal}, {@link JournalRecovery}, {@link LedgerRecovery},
 * {@link Snapshots} and {@link Sequencer} on a {@link SimulatedStorage}. Each fault ends in a
 * recovery that loses nothing acknowledged, or a refusal that names what is missing: never a silent
 * start.
 *
 * <p>A journal here is a seeded workload written in group-committed batches across several
 * segments, with history applied through every batch but the last (history lags, as its applier
 * does, so the journal alone must tell). Seeds are printed on failure; {@code -Dgongji.matrix.seed=N}
 * runs one.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StorageFaultMatrixTest {
  private static final long START_MILLIS = 1_772_413_200_000L;
  private static final long SEGMENT_BYTES = 4096;
  private static final Duration WINDOW = LedgerStates.WINDOW;

  private static long[] seeds() {
    Long only = Long.getLong("gongji.matrix.seed");
    return only != null ? new long[] {only} : new long[] {1, 2, 3};
  }

  private interface SeedBody {
    void run(long seed) throws Exception;
  }

  private static void forEachSeed(SeedBody body) throws Exception {
    for (long seed : seeds()) {
      try {
        body.run(seed);
      } catch (AssertionError | Exception e) {
        throw new AssertionError("seed " + seed + " (replay with -Dgongji.matrix.seed=" + seed + "): " + e, e);
      }
    }
  }

  /** A data directory written by the real journal, with what went into it. */
  private static final class World {
    final SimulatedStorage disk = new SimulatedStorage();
    final List<Rec> records = new ArrayList<>();
    /** History as the applier left it: through every batch but the last. */
    final List<HistoryRecord> historyRecords = new ArrayList<>();
    long historySeq;
    /** The file, first byte and end of the last batch, and the sequence number before it. */
    String lastBatchFile;
    int lastBatchStart;
    int lastBatchEnd;
    long beforeLastBatch;

    World(long seed, int minBatches, int snapshotEveryBatches) throws IOException {
      SplittableRandom random = new SplittableRandom(seed);
      LedgerWorkload workload = new LedgerWorkload(random.split());
      Ledger ledger = new Ledger(WINDOW, ReferenceListener.NONE);
      List<Command> world = new ArrayList<>(workload.world());
      long now = START_MILLIS;
      List<HistoryRecord> unapplied = new ArrayList<>();
      try (FileJournal journal = new FileJournal(disk, 1, SEGMENT_BYTES)) {
        for (int batch = 1; ; batch++) {
          String file = newestSegment(disk);
          int start = disk.read(file).length;
          long before = journal.lastSeq();
          historyRecords.addAll(unapplied);
          historySeq = before;
          unapplied.clear();
          int size = 1 + random.nextInt(6);
          for (int i = 0; i < size; i++) {
            now += workload.nextDelayMillis();
            Command c = !world.isEmpty() ? world.remove(0) : workload.next(ledger);
            workload.observe(ledger.apply(c, now));
            journal.append(c, now);
            records.add(new Rec(journal.lastSeq(), now, c));
            unapplied.addAll(ledger.takeHistory());
          }
          journal.force();
          if (snapshotEveryBatches > 0 && batch % snapshotEveryBatches == 0) {
            historyRecords.addAll(unapplied); // a snapshot waits for history to cover it
            historySeq = journal.lastSeq();
            unapplied.clear();
            Snapshots.write(disk, journal.lastSeq(), ledger::snapshot);
          }
          boolean rotated = !newestSegment(disk).equals(file);
          if (batch >= minBatches && segments(disk).size() >= 2 && !rotated) {
            lastBatchFile = file;
            lastBatchStart = start;
            lastBatchEnd = disk.read(file).length;
            beforeLastBatch = before;
            break;
          }
        }
      }
    }

    /** A history store as the applier left it (a new one each time: recovery catches it up). */
    MemoryHistoryStore history() throws IOException {
      MemoryHistoryStore h = new MemoryHistoryStore();
      h.apply(historySeq, historyRecords);
      return h;
    }

    /** The ledger that exactly the first {@code n} records build. */
    byte[] ledgerOf(long n) {
      Ledger l = new Ledger(WINDOW, ReferenceListener.NONE);
      for (int i = 0; i < n; i++) {
        l.apply(records.get(i).command(), records.get(i).atMillis());
      }
      return LedgerStates.bytes(l);
    }
  }

  private static List<String> segments(Storage disk) throws IOException {
    return JournalRecoveryTest.segments(disk);
  }

  private static String newestSegment(Storage disk) throws IOException {
    List<String> s = segments(disk);
    return s.get(s.size() - 1);
  }

  private static Map<String, byte[]> contents(Storage disk) throws IOException {
    return JournalRecoveryTest.contents(disk);
  }

  private static void assertUnchanged(Map<String, byte[]> before, Storage disk, String what) throws IOException {
    JournalRecoveryTest.assertSameFiles(before, disk, what + ": a refusal changes nothing");
  }

  private static LedgerRecovery.Recovered recover(Storage disk, HistoryStore history) throws IOException {
    return LedgerRecovery.recover(disk, history, WINDOW, ReferenceListener.NONE, true);
  }

  /** The recovered ledger is exactly the one its records build, and holds at least {@code mustHave} of them. */
  private static void assertRecovered(World w, LedgerRecovery.Recovered r, long mustHave, String what) {
    long n = r.journal().lastSeq();
    assertTrue(n >= mustHave, () -> what + ": acknowledged records lost: recovered " + n + ", acknowledged "
        + mustHave);
    assertEquals(List.of(), r.ledger().audit(), what + ": audit");
    assertArrayEquals(w.ledgerOf(n), LedgerStates.bytes(r.ledger()), what + ": the ledger its records build");
  }

  // ---- a crash tears the last batch at any byte ---------------------------------------------

  @Test
  void cutAtEveryByteOfTheLastBatch_recoversEveryAcknowledgedRecord() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 12, 0);
      java.util.Set<Integer> boundaries = new java.util.HashSet<>();
      for (Pos p : JournalRecoveryTest.frames(w.disk)) {
        if (p.file().equals(w.lastBatchFile)) {
          boundaries.add(p.offset());
          boundaries.add(p.end());
        }
      }
      for (int cut = w.lastBatchStart; cut <= w.lastBatchEnd; cut++) {
        String what = "the last batch cut at byte " + cut + " of " + w.lastBatchFile;
        SimulatedStorage disk = w.disk.copy();
        disk.cut(w.lastBatchFile, cut);
        LedgerRecovery.Recovered r = recover(disk, w.history());
        // Torn, the last batch was never acknowledged; every batch before it was.
        assertRecovered(w, r, w.beforeLastBatch, what);
        assertEquals(!boundaries.contains(cut), r.journal().truncated(), what + ": a torn frame is cut and reported");
      }
    });
  }

  // ---- a flipped bit anywhere ---------------------------------------------------------------

  @Test
  void flipABitInEveryByteOfEveryFrame_refusesNamingTheFrameOrLosesNothing() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 8, 0);
      SplittableRandom random = new SplittableRandom(seed);
      int refused = 0;
      int recovered = 0;
      for (Pos frame : JournalRecoveryTest.frames(w.disk)) {
        for (int at = frame.offset(); at < frame.end(); at++) {
          int bit = random.nextInt(8);
          String what = "bit " + bit + " of byte " + at + " in " + frame;
          SimulatedStorage disk = w.disk.copy();
          disk.flipBit(frame.file(), at, bit);
          Map<String, byte[]> before = contents(disk);
          try {
            // Every batch was acknowledged: nothing may be missing.
            assertRecovered(w, recover(disk, w.history()), w.records.size(), what);
            recovered++;
          } catch (CorruptJournalException e) {
            assertNotNull(e.damage(), what);
            assertEquals(frame.file(), e.damage().file(), what + ": " + e.getMessage());
            assertEquals(frame.offset(), e.damage().offset(), what + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("in " + frame.file() + " at offset " + frame.offset()), what);
            assertUnchanged(before, disk, what);
            refused++;
          }
        }
      }
      // Only commit frames may be damaged without a refusal: the records of their batches are whole.
      long commits = JournalRecoveryTest.frames(w.disk).stream().filter(p -> p.seq() < 0).count();
      assertEquals(commits * JournalFormat.COMMIT_BYTES, recovered, "recovered (flips in commit frames)");
      assertTrue(refused > 1_000, "refused: " + refused);
    });
  }

  @Test
  void flipABitInARecordTheSnapshotCovers_recoversEverything() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 16, 3);
      long snapshot = w.disk.list().stream().mapToLong(Snapshots::seqOf).max().orElseThrow();
      List<Pos> covered = JournalRecoveryTest.positions(w.disk).stream().filter(p -> p.seq() <= snapshot).toList();
      assertTrue(covered.size() > 2, "records the newest snapshot covers are still in the journal");
      for (Pos p : List.of(covered.get(0), covered.get(covered.size() / 2), covered.get(covered.size() - 1))) {
        SimulatedStorage disk = w.disk.copy();
        disk.flipBit(p.file(), p.offset() + JournalFormat.HEADER_BYTES / 2, 5);
        LedgerRecovery.Recovered r = recover(disk, w.history());
        assertEquals(snapshot, r.snapshotSeq());
        assertRecovered(w, r, w.records.size(), "a bit flipped in " + p);
      }
    });
  }

  // ---- files gone ---------------------------------------------------------------------------

  @Test
  void deleteTheNewestSegment_refusesNamingItEvenWithHistoryBehind() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 8, 0);
      String newest = newestSegment(w.disk);
      SimulatedStorage disk = w.disk.copy();
      disk.delete(newest);
      Map<String, byte[]> before = contents(disk);

      CorruptJournalException e = assertThrows(CorruptJournalException.class,
          () -> recover(disk, new MemoryHistoryStore()));

      assertEquals(newest, e.damage().file(), e.getMessage());
      assertTrue(e.damage().newestMissing(), e.getMessage());
      assertUnchanged(before, disk, "newest segment deleted");
    });
  }

  /**
   * The manifest is the witness of the newest segment: deleted with it (history behind, so no other
   * witness), or alone, the start refuses naming it, changes nothing, and an explicit acceptance
   * starts from what is there and writes a new manifest.
   */
  @Test
  void deleteTheManifest_withOrWithoutTheNewestSegment_refusesNamingIt_andAcceptanceGoesOn() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 8, 0);
      String newest = newestSegment(w.disk);
      for (boolean withNewest : new boolean[] {false, true}) {
        SimulatedStorage disk = w.disk.copy();
        disk.delete(JournalFormat.MANIFEST);
        if (withNewest) {
          disk.delete(newest);
        }
        String left = newestSegment(disk);
        Map<String, byte[]> before = contents(disk);
        CorruptJournalException e = assertThrows(CorruptJournalException.class,
            () -> recover(disk, new MemoryHistoryStore()), "with the newest segment deleted: " + withNewest);
        assertEquals(left, e.damage().file(), e.getMessage());
        assertTrue(e.getMessage().contains(JournalFormat.MANIFEST + " is missing"), e.getMessage());
        assertUnchanged(before, disk, "manifest deleted");

        LedgerRecovery.Recovered r = LedgerRecovery.recover(disk, new MemoryHistoryStore(), WINDOW,
            ReferenceListener.NONE, true, true, (seq, at, command) -> {});
        assertRecovered(w, r, 0, "accepted");
        assertEquals(withNewest ? JournalFormat.segmentFirstSeq(newest) - 1 : w.records.size(), r.journal().lastSeq());
        new FileJournal(disk, r.nextSeq(), SEGMENT_BYTES, r.acceptedLoss()).close();
        assertTrue(disk.list().contains(JournalFormat.MANIFEST), "a new manifest");
        LedgerRecovery.recover(disk, new MemoryHistoryStore(), WINDOW, ReferenceListener.NONE, true);
      }
    });
  }

  @Test
  void deleteSnapshots_recoversFromAnOlderOneOrTheJournal_orRefusesNamingTheGap() throws Exception {
    forEachSeed(seed -> {
      World w = new World(seed, 16, 3);
      List<String> snapshots = w.disk.list().stream().filter(n -> Snapshots.seqOf(n) >= 0).sorted().toList();
      assertTrue(snapshots.size() >= 2, "snapshots: " + snapshots);

      SimulatedStorage newestGone = w.disk.copy();
      newestGone.delete(snapshots.get(snapshots.size() - 1));
      LedgerRecovery.Recovered r = recover(newestGone, w.history());
      assertEquals(Snapshots.seqOf(snapshots.get(snapshots.size() - 2)), r.snapshotSeq());
      assertRecovered(w, r, w.records.size(), "the newest snapshot deleted");

      SimulatedStorage allGone = w.disk.copy();
      for (String s : snapshots) {
        allGone.delete(s);
      }
      long oldest = JournalFormat.segmentFirstSeq(segments(allGone).get(0));
      if (oldest == 1) {
        assertRecovered(w, recover(allGone, w.history()), w.records.size(), "every snapshot deleted");
      } else {
        CorruptJournalException e = assertThrows(CorruptJournalException.class,
            () -> recover(allGone, w.history()));
        assertTrue(e.getMessage().contains("journal gap"), e.getMessage());
        assertEquals(segments(allGone).get(0), e.damage().file());
      }
    });
  }

  // ---- a directory that cannot be written ---------------------------------------------------

  @Test
  void readOnlyDirectory_refusesInOneLineAndChangesNothing() throws Exception {
    World w = new World(1, 8, 0);
    w.disk.readOnly(true);
    Map<String, byte[]> before = contents(w.disk);

    IOException e = assertThrows(IOException.class,
        () -> Node.open(GatewayConfig.forTests(), MutableClock.atMondayMorning(), w.disk));

    assertTrue(e.getMessage().startsWith("it cannot be written (read-only, full, or another user's?)"), e.getMessage());
    assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertUnchanged(before, w.disk, "read-only");
  }

  // ---- a full disk --------------------------------------------------------------------------

  @Test
  void diskFull_acknowledgesNothingUnwrittenAndRecoversEverythingAcknowledged() throws Exception {
    forEachSeed(seed -> {
      SimulatedStorage disk = new SimulatedStorage();
      SplittableRandom random = new SplittableRandom(seed);
      LedgerWorkload workload = new LedgerWorkload(random.split());
      Ledger shadow = new Ledger(WINDOW, ReferenceListener.NONE);
      MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(START_MILLIS));
      Sequencer sequencer = new Sequencer(new Ledger(WINDOW, ReferenceListener.NONE),
          new FileJournal(disk, 1, SEGMENT_BYTES), clock, Runnable::run,
          new Sequencer.Config(1_024, 4_096, Duration.ofHours(1).toMillis()), Sequencer.BatchObserver.NONE);
      long used = contents(disk).values().stream().mapToLong(b -> b.length).sum();
      disk.capacity(used + 2_000 + random.nextInt(6_000));
      sequencer.start();
      List<Command> world = new ArrayList<>(workload.world());
      List<Command> acknowledged = new ArrayList<>();
      try {
        for (int i = 0; i < 400; i++) {
          Command c = !world.isEmpty() ? world.remove(0) : workload.next(shadow);
          workload.observe(shadow.apply(c, clock.millis()));
          CompletableFuture<Result> f = sequencer.submit(c);
          try {
            f.get(30, TimeUnit.SECONDS);
            acknowledged.add(c);
          } catch (ExecutionException full) {
            break;
          }
        }
      } finally {
        sequencer.close();
      }
      assertNotNull(sequencer.poisonedReason(), "the disk filled up within 400 commands");

      // A snapshot on the full disk fails and leaves no temporary file behind.
      assertThrows(IOException.class, () -> Snapshots.write(disk, acknowledged.size(), shadow::snapshot));
      assertTrue(disk.list().stream().noneMatch(n -> n.endsWith(".tmp")), disk.list()::toString);

      disk.crash(random, SimulatedStorage.Fault.PREFIX);
      disk.capacity(Long.MAX_VALUE); // space freed, then the restart
      LedgerRecovery.Recovered r = recover(disk, null);
      long n = r.journal().lastSeq();
      assertTrue(n >= acknowledged.size(), () -> "acknowledged " + acknowledged.size() + ", recovered " + n);
      assertEquals(List.of(), r.ledger().audit());
    });
  }

  // ---- the way out: accepting the loss ------------------------------------------------------

  @Test
  void acceptLoss_damagedMiddleRecord_goesOnFromBeforeItAndLaterStartsSeeTheLossAsAccepted() throws Exception {
    World w = new World(4, 10, 0);
    String newest = newestSegment(w.disk);
    List<Pos> inNewest = JournalRecoveryTest.positions(w.disk).stream().filter(p -> p.file().equals(newest)).toList();
    Pos damaged = inNewest.get(inNewest.size() / 2);
    w.disk.flipBit(damaged.file(), damaged.offset() + JournalFormat.HEADER_BYTES, 3);
    assertThrows(CorruptJournalException.class, () -> recover(w.disk.copy(), w.history()));

    LedgerRecovery.Recovered r = LedgerRecovery.recover(w.disk, w.history(), WINDOW, ReferenceListener.NONE, true,
        true, (seq, at, command) -> {});

    assertEquals(damaged.seq() - 1, r.journal().lastSeq());
    assertArrayEquals(w.ledgerOf(damaged.seq() - 1), LedgerStates.bytes(r.ledger()));
    assertEquals(new JournalRecovery.Loss(damaged.seq(), w.records.size(), r.acceptedLoss().atMillis()),
        r.acceptedLoss());
    assertTrue(w.disk.list().contains(damaged.file() + ".damaged"), w.disk.list()::toString);
    assertEquals(w.records.size() + 1, r.nextSeq(), "no sequence number is used twice");

    // The node goes on after the loss; the next start, without the flag, sees it as accepted.
    Command next = new Command.Tick();
    try (FileJournal journal = new FileJournal(w.disk, r.nextSeq(), SEGMENT_BYTES, r.acceptedLoss())) {
      journal.append(next, START_MILLIS + 86_400_000L);
      journal.force();
    }
    LedgerRecovery.Recovered again = recover(w.disk, null);
    assertEquals(w.records.size() + 1, again.journal().lastSeq());
    assertEquals(List.of(r.acceptedLoss()), again.journal().acceptedLosses());
    assertEquals(List.of(), again.ledger().audit());
  }

  // ---- temporary files -----------------------------------------------------------------------

  @Test
  void start_removesStaleTemporaryFiles() throws Exception {
    World w = new World(5, 4, 0);
    for (String tmp : List.of(Snapshots.name(3) + ".tmp", JournalFormat.MANIFEST + ".tmp")) {
      try (Storage.AppendFile f = w.disk.create(tmp)) {
        f.append(new byte[100], 0, 100);
        f.force();
      }
    }

    recover(w.disk, w.history());

    assertTrue(w.disk.list().stream().noneMatch(n -> n.endsWith(".tmp")), w.disk.list()::toString);
  }

  /** Finding 5 of issue 11: a snapshot whose rename failed left its temporary file behind. */
  @Test
  void snapshotWrite_renameFails_removesItsTemporaryFile() throws Exception {
    World w = new World(6, 4, 0);
    Storage renameFails = new ForwardingStorage(w.disk) {
      @Override
      public void rename(String from, String to) throws IOException {
        throw new IOException("simulated rename failure");
      }
    };
    Ledger ledger = new Ledger(WINDOW, ReferenceListener.NONE);

    assertThrows(IOException.class, () -> Snapshots.write(renameFails, 1, ledger::snapshot));

    assertTrue(w.disk.list().stream().noneMatch(n -> n.endsWith(".tmp")), w.disk.list()::toString);
  }
}
