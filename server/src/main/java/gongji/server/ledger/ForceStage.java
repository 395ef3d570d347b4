package gongji.server.ledger;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * The {@link Sequencer}'s force stage: with the force pipelined, a thread of its own (the forcer,
 * {@code gongji-journal-force}) that forces each batch the writer hands it and then completes it,
 * while the writer applies the next; without, nothing: the writer forces and completes each batch
 * itself, and every method here answers as if no batch were in flight.
 *
 * <p>The hand-off holds one batch at a time. The writer {@linkplain #handOff hands} batch k over
 * and takes batch k+1; before anything of k+1 leaves or is written, it {@linkplain #awaitForced
 * waits} (parked) until k is forced and completed. The forcer parks while nothing is handed to it;
 * the writer unparks it only when it said it sleeps, and it unparks the writer only when the writer
 * said it waits. Each of the two sets its flag before it looks at the other's state, and each looks
 * again after a bounded park, so no wake-up is lost.
 *
 * <p>A failed force poisons the ledger and leaves the batch's refusal to the writer
 * ({@link #awaitForced} returns it with {@link WrittenBatch#failure} set), which reports it first,
 * as it does every other; {@link #failed} then says that nothing written since may be acknowledged.
 */
final class ForceStage {
  /** Stops the ledger, as a broken invariant does; returns the reason it is stopped for (the first given). */
  interface Poison {
    String poison(String why, Throwable cause);
  }

  /** How often a writer waiting for the forcer looks again without being woken (it is woken). */
  private static final long FORCER_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Journal journal;
  private final Thread writer;
  private final BiConsumer<WrittenBatch, Throwable> complete;
  private final Poison poison;
  /** Null: not pipelined, the writer forces. */
  private final Thread thread;
  /** The batch handed to the forcer and not completed yet; set by the writer, cleared by the forcer. */
  private volatile WrittenBatch inFlight;
  /** Writer only: the batch handed to the forcer and not yet taken back by {@link #awaitForced}. */
  private WrittenBatch written;
  private volatile boolean forcerSleeping;
  private volatile boolean writerWaiting;
  private volatile boolean stop;
  /** Set by the forcer when a force failed: nothing written since may be acknowledged. */
  private volatile Throwable failed;

  /**
   * A stage for {@code writer}: pipelined when asked and {@code journal}
   * {@linkplain Journal#forcesOffTheWriter allows it}; {@code complete} is what follows a batch's
   * force (or refuses it with a failure), run on the forcer.
   */
  ForceStage(Journal journal, Thread writer, boolean pipelined, BiConsumer<WrittenBatch, Throwable> complete,
      Poison poison) {
    this.journal = journal;
    this.writer = writer;
    this.complete = complete;
    this.poison = poison;
    this.thread = pipelined && journal.forcesOffTheWriter() ? new Thread(this::forceLoop, "gongji-journal-force") : null;
    if (thread != null) {
      thread.setDaemon(false);
    }
  }

  void start() {
    if (thread != null) {
      thread.start();
    }
  }

  /** Whether the journal is forced on the forcer's thread while the writer applies the next batch. */
  boolean pipelined() {
    return thread != null;
  }

  /** Writer: hands a written batch to the forcer, which forces and completes it. */
  void handOff(WrittenBatch w) {
    written = w;
    inFlight = w;
    if (forcerSleeping) {
      LockSupport.unpark(thread);
    }
  }

  /** Writer: whether a batch was handed over and not yet taken back by {@link #awaitForced}. */
  boolean holdsBatch() {
    return written != null;
  }

  /** Writer: whether the batch handed over is still being forced. */
  boolean forcing() {
    return inFlight != null;
  }

  /**
   * Writer: whether answers to queries read state a batch in flight wrote, which is not durable yet
   * (or whose force failed): they leave after {@link #awaitForced}.
   */
  boolean answersMustWait() {
    WrittenBatch before = written;
    return before != null && (inFlight != null || before.failure != null);
  }

  /** Writer: says that it parks until the forcer is done ({@code true}) or no longer ({@code false}). */
  void writerWaits(boolean waiting) {
    writerWaiting = waiting;
  }

  /**
   * Writer: waits (parked) until the batch handed over, if any, is forced and completed, and
   * returns it to be reported (null when none was handed over). After it, {@link #failed} says
   * whether that force failed.
   */
  WrittenBatch awaitForced() {
    WrittenBatch w = written;
    if (w == null) {
      return null;
    }
    if (inFlight != null) {
      writerWaiting = true;
      while (inFlight != null) {
        LockSupport.parkNanos(this, FORCER_CHECK_NANOS);
      }
      writerWaiting = false;
    }
    written = null;
    return w;
  }

  /** The failure of a force, once one failed: nothing written after it is acknowledged. */
  Throwable failed() {
    return failed;
  }

  /** Writer, at its end (after {@link #awaitForced}): stops the forcer and waits for it. */
  void stop() {
    if (thread == null) {
      return;
    }
    stop = true;
    LockSupport.unpark(thread);
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The forcer's thread: forces each batch handed over, then completes it, in order. */
  private void forceLoop() {
    while (true) {
      WrittenBatch w = inFlight;
      if (w == null) {
        if (stop) {
          return;
        }
        forcerSleeping = true;
        if (inFlight == null && !stop) {
          LockSupport.park(this);
        }
        forcerSleeping = false;
        continue;
      }
      try {
        forceAndComplete(w);
      } catch (Throwable t) { // a bug: the writer must not wait for good
        poison.poison("completing a forced batch failed: " + t, t);
        if (failed == null) {
          failed = t;
        }
      } finally {
        inFlight = null;
        if (writerWaiting) {
          LockSupport.unpark(writer);
        }
      }
    }
  }

  /** Forces the journal for {@code w} and completes it; a failed force leaves the refusal to the writer. */
  private void forceAndComplete(WrittenBatch w) {
    long start = System.nanoTime();
    try {
      journal.forceWritten();
    } catch (IOException | RuntimeException e) {
      w.forceNanos = System.nanoTime() - start;
      String why = poison.poison("journal force failed: " + e, e);
      w.failure = new LedgerUnavailableException("ledger stopped: " + why, e);
      failed = w.failure;
      return;
    }
    w.forceNanos = System.nanoTime() - start;
    complete.accept(w, null);
  }
}
