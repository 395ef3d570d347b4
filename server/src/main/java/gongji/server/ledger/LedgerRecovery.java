package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

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
  private static final Logger log = Logger.getLogger(LedgerRecovery.class.getName());

  private LedgerRecovery() {}

  /**
   * What recovery did. {@code acceptedLoss} is non-null when damage was accepted at this start
   * ({@code acceptLoss}): the journal goes on after it, starting with a loss frame that names it.
   */
  public record Recovered(Ledger ledger, long snapshotSeq, String snapshotFile, boolean snapshotChecked,
      JournalRecovery.Report journal, long historyFromSeq, long historyRecordsApplied,
      JournalRecovery.Loss acceptedLoss) {
    /** The sequence number the journal goes on from. */
    public long nextSeq() {
      return (acceptedLoss != null ? Math.max(journal.lastSeq(), acceptedLoss.throughSeq()) : journal.lastSeq()) + 1;
    }
  }

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
    return recover(storage, history, window, listener, repair, false, replayed);
  }

  /**
   * The same; with {@code acceptLoss} (an operator's explicit choice, {@code serve
   * --accept-journal-loss}), damage that would refuse the start is accepted instead: the ledger
   * starts from the records before it, the damaged rest of its segment and every later segment are
   * kept aside as {@code <name>.damaged}, and the journal goes on past every sequence number the
   * damage may have held (and history has applied), so that none is used twice. The loss is logged
   * once, loudly, and recorded in the journal (a loss frame).
   */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair, boolean acceptLoss, JournalRecovery.Consumer replayed) throws IOException {
    return recover(storage, history, window, listener, repair, acceptLoss, Snapshots.Checks.BEFORE_USE, replayed);
  }

  /**
   * The same; with {@link Snapshots.Checks#AFTER_START}, the snapshot's audit and write-out check
   * are left to {@link #again} (the start's path is then its frame check, its decode, the journal
   * tail and history's catch-up): see {@link Recovered#snapshotChecked}.
   */
  public static Recovered recover(Storage storage, HistoryStore history, Duration window, ReferenceListener listener,
      boolean repair, boolean acceptLoss, Snapshots.Checks checks, JournalRecovery.Consumer replayed)
      throws IOException {
    requireNonNull(storage, "storage");
    requireNonNull(checks, "checks");
    if (repair) {
      Snapshots.deleteUnfinished(storage);
    }
    long t0 = System.nanoTime();
    long historySeq = history == null ? Long.MAX_VALUE : history.appliedSeq();
    Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, listener, historySeq, checks);
    long t1 = System.nanoTime();
    Ledger ledger = snapshot == null ? new Ledger(window, listener) : snapshot.ledger();
    long after = snapshot == null ? 0 : snapshot.seq();
    CatchUp catchUp = new CatchUp(history == null ? NO_HISTORY : history, historySeq);
    if (snapshot != null && !snapshot.history().isEmpty()) {
      // A snapshot of format 3 held history itself: it is history as of its sequence number.
      catchUp.add(after, snapshot.history());
      catchUp.flush();
    }
    // Read first, cut after: nothing is cut from a journal that turns out to have lost records.
    JournalRecovery.Report report = JournalRecovery.replay(storage, after, false, true, (seq, at, command) -> {
      ledger.apply(command, at);
      catchUp.add(seq, ledger.takeHistory());
      replayed.accept(seq, at, command);
    });
    JournalRecovery.Loss accepted = null;
    if (report.damage() != null && !acceptLoss) {
      JournalRecovery.Damage d = report.damage();
      JournalRecovery.Damage witnessed = history == null || historySeq <= d.lastSeqSeen() ? d
          : new JournalRecovery.Damage(d.file(), d.offset(), d.problem() + "; history has applied up to record "
              + historySeq, d.lastIntactSeq(), historySeq, d.newestMissing());
      throw new JournalRecovery.CorruptJournalException(witnessed.refusal(), witnessed);
    }
    if (report.damage() != null) {
      accepted = accept(storage, report.damage(), history == null ? -1 : historySeq, ledger.nowMillis(), repair);
    } else if (history != null && report.lastSeq() < historySeq) {
      // History is a witness too: it applies a batch only after the journal forced it.
      JournalRecovery.Damage behind = new JournalRecovery.Damage(
          report.truncated() ? report.truncatedFile() : JournalFormat.segmentName(report.lastSeq() + 1),
          report.truncated() ? report.truncatedAtOffset() : 0,
          "the journal ends at record " + report.lastSeq() + (report.truncated()
              ? " (after a damaged record taken for a torn write)" : "") + ", but history has applied up to record "
              + historySeq + ": records " + (report.lastSeq() + 1) + " to " + historySeq + " were acknowledged and are"
              + " missing (a deleted or damaged newest journal segment?)", report.lastSeq(), report.lastSeq(),
          !report.truncated());
      if (!acceptLoss) {
        throw new JournalRecovery.CorruptJournalException(behind.refusal(), behind);
      }
      accepted = accept(storage, behind, historySeq, ledger.nowMillis(), repair);
      report = new JournalRecovery.Report(report.segments(), report.records(), report.lastSeq(), null, -1, 0,
          report.acceptedLosses(), behind);
    }
    if (repair && report.truncated()) {
      storage.truncate(report.truncatedFile(), report.truncatedAtOffset());
    }
    long t2 = System.nanoTime();
    catchUp.flush();
    if (history != null) {
      // A data directory from before wallet transfers went to history: hand over the ones it lacks.
      for (String id : ledger.transfersKept()) {
        if (history.transferImage(id) == null) {
          ledger.transferChanged(id);
        }
      }
    }
    long t3 = System.nanoTime();
    log.info(String.format(java.util.Locale.ROOT, "recovered in %.2f s: snapshot %s %.2f s%s, %,d journal records"
        + " replayed %.2f s, history caught up (%,d records) %.2f s", (t3 - t0) / 1e9,
        snapshot == null ? "none" : snapshot.file(), (t1 - t0) / 1e9,
        snapshot == null || snapshot.checked() ? "" : " (its checks left to the follower)", report.records(),
        (t2 - t1) / 1e9, catchUp.applied, (t3 - t2) / 1e9));
    return new Recovered(ledger, after, snapshot == null ? null : snapshot.file(),
        snapshot == null || snapshot.checked(), report, historySeq, catchUp.applied, accepted);
  }

  /**
   * The ledger {@code recovered} started with, made again from the same snapshot and journal records
   * (for a {@link SnapshotFollower}, on its thread, while the writer goes on appending to the
   * journal: records past the ones recovery replayed are not read). History is left alone. A
   * snapshot recovery did not check ({@link Recovered#snapshotChecked}) is checked here, on this
   * second decode of it, before any journal record is applied.
   *
   * @throws Snapshots.CorruptSnapshotException if that check fails: the ledger the writer started
   *     from is unsound too (the same bytes, the same decoder)
   */
  public static Ledger again(Storage storage, Recovered recovered, Duration window) throws IOException {
    Ledger ledger = recovered.snapshotFile() == null ? new Ledger(window, ReferenceListener.NONE)
        : againFromSnapshot(storage, recovered, window);
    return replayThrough(storage, ledger, recovered.snapshotSeq(), recovered.journal().lastSeq());
  }

  /**
   * The ledger as of record {@code through} of a journal being appended to, from the newest snapshot
   * at or below it that passes every check (a damaged one is passed over, as at a start) and the
   * journal records after it up to {@code through}. For a {@link SnapshotFollower} seeded again after
   * one was given up, on its thread. History is left alone.
   *
   * @throws IOException if the disk cannot be read, or the journal no longer holds every record
   *     from that snapshot to {@code through}
   */
  public static Ledger at(Storage storage, long through, Duration window) throws IOException {
    Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, ReferenceListener.NONE, through,
        Snapshots.Checks.BEFORE_USE);
    Ledger ledger = snapshot == null ? new Ledger(window, ReferenceListener.NONE) : snapshot.ledger();
    return replayThrough(storage, ledger, snapshot == null ? 0 : snapshot.seq(), through);
  }

  /** Applies to {@code ledger}, at record {@code from}, the journal's records after it up to {@code through}. */
  private static Ledger replayThrough(Storage storage, Ledger ledger, long from, long through) throws IOException {
    long[] last = {from};
    try {
      JournalRecovery.replay(storage, from, false, true, (seq, at, command) -> {
        if (seq > through) {
          throw new Reached();
        }
        ledger.apply(command, at);
        ledger.takeHistory();
        last[0] = seq;
      });
    } catch (Reached done) {
      // every record recovery replayed is applied
    }
    if (last[0] != through) {
      throw new IOException("the journal now ends at record " + last[0] + ", expected up to " + through);
    }
    return ledger;
  }

  private static Ledger againFromSnapshot(Storage storage, Recovered recovered, Duration window) throws IOException {
    byte[] image = storage.read(recovered.snapshotFile());
    Ledger ledger = Snapshots.decode(image, recovered.snapshotSeq(), window, ReferenceListener.NONE).ledger();
    if (!recovered.snapshotChecked()) {
      Snapshots.checkAfterStart(ledger, image, recovered.snapshotSeq());
    }
    return ledger;
  }

  /** Ends {@link #again}'s replay at the first record recovery did not replay. */
  private static final class Reached extends IOException {
    private static final long serialVersionUID = 1L;

    Reached() {
      super(null, null);
    }
  }

  /**
   * Accepts damage: keeps the damaged bytes aside (with {@code repair}) and returns the records it
   * costs, or null when it costs none. Logged once, as SEVERE.
   */
  private static JournalRecovery.Loss accept(Storage storage, JournalRecovery.Damage damage, long historySeq,
      long atMillis, boolean repair) throws IOException {
    long from = damage.lastIntactSeq() + 1;
    long through = Math.max(damage.lastSeqSeen(), historySeq);
    JournalRecovery.Loss loss = through >= from ? new JournalRecovery.Loss(from, through, atMillis) : null;
    List<String> setAside = new ArrayList<>();
    if (repair) {
      List<String> names = storage.list();
      if (names.contains(damage.file())) {
        byte[] b = storage.read(damage.file());
        keepAside(storage, damage.file(), b, (int) damage.offset());
        storage.truncate(damage.file(), damage.offset());
        setAside.add(damage.file() + " from offset " + damage.offset());
      }
      long damagedFirst = JournalFormat.segmentFirstSeq(damage.file());
      for (String n : names) {
        if (JournalFormat.segmentFirstSeq(n) > damagedFirst) {
          keepAside(storage, n, storage.read(n), 0);
          storage.delete(n);
          setAside.add(n);
        }
      }
      storage.syncDirectory();
    }
    log.severe("JOURNAL LOSS ACCEPTED (--accept-journal-loss): " + damage.file() + " at offset " + damage.offset()
        + ": " + damage.problem() + "; "
        + (loss == null ? "no record is lost" : "records " + loss.fromSeq() + " to " + loss.throughSeq()
        + (damage.newestMissing() ? " (and any the missing segment held beyond)" : "") + " are LOST")
        + "; the ledger goes on from record " + damage.lastIntactSeq()
        + (setAside.isEmpty() ? "" : "; kept aside as *.damaged: " + setAside));
    return loss;
  }

  /** Writes {@code b} from {@code from} on to {@code name}.damaged, durably (an earlier one of that name is replaced). */
  private static void keepAside(Storage storage, String name, byte[] b, int from) throws IOException {
    String aside = name + ".damaged";
    storage.delete(aside);
    try (Storage.AppendFile f = storage.create(aside)) {
      f.append(b, from, b.length - from);
      f.force();
    }
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
    public byte[] transferImage(String transferId) {
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
