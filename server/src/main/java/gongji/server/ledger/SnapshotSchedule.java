package gongji.server.ledger;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * When the {@link Sequencer} takes a snapshot, and who makes and writes it: due after
 * {@code everyCommands} journaled commands, or after {@code everyMillis} with at least one; one at
 * a time. The image is made by the {@link SnapshotFollower} when one follows (asked once it has been
 * handed the batch), and written by the sink as it is made, on the follower's thread; else it is
 * made on the writer thread, the only place the ledger is consistent, and written by the sink on the
 * snapshot executor. Either way never before the journal is forced past its sequence number. Writer
 * only, but for {@link #pending}, which any thread may read.
 *
 * <p>A snapshot that falls due while another is being made or written is not lost: its count stays,
 * and when the one in flight is done (written, failed or dropped) the writer is woken; once idle
 * (nothing queued, no batch being forced) it asks {@link #dueWhenIdle} and takes it then, as after a
 * batch without records. So a node that goes quiet right then still gets the image of everything it
 * journaled, and the segments it covers are retired, without a further command. Only the writer
 * takes a snapshot and only when none is in flight, so none is taken twice and two are never
 * written at once.
 */
final class SnapshotSchedule {
  private static final Logger log = Logger.getLogger(SnapshotSchedule.class.getName());

  private final Sequencer.Snapshotting config;
  /** The journal whose last record a snapshot is taken at. */
  private final Journal journal;
  /** The writer's ledger, imaged here when no follower makes the image. */
  private final Ledger ledger;
  /** Stops the ledger when an image cannot be made (a bug). */
  private final ForceStage.Poison poison;
  /** Wakes the writer (any thread): a snapshot in flight is done, and one may have fallen due meanwhile. */
  private final Runnable wakeWriter;
  /** Makes the images off the writer while it follows; null: the writer makes them. */
  private SnapshotFollower follower;
  private long journaledSince;
  private long lastMillis;
  private volatile boolean inFlight;

  SnapshotSchedule(Sequencer.Snapshotting config, Journal journal, Ledger ledger, ForceStage.Poison poison,
      Runnable wakeWriter) {
    this.config = config;
    this.journal = journal;
    this.ledger = ledger;
    this.poison = poison;
    this.wakeWriter = wakeWriter;
  }

  /** Has {@code follower} make the images while it follows. */
  void madeBy(SnapshotFollower follower) {
    this.follower = follower;
  }

  /** Whether a snapshot is being made or written (one at a time). */
  boolean pending() {
    return inFlight;
  }

  /**
   * Takes the snapshot at the journal's last record when one is due after {@code journaled} more
   * records (the journal is read only then): with a batch {@code w} still to be forced, the image (or
   * the follower's mark) goes with it and is written only after its force ({@link #afterForce});
   * without one, everything applied is durable and it is made at once. An image that cannot be made is a bug: the poison stops the ledger.
   */
  void maybeTake(int journaled, long now, WrittenBatch w) {
    if (lastMillis == 0) {
      lastMillis = now;
    }
    journaledSince += journaled;
    if (!due(now) || inFlight) {
      return;
    }
    long seq = journal.lastSeq();
    journaledSince = 0;
    lastMillis = now;
    inFlight = true;
    if (follower != null && follower.following()) {
      if (w != null) {
        w.imageSeq = seq; // asked once the follower has the batch
      } else {
        askImage(seq);
      }
      return;
    }
    byte[] payload;
    try {
      payload = Snapshots.payload(ledger);
    } catch (RuntimeException e) {
      // The state cannot be written out: a bug, not a disk problem. Acknowledge nothing more.
      inFlight = false;
      poison.poison("snapshot image at record " + seq + " failed: " + e, e);
      return;
    }
    if (w != null) {
      w.imageSeq = seq;
      w.image = payload;
    } else {
      write(seq, payload);
    }
  }

  /**
   * After batch {@code w} is forced (and handed to the follower), or refused with {@code failure}:
   * the snapshot asked at it is written, asked of the follower, or dropped (not durable: no image).
   */
  void afterForce(WrittenBatch w, Throwable failure) {
    if (w.imageSeq < 0) {
      return;
    }
    if (failure != null) {
      inFlight = false;
    } else if (w.image != null) {
      write(w.imageSeq, w.image);
    } else {
      askImage(w.imageSeq);
    }
  }

  /**
   * Writer, idle (nothing queued, every batch forced and completed): whether a snapshot is due and
   * none is in flight; then {@code maybeTake(0, now, null)} takes it. Reads no journal.
   */
  boolean dueWhenIdle(long now) {
    return !inFlight && journaledSince > 0 && due(now);
  }

  private boolean due(long now) {
    return journaledSince >= config.everyCommands()
        || (journaledSince > 0 && now - lastMillis >= config.everyMillis());
  }

  /**
   * Asks the follower for the image at {@code seq}, which it has been handed: it writes it as it makes
   * it. A failure that is not the disk's (its ledger could not be written out, say) gives the follower
   * up, so that the writer makes the next image itself, as when the follower's apply fails.
   */
  private void askImage(long seq) {
    follower.imageAt(seq, followerLedger -> {
      RuntimeException failed = writeNow(seq, followerLedger::snapshot);
      if (failed != null) {
        throw failed;
      }
    }, this::done);
  }

  /** Any thread: the snapshot in flight is written, failed or dropped; one that fell due meanwhile may be taken. */
  private void done() {
    inFlight = false;
    wakeWriter.run();
  }

  /**
   * Has the sink write an image the writer made ({@code payload}) on the snapshot executor; the next
   * may be taken once it is done.
   */
  private void write(long seq, byte[] payload) {
    try {
      config.executor().execute(() -> {
        try {
          writeNow(seq, Snapshots.Payload.of(payload));
        } finally {
          done();
        }
      });
    } catch (RejectedExecutionException e) {
      log.info("snapshot at record " + seq + " not written: the node is closing; the journal has everything");
      done();
    }
  }

  /**
   * The sink writes the image on this thread; a failure is logged (the journal still has
   * everything), and one that is not the disk's is returned. The caller says when it is done.
   */
  private RuntimeException writeNow(long seq, Snapshots.Payload payload) {
    try {
      long bytes = config.sink().write(seq, payload);
      log.info("snapshot written at record " + seq + " (" + bytes + " bytes)");
      return null;
    } catch (IOException | RuntimeException e) {
      log.log(Level.WARNING, "snapshot at record " + seq + " failed; the journal still has everything", e);
      return e instanceof RuntimeException r && !(e instanceof java.io.UncheckedIOException) ? r : null;
    }
  }
}
