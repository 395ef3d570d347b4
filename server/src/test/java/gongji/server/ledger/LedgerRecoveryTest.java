package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.JournalRecovery.CorruptJournalException;
import gongji.server.ledger.storage.SimulatedStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * History as a witness of what was acknowledged: it applies a batch only after the journal forced
 * it, so a journal that ends before history's number has lost acknowledged records. Recovery refuses
 * such a journal, without cutting or writing anything, instead of starting without them.
 */
class LedgerRecoveryTest {
  private static final long T0 = 1_764_036_000_000L;

  /** A journal of the workload's world, forced, with history applied through its last record. */
  private static final class Node {
    final SimulatedStorage disk = new SimulatedStorage();
    final MemoryHistoryStore history = new MemoryHistoryStore();
    long lastSeq;

    Node() throws IOException {
      Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
      LedgerWorkload workload = new LedgerWorkload(new SplittableRandom(3));
      List<HistoryRecord> made = new ArrayList<>();
      try (FileJournal journal = new FileJournal(disk, 1, 4_096)) {
        for (Command c : workload.world()) {
          workload.observe(ledger.apply(c, T0));
          journal.append(c, T0);
          made.addAll(ledger.takeHistory());
        }
        journal.force();
        lastSeq = journal.lastSeq();
      }
      history.apply(lastSeq, made);
    }

    String newestSegment() {
      String newest = null;
      for (String n : disk.list()) {
        if (JournalFormat.segmentFirstSeq(n) >= 0
            && (newest == null || JournalFormat.segmentFirstSeq(n) > JournalFormat.segmentFirstSeq(newest))) {
          newest = n;
        }
      }
      return newest;
    }
  }

  @Test
  void recover_newestSegmentDeleted_refusesNamingTheMissingRecords() throws IOException {
    Node n = new Node();
    n.disk.delete(n.newestSegment());

    CorruptJournalException e = assertThrows(CorruptJournalException.class,
        () -> LedgerRecovery.recover(n.disk, n.history, LedgerStates.WINDOW, ReferenceListener.NONE, true));

    assertTrue(e.getMessage().contains("history has applied up to record " + n.lastSeq), e.getMessage());
    assertTrue(e.getMessage().contains("at least through " + n.lastSeq), e.getMessage());
  }

  @Test
  void recover_aBitFlippedInTheLastAcknowledgedRecord_refusesAndCutsNothing() throws IOException {
    Node n = new Node();
    String segment = n.newestSegment();
    byte[] before = n.disk.read(segment);
    n.disk.flipBit(segment, before.length - JournalFormat.COMMIT_BYTES - 3, 1); // the last record, not its commit
    byte[] damaged = n.disk.read(segment);

    CorruptJournalException e = assertThrows(CorruptJournalException.class,
        () -> LedgerRecovery.recover(n.disk, n.history, LedgerStates.WINDOW, ReferenceListener.NONE, true));

    assertTrue(e.getMessage().contains("in " + segment + " at offset "), e.getMessage());
    assertArrayEquals(damaged, n.disk.read(segment), "nothing cut from a journal that lost acknowledged records");
  }

  @Test
  void recover_aTornWriteAfterWhatHistoryApplied_isCutAndTheRestRecovered() throws IOException {
    Node n = new Node();
    String segment = n.newestSegment();
    byte[] torn = {0x47, 0x4A, 0x4C, 0x31, 9, 9, 9}; // the start of a record whose write was cut
    n.disk.appendDurable(segment, torn);

    LedgerRecovery.Recovered r = LedgerRecovery.recover(n.disk, n.history, LedgerStates.WINDOW, ReferenceListener.NONE,
        true);

    assertEquals(n.lastSeq, r.journal().lastSeq());
    assertTrue(r.journal().truncated());
    assertEquals(List.of(), r.ledger().audit());
  }

  /**
   * Finding 5 of issue 11: a deleted newest segment started without a warning when history had not
   * applied its records yet. The manifest names the newest segment, so the journal alone tells.
   */
  @Test
  void recover_newestSegmentDeletedAndHistoryBehind_refusesByTheManifest() throws IOException {
    Node n = new Node();
    String newest = n.newestSegment();
    n.disk.delete(newest);

    CorruptJournalException e = assertThrows(CorruptJournalException.class,
        () -> LedgerRecovery.recover(n.disk, new MemoryHistoryStore(), LedgerStates.WINDOW, ReferenceListener.NONE,
            true));

    assertTrue(e.getMessage().contains(newest + " at offset 0, missing"), e.getMessage());
    assertTrue(e.getMessage().contains("--accept-journal-loss"), e.getMessage());
  }
}
