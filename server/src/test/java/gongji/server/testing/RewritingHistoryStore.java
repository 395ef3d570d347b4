package gongji.server.testing;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Result;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * History in memory whose batches are rewritten before they are kept: how an earlier version would
 * have written them (records it did not have left out, fields it did not have emptied). Everything
 * else goes to the store as it is.
 */
public final class RewritingHistoryStore implements HistoryStore {
  /** What a batch of the journal through {@code throughSeq} is kept as. */
  public interface Rewrite {
    List<HistoryRecord> rewrite(long throughSeq, List<HistoryRecord> records);
  }

  private final MemoryHistoryStore store;
  private final Rewrite rewrite;

  public RewritingHistoryStore(MemoryHistoryStore store, UnaryOperator<List<HistoryRecord>> rewrite) {
    this(store, (throughSeq, records) -> rewrite.apply(records));
  }

  public RewritingHistoryStore(MemoryHistoryStore store, Rewrite rewrite) {
    this.store = store;
    this.rewrite = rewrite;
  }

  @Override
  public long appliedSeq() {
    return store.appliedSeq();
  }

  @Override
  public void apply(long throughSeq, List<HistoryRecord> records) {
    store.apply(throughSeq, rewrite.rewrite(throughSeq, records));
  }

  @Override
  public Result answer(HistoryQuery query) {
    return store.answer(query);
  }

  @Override
  public long sweeps() {
    return store.sweeps();
  }

  @Override
  public byte[] requestImage(String key) {
    return store.requestImage(key);
  }

  @Override
  public byte[] saleImage(String txnId) {
    return store.saleImage(txnId);
  }

  @Override
  public byte[] transferImage(String transferId) {
    return store.transferImage(transferId);
  }

  @Override
  public void close() {}
}
