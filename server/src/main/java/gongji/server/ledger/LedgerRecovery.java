package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up of a ledger from a data directory: snapshot + journal tail + history catch-up.
 *
 * <p>The newest snapshot that history has caught up with is loaded (see
 * {@link Snapshots#loadNewest}); the journal after it is replayed into the ledger; and the history
 * records the replay makes are applied to the history store for every record the store has not
 * applied yet, in groups, each group atomically with its last sequence number. A crash anywhere in
 * between is recovered the same way on the next start: the store's sequence number says where it
 * stands, and replay is deterministic, so it makes the same records again.
 */
public final class LedgerRecovery {
  /** Records applied to the history store in one write while catching up. */
  private static final int CATCH_UP_RECORDS = 16_384;

  private LedgerRecovery() {}

  /** What recovery did. */
  public record Recovered(Ledger ledger, long snapshotSeq, String snapshotFile, JournalRecovery.Report journal,
      long historyFromSeq, long historyRecordsApplied) {}

  /**
   * Recovers a ledger. With {@code repair}, a torn journal tail is cut off; without (a read-only
   * check), it is only reported, and history is still brought up to date in {@code history}.
   *
   * <p>History is also a witness of what was acknowledged: it applies a batch only after the journal
   * forced it. A journal that ends before the record history has applied has lost acknowledged
   * records (a deleted newest segment, damage taken for a torn tail): recovery refuses, before it
   * cuts or writes anything, and says which records are missing and the ways out.
   *
   * @param history the history store, or null to recover from the journal and snapshots alone
   *     (tools and tests that ask nothing of history)
   */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair) throws IOException {
    return recover(storage, history, window, listener, repair, (seq, at, command) -> {});
  }

  /** The same, telling {@code replayed} of each journal record applied after the snapshot. */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair, JournalRecovery.Consumer replayed) throws IOException {
    requireNonNull(storage, "storage");
    if (repair) {
      Snapshots.deleteUnfinished(storage);
    }
    long historySeq = history == null ? Long.MAX_VALUE : history.appliedSeq();
    Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, listener, historySeq);
    Ledger ledger = snapshot == null ? new Ledger(window, listener) : snapshot.ledger();
    long after = snapshot == null ? 0 : snapshot.seq();
    CatchUp catchUp = new CatchUp(history == null ? NO_HISTORY : history, historySeq);
    if (snapshot != null && !snapshot.history().isEmpty()) {
      // A snapshot of format 3 held history itself: it is history as of its sequence number.
      catchUp.add(after, snapshot.history());
      catchUp.flush();
    }
    // Read first, cut after: nothing is cut from a journal that turns out to have lost records.
    JournalRecovery.Report report = JournalRecovery.replay(storage, after, false, (seq, at, command) -> {
      ledger.apply(command, at);
      catchUp.add(seq, ledger.takeHistory());
      replayed.accept(seq, at, command);
    });
    if (history != null && report.lastSeq() < historySeq) {
      throw new JournalRecovery.CorruptJournalException("the journal ends at record " + report.lastSeq()
          + (report.truncated() ? " (after a damaged record taken for a torn write in " + report.truncatedFile()
          + " at offset " + report.truncatedAtOffset() + ")" : "") + ", but history has applied up to record "
          + historySeq + ": records " + (report.lastSeq() + 1) + " to " + historySeq + " were acknowledged and are"
          + " missing (a deleted or damaged newest journal segment?). The ledger will not start. Restore the journal"
          + " from a backup; see what is there with: gongji ledger verify. To start anyway and accept the loss of"
          + " those records, move the history directory aside: it is rebuilt from what the journal holds");
    }
    if (repair && report.truncated()) {
      storage.truncate(report.truncatedFile(), report.truncatedAtOffset());
    }
    catchUp.flush();
    return new Recovered(ledger, after, snapshot == null ? null : snapshot.file(), report, historySeq,
        catchUp.applied);
  }

  /** What catch-up writes to when recovery was asked to leave history out. */
  private static final HistoryStore NO_HISTORY = new HistoryStore() {
    @Override
    public long appliedSeq() {
      return Long.MAX_VALUE;
    }

    @Override
    public void apply(long throughSeq, List<HistoryRecord> records) {}

    @Override
    public Result answer(HistoryQuery query) {
      throw new UnsupportedOperationException("recovery without history");
    }

    @Override
    public long sweeps() {
      return 0;
    }

    @Override
    public byte[] requestImage(String key) {
      return null;
    }

    @Override
    public byte[] saleImage(String txnId) {
      return null;
    }

    @Override
    public void close() {}
  };

  /** Groups the records of replayed commands that history lacks into atomic writes. */
  private static final class CatchUp {
    private final HistoryStore history;
    private final long fromSeq;
    private final List<HistoryRecord> pending = new ArrayList<>();
    private long throughSeq;
    long applied;

    CatchUp(HistoryStore history, long fromSeq) {
      this.history = history;
      this.fromSeq = fromSeq;
    }

    void add(long seq, List<HistoryRecord> records) throws IOException {
      if (seq <= fromSeq) {
        return; // history has these already
      }
      pending.addAll(records);
      throughSeq = seq;
      if (pending.size() >= CATCH_UP_RECORDS) {
        flush();
      }
    }

    void flush() throws IOException {
      if (throughSeq > history.appliedSeq()) {
        history.apply(throughSeq, pending);
        applied += pending.size();
      }
      pending.clear();
    }
  }
}
