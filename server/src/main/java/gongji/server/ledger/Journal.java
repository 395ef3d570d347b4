package gongji.server.ledger;

import java.io.IOException;

/**
 * Where the sequencer writes each mutating command, with the ledger time it was applied at, before
 * anything is acknowledged. Replaying the journal into a new {@link Ledger} rebuilds the same state.
 *
 * <p>Called only from the sequencer thread: {@link #append} for every mutating command of a batch,
 * then one {@link #force} for the whole batch (group commit).
 */
public interface Journal extends AutoCloseable {

  /** A journal that keeps nothing: the in-memory ledger, for tests and benchmarks. */
  Journal NONE = new Journal() {
    @Override
    public void append(Command command, long atMillis) {}

    @Override
    public void force() {}

    @Override
    public void close() {}
  };

  /** The sequence number of the last record appended (0 when none, and for {@link #NONE}). */
  default long lastSeq() {
    return 0;
  }

  /** Adds a command to the current batch. Not yet durable. */
  void append(Command command, long atMillis) throws IOException;

  /** Makes everything appended so far durable. After a failure nothing more may be acknowledged. */
  void force() throws IOException;

  @Override
  void close() throws IOException;
}
