package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.Await;
import gongji.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A snapshot that falls due while another is being written is taken once that write is done, with
 * no further command: the test holds the first write, journals enough for a second one meanwhile,
 * sends nothing more, and lets the first write end. The world is {@link SequencerTest}'s.
 */
class SnapshotScheduleTest {
  private static final long DEADLINE_SECONDS = 10;
  private static final int EVERY_COMMANDS = 2;

  private final MutableClock clock = MutableClock.atMondayMorning();

  @ParameterizedTest(name = "follower={0}, pipelined={1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void dueWhileAnotherIsWritten_isTakenWhenThatWriteEnds_withoutAFurtherCommand(boolean follower, boolean pipelined)
      throws Exception {
    CountingJournal journal = new CountingJournal(pipelined);
    List<Long> written = new CopyOnWriteArrayList<>();
    CountDownLatch firstWriteBegun = new CountDownLatch(1);
    CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    long startMillis = clock.millis();
    Sequencer sequencer = new Sequencer(SequencerTest.world(startMillis), journal, clock, Runnable::run,
        Sequencer.Config.defaults().withPipelinedForce(pipelined), Sequencer.BatchObserver.NONE)
        .snapshotting(new Sequencer.Snapshotting(EVERY_COMMANDS, Duration.ofDays(1).toMillis(), (seq, image) -> {
          if (written.isEmpty()) {
            firstWriteBegun.countDown();
            await(firstWriteMayEnd);
          }
          written.add(seq);
          return 0;
        }, writer));
    if (follower) {
      sequencer.snapshotsOffTheWriter(() -> SequencerTest.world(startMillis), 1_000_000);
    }
    try {
      sequencer.start();
      credit(sequencer, 1);
      credit(sequencer, 2); // due: the image at record 2, whose write the test holds
      assertTrue(firstWriteBegun.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the first snapshot's write began");
      credit(sequencer, 3);
      credit(sequencer, 4); // due again while the first is being written: it waits
      assertTrue(sequencer.snapshotPending(), "the first is still in flight");

      firstWriteMayEnd.countDown(); // and no command after it
      Await.until(() -> written.size() == 2);
      assertEquals(List.of(2L, 4L), written, "the snapshot due at record 4, taken without a further command");
      Await.until(() -> !sequencer.snapshotPending());
    } finally {
      firstWriteMayEnd.countDown();
      sequencer.close();
      writer.shutdown();
      assertTrue(writer.awaitTermination(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }
    assertEquals(List.of(2L, 4L), written, "each snapshot taken once");
  }

  private static void credit(Sequencer sequencer, int n) throws Exception {
    Result r = sequencer.submit(new Command.Credit("S-" + n, n, "PSN1", 100)).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertInstanceOf(Result.Account.class, r, "credit " + n);
  }

  private static void await(CountDownLatch latch) throws java.io.InterruptedIOException {
    try {
      latch.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while the test held the write");
    }
  }

  /** A journal that keeps nothing but counts its records; forced on the writer or off it. */
  private static final class CountingJournal implements Journal {
    private final boolean offTheWriter;
    private volatile long lastSeq;

    CountingJournal(boolean offTheWriter) {
      this.offTheWriter = offTheWriter;
    }

    @Override
    public long lastSeq() {
      return lastSeq;
    }

    @Override
    public void append(Command command, long atMillis) {
      lastSeq++;
    }

    @Override
    public void force() {}

    @Override
    public boolean forcesOffTheWriter() {
      return offTheWriter;
    }

    @Override
    public void write() {}

    @Override
    public void forceWritten() {}

    @Override
    public void close() {}
  }
}
