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
   */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair) throws IOException {
    return recover(storage, history, window, listener, repair, (seq, at, command) -> {});
  }

  /** The same, telling {@code replayed} of each journal record applied after the snapshot. */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair, JournalRecovery.Consumer replayed) throws IOException {
    requireNonNull(storage, "storage");
    requireNonNull(history, "history");
    if (repair) {
      Snapshots.deleteUnfinished(storage);
    }
    long historySeq = history.appliedSeq();
    Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, listener, historySeq);
    Ledger ledger = snapshot == null ? new Ledger(window, listener) : snapshot.ledger();
    long after = snapshot == null ? 0 : snapshot.seq();
    CatchUp catchUp = new CatchUp(history, historySeq);
    if (snapshot != null && !snapshot.history().isEmpty()) {
      // A snapshot of format 3 held history itself: it is history as of its sequence number.
      catchUp.add(after, snapshot.history());
      catchUp.flush();
    }
    JournalRecovery.Report report = JournalRecovery.replay(storage, after, repair, (seq, at, command) -> {
      ledger.apply(command, at);
      catchUp.add(seq, ledger.takeHistory());
      replayed.accept(seq, at, command);
    });
    catchUp.flush();
    return new Recovered(ledger, after, snapshot == null ? null : snapshot.file(), report, historySeq,
        catchUp.applied);
  }

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
