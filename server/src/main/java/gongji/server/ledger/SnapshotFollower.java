package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A second ledger that follows the writer's journal on a thread of its own, so that a snapshot image
 * is made without stopping the writer: the writer hands over each durable batch's journaled commands
 * (a copy of an array of references, no encoding) and, when a snapshot is due, a mark; this thread
 * applies the commands as a replay would and, when it reaches the mark, has its own ledger's image
 * written as it is made (a piece at a time: never held whole). Commands queue meanwhile.
 *
 * <p>Why the image is the writer's. The ledger is a deterministic state machine of its journal: the
 * same commands at the same times give the same state (recovery relies on it). The follower applies
 * exactly the journaled records, in order, with their times, so at sequence number N it holds what
 * recovery from any older snapshot would hold at N; {@code SnapshotFollowerTest} compares the bytes.
 *
 * <p>What it costs: a second copy of the working state in memory, and each command applied twice (a
 * few microseconds, off the writer). The follower starts from the state the writer recovered, which
 * {@code seed} rebuilds in the background (the newest snapshot and the journal after it), so a start
 * does not wait for it; batches queue meanwhile.
 *
 * <p>Bounds: at most {@code maxLagCommands} commands wait for the follower. Past that, or if the
 * seed or an apply fails, the follower is given up, said once in the log, and the writer makes
 * images itself again, as before there was a follower (it pauses for as long as an image takes).
 * Nothing is lost either way: the journal holds every acknowledged command.
 *
 * <p>Seeded again. With {@link Reseeding}, a follower given up is followed by a new one, seeded as
 * of the record before the next batch handed over ({@link Reseeding#seeds}: the newest good snapshot
 * on disk and the journal after it, on the new follower's thread), once a backoff has passed: the
 * first after {@link Reseeding#firstBackoffMillis} of the sequencer's clock, each next one after
 * twice as long, at most {@link Reseeding#maxAttempts} in a row; an image made resets the count.
 * Each attempt is logged once when it starts, and once more when it is seeded or given up. One
 * follower thread at a time: a new one starts only once the last has ended, so that two copies of
 * the working state are never made at once.
 */
public final class SnapshotFollower {
  private static final Logger log = Logger.getLogger(SnapshotFollower.class.getName());
  /** Batches and marks that may wait; far more than {@code maxLagCommands} allows in practice. */
  private static final int MAX_QUEUED_ITEMS = 1 << 16;
  /** How long a close waits for the follower to catch up and make the images asked of it. */
  private static final long CLOSE_WAIT_SECONDS = 30;

  /** Rebuilds, off the writer, the ledger as of a record of the journal. */
  @FunctionalInterface
  public interface Seeds {
    /**
     * The ledger as of record {@code seq} (every record up to it applied, none after), from what is
     * on disk; runs on the follower's thread while the writer appends after {@code seq}.
     */
    Ledger at(long seq) throws Exception;
  }

  /**
   * How a follower given up is replaced: by {@code seeds}, at most {@code maxAttempts} times in a
   * row without an image made between, the first after {@code firstBackoffMillis}, each next one
   * after twice as long as the one before.
   */
  public record Reseeding(Seeds seeds, int maxAttempts, long firstBackoffMillis) {
    /** A follower given up is never replaced. */
    public static final Reseeding NEVER = new Reseeding(seq -> {
      throw new IllegalStateException("no reseeding");
    }, 0, 0);

    public Reseeding {
      requireNonNull(seeds, "seeds");
      if (maxAttempts < 0) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 0)");
      }
      if (firstBackoffMillis < 0) {
        throw new IllegalArgumentException("firstBackoffMillis: " + firstBackoffMillis + " (expected: >= 0)");
      }
    }
  }

  /** What waits for the follower: a durable batch, or the mark of a snapshot due after the last one. */
  private record Item(long firstSeq, long atMillis, Command[] commands, long imageSeq, Consumer<Ledger> image,
      Runnable done) {}

  /** The last item, put by {@link #close}. */
  private static final Item STOP = new Item(-1, 0, null, -1, null, null);

  private final long maxLagCommands;
  private final Reseeding reseeding;
  private final LongSupplier clockMillis;
  /** The follower now (the first, or the latest seeded again); replaced only by {@link #reseed}. */
  private volatile Attempt current;
  /** Followers seeded again since start (for the meter). */
  private final AtomicLong reseeds = new AtomicLong();
  // Guarded by this:
  /** Attempts in a row since the last image made (or since start). */
  private int attemptsInARow;
  /** The clock's time before which no new follower is seeded. */
  private long nextAttemptMillis;
  private boolean closed;

  SnapshotFollower(java.util.concurrent.Callable<Ledger> seed, long startSeq, long maxLagCommands) {
    this(seed, startSeq, maxLagCommands, Reseeding.NEVER, () -> 0);
  }

  SnapshotFollower(java.util.concurrent.Callable<Ledger> seed, long startSeq, long maxLagCommands,
      Reseeding reseeding, LongSupplier clockMillis) {
    requireNonNull(seed, "seed");
    this.maxLagCommands = maxLagCommands;
    this.reseeding = requireNonNull(reseeding, "reseeding");
    this.clockMillis = requireNonNull(clockMillis, "clockMillis");
    this.current = new Attempt(0, seed, startSeq);
  }

  void start() {
    current.thread.start();
  }

  /** Whether the follower still makes the images (the writer's to ask, before each). */
  boolean following() {
    return current.givenUp == null;
  }

  /** Commands handed over and not yet applied. */
  long lagCommands() {
    return current.lagCommands.get();
  }

  /** How many times a follower given up was replaced by one seeded again. */
  long reseeds() {
    return reseeds.get();
  }

  /**
   * The sequencer (its forcer when the force is pipelined; in batch order): hands over a durable
   * batch, the journaled commands {@code commands[0..n)} numbered from {@code firstSeq}, all at
   * {@code atMillis}. Never blocks; gives the follower up when it lags too
   * far. A follower given up is replaced here, when {@link Reseeding} allows, by one seeded as of
   * record {@code firstSeq - 1}, which gets this batch first.
   */
  void follow(long firstSeq, long atMillis, Command[] commands, int n) {
    Attempt a = current;
    if (a.givenUp != null && (a = reseed(firstSeq - 1)) == null) {
      return;
    }
    if (a.lagCommands.addAndGet(n) > maxLagCommands
        || !a.queue.offer(new Item(firstSeq, atMillis, java.util.Arrays.copyOf(commands, n), -1, null, null))) {
      a.giveUp("it fell more than " + maxLagCommands + " commands behind the writer");
    }
  }

  /**
   * The sequencer (as for {@link #follow}): asks for the image as of {@code seq} (the last command
   * handed over). {@code image} gets the follower's ledger at {@code seq}, on the follower's thread,
   * to write its image before it returns (a failure to write is its own to report); {@code done} runs
   * once after, or once it is dropped (the follower given up or closing before it).
   */
  void imageAt(long seq, Consumer<Ledger> image, Runnable done) {
    Attempt a = current;
    if (a.givenUp != null || !a.queue.offer(new Item(seq, 0, null, seq, image, done))) {
      a.giveUp("its queue is full");
      done.run();
    }
  }

  /**
   * Writer, after its last batch: lets the follower apply what it was handed and make the images
   * asked of it, for at most {@value #CLOSE_WAIT_SECONDS} s (a restart then starts from the newest);
   * then stops it.
   */
  void close() throws InterruptedException {
    synchronized (this) {
      closed = true;
    }
    current.close();
  }

  /** A new follower as of record {@code seq} if one may be seeded now, else null. */
  private synchronized Attempt reseed(long seq) {
    Attempt last = current;
    if (closed || attemptsInARow >= reseeding.maxAttempts() || clockMillis.getAsLong() < nextAttemptMillis
        || last.thread.isAlive()) {
      return null; // the last one's thread still ends: tried again with the next batch
    }
    attemptsInARow++;
    Attempt a = new Attempt(last.number + 1, () -> reseeding.seeds().at(seq), seq);
    log.info("snapshot follower seeded again as of record " + seq + " (attempt " + attemptsInARow + " of "
        + reseeding.maxAttempts() + " in a row), from the newest snapshot on disk and the journal after it");
    current = a;
    reseeds.incrementAndGet();
    a.thread.start();
    return a;
  }

  /** An image was made: the follower is sound again, and a later give-up starts the count anew. */
  private synchronized void imageMade() {
    attemptsInARow = 0;
  }

  /** Notes a give-up; returns what the log says comes next. */
  private synchronized String givenUpNext() {
    if (closed) {
      return "the node is closing";
    }
    if (attemptsInARow >= reseeding.maxAttempts()) {
      return "snapshots are made on the writer from now on (each pauses it for as long as the image takes)"
          + (reseeding.maxAttempts() == 0 ? "" : ": " + attemptsInARow + " followers seeded again in a row were"
              + " given up too");
    }
    long backoff = reseeding.firstBackoffMillis() << Math.min(attemptsInARow, 20);
    nextAttemptMillis = clockMillis.getAsLong() + backoff;
    return "snapshots are made on the writer until a new follower is seeded, in " + backoff + " ms at the"
        + " earliest (attempt " + (attemptsInARow + 1) + " of " + reseeding.maxAttempts() + " in a row)";
  }

  /** One follower: its thread, its queue and its ledger, from its seed until it is given up or closed. */
  private final class Attempt {
    final int number;
    /** Rebuilds, off the writer, the ledger the follower starts from, as of {@code startSeq}. */
    final java.util.concurrent.Callable<Ledger> seed;
    final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(MAX_QUEUED_ITEMS);
    final AtomicLong lagCommands = new AtomicLong();
    final Thread thread;
    /** The sequence number the follower's ledger, once seeded, is at. */
    final long startSeq;
    volatile String givenUp;
    volatile boolean stopping;
    /** The follower thread's: the sequence number of the last command applied. */
    long seq;

    Attempt(int number, java.util.concurrent.Callable<Ledger> seed, long startSeq) {
      this.number = number;
      this.seed = seed;
      this.startSeq = startSeq;
      this.thread = new Thread(this::run, "gongji-snapshot-follower" + (number == 0 ? "" : "-" + number));
      this.thread.setDaemon(true);
    }

    void close() throws InterruptedException {
      if (!queue.offer(STOP)) {
        stopping = true;
        thread.interrupt();
      }
      thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
      if (thread.isAlive()) {
        log.warning("snapshot follower still busy after " + CLOSE_WAIT_SECONDS + " s at close: stopped; the journal"
            + " has everything");
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
      dropQueued();
    }

    private void run() {
      Ledger ledger;
      try {
        ledger = seed.call();
        ledger.takeHistory(); // the writer's history store has it all already
        seq = startSeq;
      } catch (Exception | OutOfMemoryError e) {
        if (!stopping) {
          giveUp("its seed failed: " + e, e);
        }
        return;
      }
      if (givenUp != null || stopping) {
        return; // given up while it was seeded (it lagged too far): the ledger goes with this frame
      }
      log.info("snapshot follower seeded at record " + startSeq + ": snapshots are made off the writer");
      try {
        while (givenUp == null && !stopping) {
          Item item = queue.take();
          if (item == STOP) {
            break;
          } else if (item.commands() != null) {
            apply(ledger, item);
          } else {
            image(ledger, item);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closing
      } catch (RuntimeException | OutOfMemoryError e) {
        giveUp("applying record " + (seq + 1) + " failed: " + e, e);
      }
      // Given up or stopping: the ledger goes with this frame, and its memory with it.
    }

    private void apply(Ledger ledger, Item batch) {
      if (batch.firstSeq() != seq + 1) {
        throw new IllegalStateException("a batch from record " + batch.firstSeq() + " after record " + seq);
      }
      for (Command c : batch.commands()) {
        Result r = ledger.apply(c, batch.atMillis());
        if (r instanceof Result.Stale) {
          throw new IllegalStateException("record " + (seq + 1) + " is stale on the follower: it diverged");
        }
        seq++;
      }
      ledger.takeHistory();
      lagCommands.addAndGet(-batch.commands().length);
    }

    private void image(Ledger ledger, Item mark) {
      try {
        if (mark.imageSeq() != seq) {
          throw new IllegalStateException("an image asked at record " + mark.imageSeq() + " with the follower at "
              + seq);
        }
        if (stopping) {
          return; // closing, and given up waiting for this image
        }
        mark.image().accept(ledger);
        imageMade();
      } finally {
        mark.done().run();
      }
    }

    void giveUp(String why) {
      giveUp(why, null);
    }

    private void giveUp(String why, Throwable cause) {
      synchronized (this) {
        if (givenUp != null) {
          return;
        }
        givenUp = why;
      }
      log.log(Level.WARNING, "snapshot follower given up: " + why + "; " + givenUpNext() + "; nothing is lost",
          cause);
      thread.interrupt();
      dropQueued();
    }

    private void dropQueued() {
      Item item;
      while ((item = queue.poll()) != null) {
        if (item.done() != null) {
          item.done().run();
        }
      }
      lagCommands.set(0);
    }
  }
}
