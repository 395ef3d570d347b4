package gongji.server.ledger;

import java.io.IOException;
import java.util.List;

/**
 * Where history lives: what only answers questions later, written from the journal's commands in
 * order, batch by batch, each batch together with the journal sequence number it brings history up
 * to. Implementations: in memory (tests, nodes without a data directory) and embedded on disk; a
 * PostgreSQL one can follow for several nodes. All pass {@code HistoryStoreConformanceTest}.
 *
 * <p>Contract. {@link #apply} is atomic, and durable once {@link #flush} (or {@link #close}) has
 * returned after it: after a crash the store holds whole batches only, every batch applied before
 * the last flush returned and perhaps some applied after it, and {@link #appliedSeq} says how far
 * that goes. (The journal is the write-ahead log: what history loses in a crash it rebuilds from the
 * journal, which keeps every record after the newest snapshot, and a snapshot is written only after
 * history was flushed up to it.) Batches arrive with increasing sequence numbers from one thread;
 * a batch at or below {@link #appliedSeq} is ignored (replay after a crash is idempotent). Queries
 * may run on any thread, concurrently with apply, and see whole batches only.
 */
public interface HistoryStore extends AutoCloseable {

  /** The journal sequence number history has applied through (0 for an empty store). */
  long appliedSeq();

  /** Applies the records of the journal up to {@code throughSeq}, atomically with that number. */
  void apply(long throughSeq, List<HistoryRecord> records) throws IOException;

  /**
   * Makes every batch applied so far durable; returns when it is. Called before a snapshot is
   * written (history must cover it) and by {@link #close}; never by the sequencer. The default is
   * for stores whose {@link #apply} is durable when it returns.
   */
  default void flush() throws IOException {}

  /**
   * Answers a query: {@link Result.Usages}, {@link Result.Reconciliation}, {@link Result.ReconcileLines},
   * {@link Result.Alerts} or {@link Result.WalletTransfers}. Throws {@link IOException} if the store cannot be read.
   */
  Result answer(HistoryQuery query) throws IOException;

  /**
   * How many of the writer's sweeps history has applied ({@link HistoryRecord.Swept}): read it
   * first, then the images; they are at least as new as that sweep.
   */
  long sweeps();

  /** The image of a request entry the writer let go of, by key ({@code scope "|" id}), or null. */
  byte[] requestImage(String key) throws IOException;

  /** The image of a sale the writer let go of, by id, or null. */
  byte[] saleImage(String txnId) throws IOException;

  /**
   * The latest {@link HistoryRecord.WalletTransfer} of a wallet transfer, by id, as
   * {@link HistoryCodec#encode} writes it, or null: for a closed transfer the writer let go of, the
   * image a command that names it brings back.
   */
  byte[] transferImage(String transferId) throws IOException;

  @Override
  void close() throws IOException;
}
