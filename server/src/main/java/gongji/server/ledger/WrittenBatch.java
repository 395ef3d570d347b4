package gongji.server.ledger;

import java.util.List;

/**
 * A batch the writer has applied and journaled, with what its force must be followed by
 * ({@link Sequencer}'s {@code complete}): the commands and their results, the records for history
 * and the follower, the snapshot asked at it. Made by the writer; its force fields are set by
 * whoever forces it (the writer, or the {@link ForceStage}'s thread).
 */
final class WrittenBatch {
  final Pending[] done;
  final Result[] results;
  /** Per command, the failure of a command that failed alone (a query, a passed deadline); null: none. */
  final Throwable[] failedAlone;
  /** Per command, whether it was answered {@link Result.Stale} and is to be looked up again; null: none. */
  final boolean[] stale;
  final int commands;
  final int mutating;
  final long firstSeq;
  final long lastSeq;
  final long atMillis;
  final List<HistoryRecord> history;
  /** The journaled commands for the follower, or null without one. */
  final Command[] journaled;
  /** The sequence number of a snapshot taken at this batch, or -1. */
  long imageSeq = -1;
  /** The image's payload made on the writer, or null when the follower makes it. */
  byte[] image;
  long forceNanos;
  /** When the next change of transfers made by time falls due as of this batch (see {@link Sequencer#transferChangeDue}). */
  long transferChangeDue = Long.MIN_VALUE;
  /** What the batch changed in the Identify view, published after its force; null: nothing. */
  IdentityView.Publication identities;
  /** Set by the forcer when the force failed: the batch is refused by the writer. */
  Throwable failure;

  WrittenBatch(Pending[] done, Result[] results, Throwable[] failedAlone, boolean[] stale, int commands,
      int mutating, long firstSeq, long lastSeq, long atMillis, List<HistoryRecord> history, Command[] journaled) {
    this.done = done;
    this.results = results;
    this.failedAlone = failedAlone;
    this.stale = stale;
    this.commands = commands;
    this.mutating = mutating;
    this.firstSeq = firstSeq;
    this.lastSeq = lastSeq;
    this.atMillis = atMillis;
    this.history = history;
    this.journaled = journaled;
  }
}
