package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.LedgerStates.Recovered;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of the ledger: an image restores to an equal ledger (same answers to every query, same
 * replies to old request ids, same future), the files are written so that a damaged newest one
 * falls back to an older one, pruning never drops a record no kept snapshot covers, and recovery
 * from a snapshot plus the journal after it equals replaying the whole journal.
 *
 * <p>Workloads come from seeds; a failure names its seed, and {@code -Dgongji.snapshot.seed=N}
 * runs one.
 */
class SnapshotTest {
  private static final int SEEDS = Integer.getInteger("gongji.snapshot.seeds", 40);
  private static final long START_MILLIS = 1_772_413_200_000L;
  private static final Logger SNAPSHOT_LOG = Logger.getLogger(Snapshots.class.getName());
  private static Level savedLevel;

  @BeforeAll
  static void quiet() {
    // Damaged snapshots are expected here; their warnings are not news.
    savedLevel = SNAPSHOT_LOG.getLevel();
    SNAPSHOT_LOG.setLevel(Level.SEVERE);
  }

  @AfterAll
  static void loud() {
    SNAPSHOT_LOG.setLevel(savedLevel);
  }

  private interface SeedBody {
    void run(long seed) throws IOException;
  }

  private static void forEachSeed(int seeds, SeedBody body) throws IOException {
    Long only = Long.getLong("gongji.snapshot.seed");
    long from = only != null ? only : 1;
    int n = only != null ? 1 : seeds;
    for (long seed = from; seed < from + n; seed++) {
      try {
        body.run(seed);
      } catch (AssertionError | RuntimeException | IOException e) {
        throw new AssertionError("seed " + seed + " (replay with -Dgongji.snapshot.seed=" + seed + "): " + e, e);
      }
    }
  }

  /** A ledger driven by a workload, step by step, with what it was sent. */
  private static final class Driven {
    final LedgerWorkload workload;
    final SplittableRandom random;
    final Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    final Set<String> txnIds = new TreeSet<>();
    final List<Command> world;
    long now = START_MILLIS;

    Driven(long seed) {
      random = new SplittableRandom(seed);
      workload = new LedgerWorkload(random.split());
      world = workload.world();
      for (Command c : world) {
        apply(c);
      }
    }

    /** Applies the next command of the workload; returns it with its result. */
    Command step() {
      now += workload.nextDelayMillis();
      Command c = workload.next(ledger);
      apply(c);
      return c;
    }

    Result apply(Command c) {
      Result r = ledger.apply(c, now);
      workload.observe(r);
      if (r instanceof Result.Sale s) {
        txnIds.add(s.txn().txnId());
      }
      return r;
    }

    Set<String> requestIds() {
      Set<String> ids = new LinkedHashSet<>();
      workload.keyed().forEach(k -> ids.add(k.requestId()));
      return ids;
    }

    String describe(Ledger l) {
      return LedgerStates.describe(l, workload.people(), txnIds, requestIds());
    }
  }

  // ---- snapshot() and restore() ------------------------------------------------------------

  @Test
  void restore_ofASnapshotAfterARandomWorkload_isTheSameLedger() throws IOException {
    forEachSeed(SEEDS, seed -> {
      Driven d = new Driven(seed);
      for (int i = 0; i < 150; i++) {
        d.step();
      }
      byte[] image = LedgerStates.bytes(d.ledger);

      Ledger restored = Ledger.restore(ByteBuffer.wrap(image), LedgerStates.WINDOW, ReferenceListener.NONE);

      assertArrayEquals(image, LedgerStates.bytes(restored), "snapshot of the restored ledger");
      assertEquals(List.of(), d.ledger.audit());
      assertEquals(List.of(), restored.audit());
      assertEquals(d.ledger.nowMillis(), restored.nowMillis());
      for (String p : d.workload.people()) {
        assertEquals(d.ledger.balanceOf(p), restored.balanceOf(p), p);
        assertEquals(d.ledger.heldOf(p), restored.heldOf(p), p);
      }
      LedgerStates.assertSameAnswers(d.describe(d.ledger), d.describe(restored), "answers to every query");
      // Old request ids: the same reply from both, at the same time.
      for (Command.Keyed k : d.workload.keyed()) {
        assertEquals(LedgerStates.text(d.ledger.apply(k, d.now)), LedgerStates.text(restored.apply(k, d.now)),
            () -> "replay of " + k.requestId());
      }
      // And the same future: the next commands get the same replies and leave the same state.
      for (int i = 0; i < 60; i++) {
        d.now += d.workload.nextDelayMillis();
        Command c = d.workload.next(d.ledger);
        Result expected = d.apply(c);
        Result actual = restored.apply(c, d.now);
        assertEquals(LedgerStates.text(expected), LedgerStates.text(actual), () -> "after restore: " + c);
      }
      assertArrayEquals(LedgerStates.bytes(d.ledger), LedgerStates.bytes(restored), "after 60 more commands");
      LedgerStates.assertSameAnswers(d.describe(d.ledger), d.describe(restored), "answers after 60 more commands");
    });
  }

  /**
   * A beneficiary's usage records from two authorizers, interleaved in time and two of them at the
   * same instant (one batch), come back in the order they happened. (Found by the test above: the
   * snapshot wrote them authorizer by authorizer, and the beneficiary's list came back grouped so.)
   */
  @Test
  void history_usageRecordsOfABeneficiaryFromTwoAuthorizers_comeOldestFirst() {
    Ledger l = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    long t = START_MILLIS;
    for (String p : new String[] {"PSNA1", "PSNA2", "PSNR"}) {
      l.apply(new Command.UpsertInsured(new gongji.server.domain.Insured(p, "人", p.equals("PSNR")
          ? gongji.server.domain.InsuranceType.RESIDENT_BASIC : gongji.server.domain.InsuranceType.EMPLOYEE_BASIC,
          gongji.server.domain.InsuredStatus.NORMAL, "620100", List.of())), t);
    }
    l.apply(new Command.Credit("K1", 1, "PSNA1", 100_000), t);
    l.apply(new Command.Credit("K2", 2, "PSNA2", 100_000), t);
    l.apply(new Command.CreateBinding("PSNA1", "PSNR", gongji.server.domain.Relationship.PARENT, 0), t);
    l.apply(new Command.CreateBinding("PSNA2", "PSNR", gongji.server.domain.Relationship.PARENT, 0), t);
    String[] payers = {"PSNA2", "PSNA1", "PSNA2", "PSNA1", "PSNA2", "PSNA1"};
    long[] times = {t + 1, t + 2, t + 3, t + 4, t + 4, t + 5};
    for (int i = 0; i < payers.length; i++) {
      Result r = l.apply(new Command.PayPremium("M" + i, i, payers[i], "PSNR", 100 + i, 2026), times[i]);
      assertTrue(r instanceof Result.Premium, r::toString);
    }
    gongji.server.history.MemoryHistoryStore history = new gongji.server.history.MemoryHistoryStore();
    history.apply(1, l.takeHistory());
    HistoryQuery usage = new HistoryQuery.Usage("PSNR", Command.BindingRole.BENEFICIARY, 0, Long.MAX_VALUE, 0, 100);
    Result listed = history.answer(usage);

    Ledger restored = LedgerStates.copy(l);

    assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L),
        ((Result.Usages) listed).usages().stream().map(Result.Usage::amountFen).toList());
    for (String p : new String[] {"PSNA1", "PSNA2"}) {
      Result own = history.answer(new HistoryQuery.Usage(p, Command.BindingRole.AUTHORIZER, 0, Long.MAX_VALUE, 0, 100));
      assertEquals(3, ((Result.Usages) own).usages().size(), p);
    }
    assertEquals(List.of(), restored.takeHistory(), "a snapshot holds no history");
    assertArrayEquals(LedgerStates.bytes(l), LedgerStates.bytes(restored));
  }

  @Test
  void restore_ofAnEmptyLedger_isAnEmptyLedger() {
    Ledger empty = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    byte[] image = LedgerStates.bytes(empty);
    Ledger restored = Ledger.restore(ByteBuffer.wrap(image), LedgerStates.WINDOW, ReferenceListener.NONE);
    assertArrayEquals(image, LedgerStates.bytes(restored));
    assertEquals(List.of(), restored.audit());
  }

  @Test
  void image_fromAnyBufferSize_isTheSameBytes() throws IOException {
    forEachSeed(SEEDS / 4, seed -> {
      Driven d = new Driven(seed);
      for (int i = 0; i < 40; i++) {
        d.step();
      }
      byte[] image = Snapshots.image(d.ledger, 77);
      // None, too small (grown as before), exactly right (the buffer itself, no copy), larger (copied to size).
      for (int hint : new int[] {0, image.length / 3, image.length, image.length + image.length / 8 + 1}) {
        assertArrayEquals(image, Snapshots.image(d.ledger, 77, hint), "from a buffer of " + hint + " bytes");
      }
      // The next image starts from the size of the last one written out, or of the one read.
      assertEquals(image.length, d.ledger.imageBytes());
      Ledger read = Snapshots.decode(image, 77, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
      assertEquals(image.length, read.imageBytes());
      assertArrayEquals(image, Snapshots.image(read, 77));
    });
  }

  // ---- Snapshots: files ----------------------------------------------------------------------

  @Test
  void loadNewest_afterWrite_givesTheSameLedgerEvenAfterACrash() throws IOException {
    forEachSeed(SEEDS / 4, seed -> {
      Driven d = new Driven(seed);
      SimulatedStorage disk = new SimulatedStorage();
      for (int i = 0; i < 40; i++) {
        d.step();
      }
      byte[] image = Snapshots.image(d.ledger, 77);
      Snapshots.write(disk, 77, image);
      disk.crash(new SplittableRandom(seed), SimulatedStorage.Fault.TORN_SECTOR);

      Snapshots.Loaded loaded = Snapshots.loadNewest(disk, LedgerStates.WINDOW, ReferenceListener.NONE);

      assertNotNull(loaded);
      assertEquals(77, loaded.seq());
      assertEquals(Snapshots.name(77), loaded.file());
      assertArrayEquals(LedgerStates.bytes(d.ledger), LedgerStates.bytes(loaded.ledger()));
      assertEquals(List.of(Snapshots.name(77)), disk.list(), "no temporary file is left");
    });
  }

  @Test
  void loadNewest_newestDamagedAnywhere_fallsBackToTheOlderOne() throws IOException {
    forEachSeed(SEEDS / 4, seed -> {
      Driven d = new Driven(seed);
      SimulatedStorage disk = new SimulatedStorage();
      for (int i = 0; i < 30; i++) {
        d.step();
      }
      byte[] older = LedgerStates.bytes(d.ledger);
      Snapshots.write(disk, 10, Snapshots.image(d.ledger, 10));
      for (int i = 0; i < 30; i++) {
        d.step();
      }
      byte[] newestImage = Snapshots.image(d.ledger, 20);
      Snapshots.write(disk, 20, newestImage);
      SplittableRandom random = new SplittableRandom(seed);
      List<Integer> offsets = new ArrayList<>();
      for (int at = 0; at < Snapshots.HEADER_BYTES + 8; at++) {
        offsets.add(at); // every header byte and the start of the payload
      }
      for (int at = newestImage.length - Snapshots.TRAILER_BYTES - 8; at < newestImage.length; at++) {
        offsets.add(at); // the end of the payload and every trailer byte
      }
      for (int i = 0; i < 40; i++) {
        offsets.add(random.nextInt(newestImage.length));
      }
      offsets.add(newestImage.length - 1);
      for (int at : offsets) {
        SimulatedStorage damaged = disk.copy();
        damaged.flipBit(Snapshots.name(20), at, random.nextInt(8));
        Snapshots.Loaded loaded = Snapshots.loadNewest(damaged, LedgerStates.WINDOW, ReferenceListener.NONE);
        assertNotNull(loaded, () -> "byte " + at);
        assertEquals(10, loaded.seq(), () -> "byte " + at);
        assertArrayEquals(older, LedgerStates.bytes(loaded.ledger()), () -> "byte " + at);
      }
      for (int cut : new int[] {0, 5, Snapshots.HEADER_BYTES, newestImage.length / 2,
          newestImage.length - Snapshots.TRAILER_BYTES, newestImage.length - 1}) {
        SimulatedStorage damaged = disk.copy();
        damaged.cut(Snapshots.name(20), cut);
        Snapshots.Loaded loaded = Snapshots.loadNewest(damaged, LedgerStates.WINDOW, ReferenceListener.NONE);
        assertEquals(10, loaded.seq(), () -> "cut at " + cut);
      }
      SimulatedStorage both = disk.copy();
      both.flipBit(Snapshots.name(20), Snapshots.HEADER_BYTES, 3);
      both.flipBit(Snapshots.name(10), 2, 0);
      assertNull(Snapshots.loadNewest(both, LedgerStates.WINDOW, ReferenceListener.NONE), "both damaged");
    });
  }

  @Test
  void loadNewest_snapshotRenamedToAnotherSequence_isSkipped() throws IOException {
    Driven d = new Driven(3);
    SimulatedStorage disk = new SimulatedStorage();
    Snapshots.write(disk, 5, Snapshots.image(d.ledger, 5));
    disk.rename(Snapshots.name(5), Snapshots.name(9));
    disk.syncDirectory();
    assertNull(Snapshots.loadNewest(disk, LedgerStates.WINDOW, ReferenceListener.NONE));
  }

  @Test
  void write_leftoverTemporaryFileFromACrash_isReplacedAndCleanedUp() throws IOException {
    Driven d = new Driven(4);
    SimulatedStorage disk = new SimulatedStorage();
    try (Storage.AppendFile f = disk.create(Snapshots.name(8) + ".tmp")) {
      f.append(new byte[] {1, 2, 3}, 0, 3);
      f.force();
    }
    try (Storage.AppendFile f = disk.create(Snapshots.name(3) + ".tmp")) {
      f.append(new byte[] {4}, 0, 1);
    }
    disk.syncDirectory();

    Snapshots.write(disk, 8, Snapshots.image(d.ledger, 8));

    assertEquals(List.of(Snapshots.name(8)), disk.list());
    assertEquals(8, Snapshots.loadNewest(disk, LedgerStates.WINDOW, ReferenceListener.NONE).seq());
  }

  // ---- journal and snapshots together --------------------------------------------------------

  /**
   * A node's life without crashes: commands applied and journaled in batches onto two disks, one
   * that also takes snapshots (and prunes) now and then and one that keeps the whole journal.
   */
  private static final class Life {
    final Driven d;
    final SimulatedStorage disk = new SimulatedStorage();
    final SimulatedStorage whole = new SimulatedStorage();
    final FileJournal journal;
    final FileJournal wholeJournal;
    final List<Long> snapshots = new ArrayList<>();

    Life(long seed) throws IOException {
      d = new Driven(seed);
      journal = new FileJournal(disk, 1, 4096);
      wholeJournal = new FileJournal(whole, 1, 4096);
      // The world was applied already; journal it as the first batch.
      for (Command c : d.world) {
        journal.append(c, START_MILLIS);
        wholeJournal.append(c, START_MILLIS);
      }
      journal.force();
      wholeJournal.force();
    }

    void batch(int n) throws IOException {
      for (int i = 0; i < n; i++) {
        Command c = d.step();
        journal.append(c, d.now);
        wholeJournal.append(c, d.now);
      }
      journal.force();
      wholeJournal.force();
    }

    void snapshot() throws IOException {
      long seq = journal.lastSeq();
      Snapshots.write(disk, seq, Snapshots.image(d.ledger, seq));
      snapshots.add(seq);
    }
  }

  @Test
  void write_pruning_neverDropsARecordThatNoKeptSnapshotCovers() throws IOException {
    forEachSeed(SEEDS / 2, seed -> {
      Life life = new Life(seed);
      SplittableRandom random = new SplittableRandom(seed ^ 0xC0FFEE);
      for (int round = 0; round < 12; round++) {
        for (int b = random.nextInt(1, 6); b > 0; b--) {
          life.batch(1 + random.nextInt(8));
        }
        life.snapshot();
        checkPruned(life);
      }
    });
  }

  private static void checkPruned(Life life) throws IOException {
    List<Long> kept = new ArrayList<>();
    List<String> segments = JournalRecoveryTest.segments(life.disk);
    for (String n : life.disk.list()) {
      if (Snapshots.seqOf(n) >= 0) {
        kept.add(Snapshots.seqOf(n));
      }
    }
    assertTrue(kept.size() <= 3, () -> "snapshots kept: " + kept);
    assertTrue(kept.contains(life.snapshots.get(life.snapshots.size() - 1)), "the newest snapshot is kept");
    // Both journals have the same segments; pruning leaves a suffix of them, with the one being written.
    List<String> all = JournalRecoveryTest.segments(life.whole);
    assertEquals(all.subList(all.size() - segments.size(), all.size()), segments, "segments left after pruning");
    assertTrue(!segments.isEmpty(), "the segment being written was pruned");
    byte[] expected = LedgerStates.bytes(life.d.ledger);
    // From every kept snapshot, the journal still has every record after it.
    for (long s : kept) {
      SimulatedStorage onlyThis = life.disk.copy();
      for (long other : kept) {
        if (other != s) {
          onlyThis.delete(Snapshots.name(other));
        }
      }
      Recovered r = LedgerStates.recover(onlyThis);
      assertEquals(s, r.snapshotSeq(), () -> "snapshot " + s);
      assertEquals(life.journal.lastSeq(), r.report().lastSeq(), () -> "from snapshot " + s + " with " + segments);
      assertArrayEquals(expected, LedgerStates.bytes(r.ledger()), () -> "state from snapshot " + s);
    }
  }

  @Test
  void recover_snapshotPlusJournalTail_equalsReplayingTheWholeJournal() throws IOException {
    forEachSeed(SEEDS / 2, seed -> {
      Life life = new Life(seed);
      SplittableRandom random = new SplittableRandom(seed ^ 0xBEEF);
      for (int round = 0; round < 8; round++) {
        for (int b = random.nextInt(1, 5); b > 0; b--) {
          life.batch(1 + random.nextInt(8));
        }
        if (random.nextInt(3) > 0) {
          life.snapshot();
        }
        Recovered fromSnapshot = LedgerStates.recover(life.disk.copy());
        Recovered fromJournal = LedgerStates.recover(life.whole.copy());
        assertEquals(0, fromJournal.snapshotSeq());
        assertEquals(life.journal.lastSeq(), fromSnapshot.report().lastSeq());
        assertEquals(life.journal.lastSeq(), fromJournal.report().lastSeq());
        assertArrayEquals(LedgerStates.bytes(fromJournal.ledger()), LedgerStates.bytes(fromSnapshot.ledger()),
            () -> "round with snapshots " + life.snapshots);
        assertArrayEquals(LedgerStates.bytes(life.d.ledger), LedgerStates.bytes(fromSnapshot.ledger()));
        LedgerStates.assertSameAnswers(life.d.describe(life.d.ledger), life.d.describe(fromSnapshot.ledger()),
            "recovered from " + fromSnapshot.snapshotSeq());
        assertEquals(List.of(), fromSnapshot.ledger().audit());
      }
    });
  }

  /**
   * The only snapshot damaged after it pruned the journal, and the journal's last segment empty
   * (a restart, or a segment rotation, opened it): recovery must refuse, not start an empty ledger.
   */
  @Test
  void recover_onlySnapshotDamagedAfterPruningAndEmptyLastSegment_refusesInsteadOfStartingEmpty() throws IOException {
    Life life = new Life(5);
    for (int b = 0; b < 12; b++) {
      life.batch(6);
    }
    long next = life.journal.nextSeq();
    life.journal.close();
    new FileJournal(life.disk, next, 4096).close(); // a restart that opened its segment and stopped
    life.snapshot();
    assertEquals(List.of(JournalFormat.segmentName(next)), JournalRecoveryTest.segments(life.disk), "pruned");
    assertEquals(next - 1, LedgerStates.recover(life.disk.copy()).report().lastSeq());
    life.disk.flipBit(Snapshots.name(next - 1), Snapshots.HEADER_BYTES + 3, 1);

    assertThrows(JournalRecovery.CorruptJournalException.class, () -> LedgerStates.recover(life.disk));
  }

  @Test
  void recover_afterASnapshotWriteThatDidNotFinish_deletesItsTemporaryFile() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    try (gongji.server.ledger.storage.Storage.AppendFile f = disk.create(Snapshots.name(9) + ".tmp")) {
      f.append(new byte[] {1, 2, 3}, 0, 3);
      f.force();
    }
    disk.syncDirectory();

    LedgerStates.recover(disk);

    assertEquals(List.of(), disk.list().stream().filter(n -> n.endsWith(".tmp")).toList());
  }
}
