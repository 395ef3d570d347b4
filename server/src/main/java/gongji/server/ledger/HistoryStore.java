package gongji.server.ledger;

import java.io.IOException;
import java.util.List;

/**
 * Where history lives: what only answers questions later, written from the journal's commands in
 * order, batch by batch, each batch together with the journal sequence number it brings history up
 * to. Implementations: in memory (tests, nodes without a data directory) and embedded on disk; a
 * PostgreSQL one can follow for several nodes. All pass {@code HistoryStoreConformanceTest}.
 *
 * <p>Contract. {@link #apply} is atomic and durable when it returns: after a crash the store holds
 * every record of the batches whose apply returned and none of a batch whose apply did not, and
 * {@link #appliedSeq} says which. Batches arrive with increasing sequence numbers from one thread;
 * a batch at or below {@link #appliedSeq} is ignored (replay after a crash is idempotent). Queries
 * may run on any thread, concurrently with apply, and see whole batches only.
 */
public interface HistoryStore extends AutoCloseable {

  /** The journal sequence number history has applied through (0 for an empty store). */
  long appliedSeq();

  /** Applies the records of the journal up to {@code throughSeq}, atomically with that number. */
  void apply(long throughSeq, List<HistoryRecord> records) throws IOException;

  /**
   * Answers a query: {@link Result.Usages}, {@link Result.Reconciliation}, {@link Result.ReconcileLines}
   * or {@link Result.Alerts}. Throws {@link IOException} if the store cannot be read.
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

  @Override
  void close() throws IOException;
}
