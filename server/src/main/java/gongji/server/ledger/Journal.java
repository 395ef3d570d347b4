package gongji.server.ledger;

import java.io.IOException;

/**
 * Where the sequencer writes each mutating command, with the ledger time it was applied at, before
 * anything is acknowledged. Replaying the journal into a new {@link Ledger} rebuilds the same state.
 *
 * <p>Called only from the sequencer thread: {@link #append} for every mutating command of a batch,
 * then one {@link #force} for the whole batch (group commit). A journal that says it
 * {@link #forcesOffTheWriter} may instead have the batch ended by {@link #write} on the sequencer
 * thread and made durable by {@link #forceWritten} on another, while the sequencer thread appends
 * the next batch; the sequencer then writes the next batch only after that force has returned, so
 * the file is touched by one thread at a time and only the journal's own buffer is filled while a
 * force runs.
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

  /**
   * Whether {@link #forceWritten} may run on another thread while {@link #append} runs on the
   * sequencer's (false: the sequencer calls {@link #force} on its own thread, as for a journal that
   * keeps nothing, where a second thread would only add a hop).
   */
  default boolean forcesOffTheWriter() {
    return false;
  }

  /**
   * Sequencer thread: ends the batch appended so far and hands its bytes to the file, not yet
   * durable. Called only after the {@link #forceWritten} of the previous write has returned.
   */
  default void write() throws IOException {
    throw new UnsupportedOperationException("this journal is forced on the sequencer thread only");
  }

  /**
   * Any one thread at a time: makes durable everything {@link #write} wrote before this call. May run
   * while the sequencer thread {@link #append}s the next batch, never while it writes one. After a
   * failure nothing more may be acknowledged.
   */
  default void forceWritten() throws IOException {
    throw new UnsupportedOperationException("this journal is forced on the sequencer thread only");
  }

  @Override
  void close() throws IOException;
}
