package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A second ledger that follows the writer's journal on a thread of its own, so that a snapshot image
 * is made without stopping the writer: the writer hands over each durable batch's journaled commands
 * (a copy of an array of references, no encoding) and, when a snapshot is due, a mark; this thread
 * applies the commands as a replay would and makes the image from its own ledger when it reaches
 * the mark.
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
 * seed or an apply fails, the follower is given up for the life of the process, said once in the
 * log, and the writer makes images itself again, as before there was a follower (it pauses for as
 * long as an image takes). Nothing is lost either way: the journal holds every acknowledged command.
 */
final class SnapshotFollower {
  private static final Logger log = Logger.getLogger(SnapshotFollower.class.getName());
  /** Batches and marks that may wait; far more than {@code maxLagCommands} allows in practice. */
  private static final int MAX_QUEUED_ITEMS = 1 << 16;
  /** How long a close waits for the follower to catch up and make the images asked of it. */
  private static final long CLOSE_WAIT_SECONDS = 30;

  /** What waits for the follower: a durable batch, or the mark of a snapshot due after the last one. */
  private record Item(long firstSeq, long atMillis, Command[] commands, long imageSeq, Consumer<byte[]> image,
      Runnable dropped) {}

  /** The last item, put by {@link #close}. */
  private static final Item STOP = new Item(-1, 0, null, -1, null, null);

  /** Rebuilds, off the writer, the ledger the writer started from. */
  private final java.util.concurrent.Callable<Ledger> seed;
  private final long maxLagCommands;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(MAX_QUEUED_ITEMS);
  private final AtomicLong lagCommands = new AtomicLong();
  private final Thread thread;
  /** The sequence number the writer starts after: the follower's ledger, once seeded, is at it. */
  private final long startSeq;
  private volatile String givenUp;
  private volatile boolean stopping;
  /** The follower thread's: the sequence number of the last command applied. */
  private long seq;

  SnapshotFollower(java.util.concurrent.Callable<Ledger> seed, long startSeq, long maxLagCommands) {
    this.seed = requireNonNull(seed, "seed");
    this.startSeq = startSeq;
    this.maxLagCommands = maxLagCommands;
    this.thread = new Thread(this::run, "gongji-snapshot-follower");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Whether the follower still makes the images (the writer's to ask, before each). */
  boolean following() {
    return givenUp == null;
  }

  /** Commands handed over and not yet applied. */
  long lagCommands() {
    return lagCommands.get();
  }

  /**
   * Writer: hands over a durable batch, the journaled commands {@code commands[0..n)} numbered from
   * {@code firstSeq}, all at {@code atMillis}. Never blocks; gives the follower up when it lags too far.
   */
  void follow(long firstSeq, long atMillis, Command[] commands, int n) {
    if (givenUp != null) {
      return;
    }
    if (lagCommands.addAndGet(n) > maxLagCommands
        || !queue.offer(new Item(firstSeq, atMillis, java.util.Arrays.copyOf(commands, n), -1, null, null))) {
      giveUp("it fell more than " + maxLagCommands + " commands behind the writer");
    }
  }

  /**
   * Writer: asks for the image as of {@code seq} (the last command handed over); {@code image} gets it
   * on the follower's thread, or {@code dropped} runs if the follower is given up before.
   */
  void imageAt(long seq, Consumer<byte[]> image, Runnable dropped) {
    if (givenUp != null || !queue.offer(new Item(seq, 0, null, seq, image, dropped))) {
      giveUp("its queue is full");
      dropped.run();
    }
  }

  /**
   * Writer, after its last batch: lets the follower apply what it was handed and make the images
   * asked of it, for at most {@value #CLOSE_WAIT_SECONDS} s (a restart then starts from the newest);
   * then stops it.
   */
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
    byte[] image;
    try {
      if (mark.imageSeq() != seq) {
        throw new IllegalStateException("an image asked at record " + mark.imageSeq() + " with the follower at "
            + seq);
      }
      image = Snapshots.image(ledger, seq);
    } catch (RuntimeException | OutOfMemoryError e) {
      mark.dropped().run();
      throw e;
    }
    if (stopping) {
      mark.dropped().run(); // closing, and given up waiting for this image
      return;
    }
    mark.image().accept(image);
  }

  private void giveUp(String why) {
    giveUp(why, null);
  }

  private synchronized void giveUp(String why, Throwable cause) {
    if (givenUp != null) {
      return;
    }
    givenUp = why;
    log.log(Level.WARNING, "snapshot follower given up: " + why + "; snapshots are made on the writer from now"
        + " on (each pauses it for as long as the image takes); nothing is lost", cause);
    thread.interrupt();
    dropQueued();
  }

  private void dropQueued() {
    Item item;
    while ((item = queue.poll()) != null) {
      if (item.dropped() != null) {
        item.dropped().run();
      }
    }
    lagCommands.set(0);
  }
}
