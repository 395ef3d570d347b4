package gongji.server.ledger;

import static com.google.common.base.Verify.verify;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.Await;
import gongji.server.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Snapshot images made off the writer, by the {@link SnapshotFollower}: byte for byte the image a
 * replay of the journal gives at the same record (and so what recovery would start from), with
 * sweeps, look-ups in history and expiring holds in the load; and when the follower is given up,
 * images go on being made, on the writer.
 */
class SnapshotFollowerTest {
  private static final Duration WINDOW = Duration.ofDays(35);
  private static final Duration RECENT = Duration.ofSeconds(2);
  private static final int SEEDS = Integer.getInteger("follower.seeds", 12);

  @Test
  void everyImage_isTheReplayOfTheJournalUpToIt_andTheWritersStateAtTheEndToo() throws Exception {
    for (long seed = 1; seed <= SEEDS; seed++) {
      Run run = new Run(seed, () -> new Ledger(WINDOW, ReferenceListener.NONE), 1_000_000);
      run.drive(400);
      assertTrue(run.sequencer.snapshotsOffTheWriter(), "seed " + seed + ": the follower was given up");
      run.close();
      assertTrue(run.images.size() >= 3, "seed " + seed + ": images " + run.images.keySet() + " at record " + run.sequencerSeq());
      assertTrue(run.ledger.sweeps() > 0, "seed " + seed + ": no sweep in the load");

      Map<Long, byte[]> replayed = run.replayImagesAt(run.images.keySet(), run.sequencerSeq());
      for (Map.Entry<Long, byte[]> e : run.images.entrySet()) {
        assertArrayEquals(replayed.get(e.getKey()), e.getValue(), "seed " + seed + ": the follower's image at record "
            + e.getKey() + " is not the replay's");
        // What a start leaves to the follower's seed (Checks.AFTER_START): decoded, it audits clean and
        // writes out to the very same bytes.
        Snapshots.checkAfterStart(Snapshots.decode(e.getValue(), e.getKey(), WINDOW, ReferenceListener.NONE).ledger(),
            e.getValue(), e.getKey());
      }
      assertArrayEquals(replayed.get(run.sequencerSeq()), Snapshots.image(run.ledger, run.sequencerSeq()),
          "seed " + seed + ": the writer's state at the end is not the replay's");
    }
  }

  /**
   * An image the follower writes as it makes it: one the disk refused is only logged, and the
   * follower makes the next; one that failed otherwise (its ledger could not be written out, say)
   * gives it up, and the writer makes the next images itself.
   */
  @Test
  void anImageTheDiskRefused_keepsTheFollower_butOneThatCouldNotBeMade_givesItUp() throws Exception {
    Run run = new Run(19, () -> new Ledger(WINDOW, ReferenceListener.NONE), 1_000_000);
    run.failOnFollower.set(new java.io.IOException("simulated full disk"));
    run.drive(200);
    Await.until(() -> run.failOnFollower.get() == null);
    run.drive(200);
    assertTrue(run.sequencer.snapshotsOffTheWriter(), "given up for a refused write");
    Await.until(() -> run.images.size() >= 2);

    run.failOnFollower.set(new IllegalStateException("simulated: the ledger cannot be written out"));
    run.drive(200);
    awaitGivenUp(run);
    int before = run.images.size();
    run.drive(200);
    run.close();
    assertTrue(run.images.size() > before, "images made on the writer: " + run.images.keySet());
    Map<Long, byte[]> replayed = run.replayImagesAt(run.images.keySet(), run.sequencerSeq());
    for (Map.Entry<Long, byte[]> e : run.images.entrySet()) {
      assertArrayEquals(replayed.get(e.getKey()), e.getValue(), "the image at record " + e.getKey());
    }
  }

  @Test
  void aSeedThatFails_givesTheFollowerUp_andTheWriterMakesTheImages() throws Exception {
    Run run = new Run(7, () -> {
      throw new java.io.IOException("no snapshot to start from");
    }, 1_000_000);
    run.drive(200);
    assertFalse(run.sequencer.snapshotsOffTheWriter());
    run.close();
    assertTrue(run.images.size() >= 3, "images " + run.images.keySet());
    Map<Long, byte[]> replayed = run.replayImagesAt(run.images.keySet(), run.sequencerSeq());
    for (Map.Entry<Long, byte[]> e : run.images.entrySet()) {
      // made on the writer at the end of a batch, whose time it holds: decoded, the same ledger as the replay's
      assertEquals(LedgerStates.describe(Snapshots.decode(replayed.get(e.getKey()), e.getKey(), WINDOW, ReferenceListener.NONE)
          .ledger(), run.workload.people(), List.of(), List.of()), LedgerStates.describe(
          Snapshots.decode(e.getValue(), e.getKey(), WINDOW, ReferenceListener.NONE).ledger(), run.workload.people(), List.of(),
          List.of()), "image at record " + e.getKey());
    }
  }

  @Test
  void aFollowerThatLagsPastItsBound_isGivenUp_andImagesGoOn() throws Exception {
    java.util.concurrent.CountDownLatch seeded = new java.util.concurrent.CountDownLatch(1);
    Run run = new Run(9, () -> {
      seeded.await(); // a large ledger still seeding: batches queue meanwhile, until the bound gives it up
      return new Ledger(WINDOW, ReferenceListener.NONE);
    }, 5);
    run.drive(200);
    seeded.countDown();
    assertFalse(run.sequencer.snapshotsOffTheWriter());
    assertEquals(0, run.sequencer.snapshotFollowerLag());
    run.close();
    assertTrue(run.images.size() >= 3, "images " + run.images.keySet());
  }

  @Test
  void aFollowerGivenUp_isSeededAgainFromTheJournal_andItsImagesAreTheReplaysAgain() throws Exception {
    java.util.concurrent.atomic.AtomicLong reseededAt = new java.util.concurrent.atomic.AtomicLong(-1);
    Run[] self = new Run[1];
    Run run = new Run(11, () -> {
      throw new java.io.IOException("no snapshot to start from");
    }, 1_000_000, new SnapshotFollower.Reseeding(seq -> {
      verify(reseededAt.compareAndSet(-1, seq), "seeded again twice: at %s and %s", reseededAt.get(), seq);
      return self[0].replayedTo(seq);
    }, 3, 0));
    self[0] = run;
    awaitGivenUp(run);
    run.drive(400);
    assertTrue(run.sequencer.snapshotsOffTheWriter(), "a follower again");
    assertEquals(1, run.sequencer.snapshotFollowerReseeds());
    run.close();
    long from = reseededAt.get();
    assertTrue(from >= 0, "seeded again");
    Map<Long, byte[]> replayed = run.replayImagesAt(run.images.keySet(), run.sequencerSeq());
    int byTheNewFollower = 0;
    for (Map.Entry<Long, byte[]> e : run.images.entrySet()) {
      if (e.getKey() > from) {
        // Asked of the new follower (it follows from the first batch after its seed): the replay's bytes.
        assertArrayEquals(replayed.get(e.getKey()), e.getValue(), "the new follower's image at record " + e.getKey());
        byTheNewFollower++;
      }
    }
    assertTrue(byTheNewFollower >= 3, "images after record " + from + ": " + run.images.keySet());
  }

  @Test
  void aReseedThatKeepsFailing_isTriedAtMostItsBound_andImagesGoOnOnTheWriter() throws Exception {
    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    Run run = new Run(13, () -> {
      throw new java.io.IOException("no snapshot to start from");
    }, 1_000_000, new SnapshotFollower.Reseeding(seq -> {
      attempts.incrementAndGet();
      throw new java.io.IOException("still no snapshot");
    }, 3, 0));
    awaitGivenUp(run);
    // Each attempt waits for the thread of the last to end: drive until the bound is reached (bounded).
    for (int i = 0; i < 100 && attempts.get() < 3; i++) {
      run.drive(10);
      awaitGivenUp(run);
    }
    run.drive(100);
    assertEquals(3, attempts.get());
    assertEquals(3, run.sequencer.snapshotFollowerReseeds());
    assertFalse(run.sequencer.snapshotsOffTheWriter());
    int before = run.images.size();
    run.drive(100);
    run.close();
    assertTrue(run.images.size() > before, "images made on the writer: " + run.images.keySet());
  }

  @Test
  void aFollowerGivenUp_isNotSeededAgainBeforeItsBackoff() throws Exception {
    java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    Run[] self = new Run[1];
    Run run = new Run(17, () -> {
      throw new java.io.IOException("no snapshot to start from");
    }, 1_000_000, new SnapshotFollower.Reseeding(seq -> {
      attempts.incrementAndGet();
      return self[0].replayedTo(seq);
    }, 3, Duration.ofDays(2).toMillis()));
    self[0] = run;
    awaitGivenUp(run);
    run.drive(100); // well under two days of the workload's clock
    assertEquals(0, attempts.get(), "seeded again before the backoff");
    assertFalse(run.sequencer.snapshotsOffTheWriter());
    run.clock.advance(Duration.ofDays(2));
    run.drive(100);
    assertEquals(1, attempts.get());
    assertTrue(run.sequencer.snapshotsOffTheWriter());
    run.close();
  }

  /** Waits, bounded, until the follower is given up; no timing is asserted. */
  private static void awaitGivenUp(Run run) throws InterruptedException {
    Await.until(() -> !run.sequencer.snapshotsOffTheWriter());
  }

  /** A sequencer as a node runs it, on a simulated disk, with history, sweeps and a follower. */
  private static final class Run {
    final SplittableRandom random;
    final SimulatedStorage disk = new SimulatedStorage();
    final MutableClock clock = MutableClock.atMondayMorning();
    final MemoryHistoryStore store = new MemoryHistoryStore();
    final Ledger ledger = new Ledger(WINDOW, ReferenceListener.NONE);
    final Ledger shadow = new Ledger(WINDOW, ReferenceListener.NONE);
    final LedgerWorkload workload;
    final Map<Long, byte[]> images = new ConcurrentSkipListMap<>();
    /** When set, the next image the follower writes fails with it (and it is cleared). */
    final java.util.concurrent.atomic.AtomicReference<Exception> failOnFollower =
        new java.util.concurrent.atomic.AtomicReference<>();
    final HistoryApplier history;
    final Sequencer sequencer;

    Run(long seed, java.util.concurrent.Callable<Ledger> followerSeed, long maxLag) throws Exception {
      this(seed, followerSeed, maxLag, SnapshotFollower.Reseeding.NEVER);
    }

    Run(long seed, java.util.concurrent.Callable<Ledger> followerSeed, long maxLag,
        SnapshotFollower.Reseeding reseeding) throws Exception {
      random = new SplittableRandom(seed);
      workload = new LedgerWorkload(random.split());
      history = new HistoryApplier(store, 1 << 20).start();
      sequencer = new Sequencer(ledger, new FileJournal(disk, 1, 1 << 16), clock, Runnable::run,
          Sequencer.Config.defaults(), Sequencer.BatchObserver.NONE)
          .history(history)
          .sweeping(RECENT, new Recaller(store))
          .snapshotting(new Sequencer.Snapshotting(40, Duration.ofDays(1).toMillis(), (seq, payload) -> {
            Exception failure = failOnFollower.get();
            if (failure != null && Thread.currentThread().getName().startsWith("gongji-snapshot-follower")
                && failOnFollower.compareAndSet(failure, null)) {
              if (failure instanceof java.io.IOException io) {
                throw io;
              }
              throw (RuntimeException) failure;
            }
            byte[] image = Snapshots.image(seq, payload, 0);
            images.put(seq, image);
            return image.length;
          }, Runnable::run))
          .snapshotsOffTheWriter(followerSeed, maxLag, reseeding)
          .start();
    }

    void drive(int commands) throws Exception {
      List<Command> world = new ArrayList<>(workload.world());
      int sent = 0;
      while (sent < commands) {
        List<CompletableFuture<Result>> batch = new ArrayList<>();
        for (int i = 1 + random.nextInt(8); i > 0 && sent < commands; i--, sent++) {
          Command c = !world.isEmpty() ? world.remove(0) : workload.next(shadow);
          workload.observe(shadow.apply(c, clock.millis()));
          batch.add(sequencer.submit(c));
        }
        for (CompletableFuture<Result> f : batch) {
          try {
            f.get(10, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException refused) {
            // a refusal of the ledger's is a result like any other here
          }
        }
        clock.advance(Duration.ofMillis(workload.nextDelayMillis()));
        awaitSnapshot(); // one at a time: a snapshot due while one is made waits for the next batch
      }
      awaitSnapshot();
    }

    /** Waits, bounded, for the snapshot being written on another thread; no timing is asserted. */
    private void awaitSnapshot() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (sequencer.snapshotPending() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
    }

    long sequencerSeq() {
      return sequencer.acknowledgedSeq();
    }

    void close() throws Exception {
      sequencer.close();
      history.close();
    }

    /** The ledger as of record {@code seq}: the journal replayed into a fresh ledger up to it. */
    Ledger replayedTo(long seq) throws Exception {
      Ledger replay = new Ledger(WINDOW, ReferenceListener.NONE);
      long[] last = {0};
      try {
        JournalRecovery.replay(disk, 0, false, (at, atMillis, command) -> {
          if (at > seq) {
            throw new Reached(); // the writer appends after it meanwhile
          }
          replay.apply(command, atMillis);
          replay.takeHistory();
          last[0] = at;
        });
      } catch (Reached done) {
        // every record up to seq is applied
      }
      verify(last[0] == seq, "the journal ends at record %s, not %s", last[0], seq);
      return replay;
    }

    /** Images of the journal replayed into a fresh ledger, at each of {@code seqs} and at {@code last}. */
    Map<Long, byte[]> replayImagesAt(java.util.Set<Long> seqs, long last) throws Exception {
      Ledger replay = new Ledger(WINDOW, ReferenceListener.NONE);
      Map<Long, byte[]> out = new TreeMap<>();
      JournalRecovery.replay(disk, 0, false, (seq, at, command) -> {
        replay.apply(command, at);
        replay.takeHistory();
        if (seqs.contains(seq) || seq == last) {
          out.put(seq, Snapshots.image(replay, seq));
        }
      });
      return out;
    }
  }

  /** Ends a replay at the first record past the one asked for. */
  private static final class Reached extends java.io.IOException {
    private static final long serialVersionUID = 1L;
  }
}
