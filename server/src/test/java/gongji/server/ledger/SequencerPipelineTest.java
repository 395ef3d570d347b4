package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.testing.Await;
import gongji.server.testing.MutableClock;
import gongji.server.testing.RewritingHistoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipelined force: the writer applies batch k+1 while a thread of its own forces batch k. A
 * journal whose forces the test holds shows what may leave, and what history, the snapshot
 * follower and snapshots are handed, before a force returns. The world is {@link SequencerTest}'s:
 * a pharmacy and a patient with 1,000 yuan.
 */
class SequencerPipelineTest {
  private static final long DEADLINE_SECONDS = 10;
  private static final String PATIENT = "PSN1";

  private final MutableClock clock = MutableClock.atMondayMorning();
  private final HeldJournal journal = new HeldJournal();
  private Sequencer sequencer;
  private HistoryApplier history;

  @AfterEach
  void close() throws Exception {
    journal.close(); // lets every held force through, so that a failed test still stops the sequencer
    if (sequencer != null) {
      sequencer.close();
    }
    if (history != null) {
      history.close();
    }
  }

  private Sequencer sequencer(Sequencer.Config config) {
    sequencer = new Sequencer(SequencerTest.world(clock.millis()), journal, clock, Runnable::run, config,
        Sequencer.BatchObserver.NONE);
    return sequencer;
  }

  private static Command credit(int n, long amountFen) {
    return new Command.Credit("K-" + n, n, PATIENT, amountFen);
  }

  private static Result resultOf(CompletableFuture<Result> f) throws Exception {
    return f.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(CompletableFuture<Result> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    return e.getCause();
  }

  /** Waits (bounded) until the writer has applied {@code commands}: what it answers is then decided. */
  private void awaitApplied(long commands) throws InterruptedException {
    Await.until(() -> sequencer.appliedCount() >= commands);
  }

  @Test
  void start_pipelinesOnlyWhenConfiguredAndTheJournalAllowsIt() throws Exception {
    assertTrue(sequencer(Sequencer.Config.defaults()).start().pipelined());
    sequencer.close();
    assertFalse(sequencer(Sequencer.Config.defaults().withPipelinedForce(false)).start().pipelined());
    sequencer.close();
    sequencer = new Sequencer(SequencerTest.world(clock.millis()), Journal.NONE, clock, Runnable::run,
        Sequencer.Config.defaults(), Sequencer.BatchObserver.NONE).start();
    assertFalse(sequencer.pipelined(), "a journal that keeps nothing is not worth a second thread");
  }

  @Test
  void submit_queryInTheBatchAfterAWrite_isNotAnsweredBeforeThatWriteIsForced() throws Exception {
    sequencer(Sequencer.Config.defaults()).start();
    CompletableFuture<Result> credit = sequencer.submit(credit(2, 700));
    journal.awaitForcing(); // batch 1 at the forcer, its force held
    CompletableFuture<Result> query = sequencer.submit(new Command.GetAccount(PATIENT));
    awaitApplied(2);

    assertFalse(query.isDone(), "answered from a write that is not durable yet");
    assertFalse(credit.isDone(), "acknowledged before its force");
    assertEquals(0, sequencer.acknowledgedSeq());
    journal.letOneThrough();
    assertEquals(100_700, ((Result.Account) resultOf(query)).balanceFen(), "the query read the credit before it");
    assertEquals(Outcome.OK, resultOf(credit).outcome());
    assertEquals(1, sequencer.acknowledgedSeq());
  }

  @Test
  void submit_writeInTheBatchAfterAWrite_isWrittenAfterTheForceAndWaitsForItsOwn() throws Exception {
    sequencer(Sequencer.Config.defaults()).start();
    CompletableFuture<Result> first = sequencer.submit(credit(2, 700));
    journal.awaitForcing();
    CompletableFuture<Result> second = sequencer.submit(credit(3, 5));
    awaitApplied(2); // applied while the first is forced

    journal.letOneThrough();
    resultOf(first);
    journal.awaitForcing(); // the second's force, held
    assertFalse(second.isDone(), "acknowledged before its force");
    assertEquals(1, sequencer.acknowledgedSeq());
    journal.letOneThrough();

    assertEquals(100_705, ((Result.Account) resultOf(second)).balanceFen());
    assertEquals(2, sequencer.acknowledgedSeq());
    assertEquals(List.of("write 1", "force 1", "forced 1", "write 2", "force 2", "forced 2"), journal.events(),
        "the file is written only between forces");
  }

  @Test
  void forceFails_theBatchAppliedBehindItIsRefusedToo_andNothingAfterIsAcknowledged() throws Exception {
    ForcedOnlyHistory checked = new ForcedOnlyHistory(journal);
    history = new HistoryApplier(checked.store, 1 << 16).start();
    sequencer(Sequencer.Config.defaults()).history(history).start();
    CompletableFuture<Result> first = sequencer.submit(credit(2, 700));
    journal.awaitForcing();
    CompletableFuture<Result> behind = sequencer.submit(credit(3, 5));
    awaitApplied(2); // applied in memory while the first is forced

    journal.failNextForce();
    journal.letOneThrough();

    Throwable why = failureOf(first);
    assertInstanceOf(LedgerUnavailableException.class, why);
    assertTrue(why.getMessage().contains("journal force failed"), why::getMessage);
    assertInstanceOf(LedgerUnavailableException.class, failureOf(behind));
    CompletableFuture<Result> later = sequencer.submit(new Command.GetAccount(PATIENT));
    assertTrue(later.isCompletedExceptionally(), "answered after the journal failed");
    assertTrue(sequencer.poisonedReason().contains("simulated fsync failure"), sequencer::poisonedReason);
    assertEquals(0, sequencer.acknowledgedSeq());
    assertEquals(List.of("write 1", "force 1"), journal.events(), "the batch behind the failure is never written");
    assertEquals(0, checked.store.appliedSeq(), "history was handed a batch that is not durable");
  }

  @Test
  void historyAndSnapshotsOnTheWriter_areHandedOnlyForcedBatches() throws Exception {
    handedOnlyForcedBatches(false);
  }

  @Test
  void historyAndTheSnapshotFollower_areHandedOnlyForcedBatches() throws Exception {
    handedOnlyForcedBatches(true);
  }

  /**
   * A few hundred credits and queries without holding any force: history checks each batch it is
   * handed against what the journal had forced, and so does the snapshot sink each image.
   */
  private void handedOnlyForcedBatches(boolean follower) throws Exception {
    journal.hold = false;
    ForcedOnlyHistory checked = new ForcedOnlyHistory(journal);
    history = new HistoryApplier(checked.store, 1 << 16).start();
    Map<Long, Long> images = new ConcurrentSkipListMap<>();
    List<String> early = Collections.synchronizedList(new ArrayList<>());
    long startMillis = clock.millis();
    sequencer(Sequencer.Config.defaults()).history(history)
        .snapshotting(new Sequencer.Snapshotting(7, Duration.ofDays(1).toMillis(), (seq, image) -> {
          long forced = journal.forcedSeq();
          if (seq > forced) {
            early.add("image at record " + seq + " written with the journal forced through " + forced);
          }
          images.put(seq, forced);
          return 0;
        }, Runnable::run));
    if (follower) {
      sequencer.snapshotsOffTheWriter(() -> SequencerTest.world(startMillis), 1_000_000);
    }
    sequencer.start();
    List<CompletableFuture<Result>> all = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      all.add(sequencer.submit(i % 3 == 0 ? new Command.GetAccount(PATIENT) : credit(10 + i, i)));
    }
    for (CompletableFuture<Result> f : all) {
      resultOf(f);
    }
    long last = sequencer.acknowledgedSeq();
    history.awaitApplied(last).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    sequencer.close(); // the follower makes the images asked of it before it stops

    assertEquals(200, last, "every credit acknowledged");
    assertEquals(List.of(), checked.early, "history");
    assertEquals(List.of(), early, "snapshots");
    assertFalse(images.isEmpty(), "no snapshot was taken: the check saw nothing");
    assertTrue(sequencer.pipelined());
    assertEquals(follower, sequencer.snapshotsOffTheWriter(), "who made the images");
  }

  @Test
  void identityView_showsABatchOnceItIsForced_beforeItsReplyLeaves() throws Exception {
    sequencer(Sequencer.Config.defaults()).start();
    // The writer answers the first Identify and takes the patient in; the view holds them once that batch is done.
    assertEquals(100_000, ((Result.Identity) resultOf(sequencer.submit(new Command.Identify(PATIENT)))).balanceFen());
    Await.until(() -> sequencer.identityView().answer(PATIENT, null) != null);

    CompletableFuture<Result> credit = sequencer.submit(credit(2, 700));
    journal.awaitForcing(); // applied, its force held
    assertEquals(100_000, ((Result.Identity) sequencer.identityView().answer(PATIENT, null)).balanceFen(),
        "the view showed a credit the journal could still lose");
    journal.letOneThrough();
    resultOf(credit);
    assertEquals(100_700, ((Result.Identity) sequencer.identityView().answer(PATIENT, null)).balanceFen(),
        "the credit's reply came back before the view showed it");
  }

  /** History in memory that notes each batch it is handed past what the journal has forced. */
  private static final class ForcedOnlyHistory {
    final List<String> early = Collections.synchronizedList(new ArrayList<>());
    final RewritingHistoryStore store;

    ForcedOnlyHistory(HeldJournal journal) {
      store = new RewritingHistoryStore(new MemoryHistoryStore(), (throughSeq, records) -> {
        long forced = journal.forcedSeq();
        if (throughSeq > forced) {
          early.add("history through record " + throughSeq + " with the journal forced through " + forced);
        }
        return records;
      });
    }
  }

  /**
   * A journal forced off the writer that keeps nothing, counts records, notes each write and force,
   * and, while {@code hold} is set, makes each force wait until the test lets it through.
   */
  private static final class HeldJournal implements Journal {
    private final Semaphore forcing = new Semaphore(0);
    private final Semaphore through = new Semaphore(0);
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    volatile boolean hold = true;
    private volatile boolean failNext;
    private long appended;
    private volatile long writtenSeq;
    private volatile long forcedSeq;

    @Override
    public long lastSeq() {
      return appended;
    }

    @Override
    public void append(Command command, long atMillis) {
      appended++;
    }

    @Override
    public void force() throws IOException {
      write();
      forceWritten();
    }

    @Override
    public boolean forcesOffTheWriter() {
      return true;
    }

    @Override
    public void write() {
      writtenSeq = appended;
      events.add("write " + writtenSeq);
    }

    @Override
    public void forceWritten() throws IOException {
      long covered = writtenSeq;
      events.add("force " + covered);
      if (hold) {
        forcing.release();
        through.acquireUninterruptibly();
      }
      if (failNext) {
        throw new IOException("simulated fsync failure");
      }
      forcedSeq = covered;
      events.add("forced " + covered);
    }

    long forcedSeq() {
      return forcedSeq;
    }

    List<String> events() {
      return List.copyOf(events);
    }

    void failNextForce() {
      failNext = true;
    }

    void awaitForcing() throws InterruptedException {
      assertTrue(forcing.tryAcquire(DEADLINE_SECONDS, TimeUnit.SECONDS), "no force began");
    }

    void letOneThrough() {
      through.release();
    }

    @Override
    public void close() {
      hold = false;
      through.release(1_000);
    }
  }
}
