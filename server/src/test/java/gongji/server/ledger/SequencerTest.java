package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a failing command does to the single writer: a query that throws fails alone and the ledger
 * keeps serving; a mutating command that throws stops it. The throwing query is a real path:
 * {@code LoadReference(INSTITUTION, 42)} casts its key to a String in the ledger.
 */
class SequencerTest {
  private static final long DEADLINE_SECONDS = 10;
  private static final String PHARMACY = "P62010000017";
  private static final String PATIENT = "PSN1";

  private final MutableClock clock = MutableClock.atMondayMorning();
  private Sequencer sequencer;

  @BeforeEach
  void world() throws Exception {
    sequencer = new Sequencer(world(clock.millis()), Journal.NONE, clock, Runnable::run, Sequencer.Config.defaults(),
        Sequencer.BatchObserver.NONE);
  }

  /** A pharmacy and a patient with 1,000 yuan in their account. */
  static Ledger world(long now) {
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    ledger.apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))), now);
    ledger.apply(new Command.UpsertInsured(new Insured(PATIENT, "人", InsuranceType.EMPLOYEE_BASIC,
        InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-1")))), now);
    ledger.apply(new Command.Credit("K-1", 1, PATIENT, 100_000), now);
    return ledger;
  }

  @AfterEach
  void close() throws Exception {
    sequencer.close();
  }

  private static Command throwingQuery() {
    return new Command.LoadReference(Command.ReferenceKind.INSTITUTION, 42);
  }

  private static Command sale(String requestId) {
    return new Command.Authorize(requestId, requestId.hashCode(), PHARMACY, "T1", PATIENT, MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 1_000))), true, false);
  }

  private static Throwable failureOf(CompletableFuture<Result> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static Result resultOf(CompletableFuture<Result> f) throws Exception {
    return f.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void submit_throwingQuery_failsAloneAndTheNextSaleSucceeds() throws Exception {
    sequencer.start();

    Throwable why = failureOf(sequencer.submit(throwingQuery()));
    Result sale = resultOf(sequencer.submit(sale("A-1")));

    LedgerQueryFailedException failed = assertInstanceOf(LedgerQueryFailedException.class, why);
    assertInstanceOf(ClassCastException.class, failed.getCause());
    assertEquals("query LoadReference failed in the ledger", failed.getMessage());
    assertEquals(Outcome.OK, sale.outcome(), () -> "sale answered " + sale);
    assertNull(sequencer.poisonedReason());
    assertEquals(1, sequencer.queryFailures());
  }

  @Test
  void submit_throwingQueryInTheBatchOfASale_onlyTheQueryFails() throws Exception {
    // Queued before the thread starts, so that all three go in one batch.
    CompletableFuture<Result> before = sequencer.submit(sale("A-1"));
    CompletableFuture<Result> query = sequencer.submit(throwingQuery());
    CompletableFuture<Result> after = sequencer.submit(sale("A-2"));
    sequencer.start();

    assertEquals(Outcome.OK, resultOf(before).outcome());
    assertInstanceOf(LedgerQueryFailedException.class, failureOf(query));
    assertEquals(Outcome.OK, resultOf(after).outcome());
    assertNull(sequencer.poisonedReason());
  }

  @Test
  void submit_sameThrowingQueryRepeated_countedEachTimeAndLedgerStillServes() throws Exception {
    sequencer.start();

    for (int i = 0; i < 50; i++) {
      assertInstanceOf(LedgerQueryFailedException.class, failureOf(sequencer.submit(throwingQuery())));
    }
    Result account = resultOf(sequencer.submit(new Command.GetAccount(PATIENT)));

    assertEquals(50, sequencer.queryFailures());
    assertEquals(100_000, ((Result.Account) account).balanceFen());
    assertNull(sequencer.poisonedReason());
  }

  @Test
  void submit_throwingMutatingCommand_poisonsTheLedger() throws Exception {
    sequencer.start();

    // A negative credit breaks the double-entry invariant (transfer of a negative amount): a bug.
    Throwable why = failureOf(sequencer.submit(new Command.Credit("K-2", 2, PATIENT, -5)));
    Throwable next = failureOf(sequencer.submit(sale("A-1")));

    assertInstanceOf(LedgerUnavailableException.class, why);
    assertNotNull(sequencer.poisonedReason());
    assertTrue(sequencer.poisonedReason().contains("applying Credit failed"), sequencer::poisonedReason);
    assertInstanceOf(LedgerUnavailableException.class, next);
  }

  @Test
  void submit_afterTheCallersDeadline_isNotApplied_andTheIdStaysUsable() throws Exception {
    long[] deadline = {System.nanoTime() - 1_000_000};
    sequencer.deadlinesOnCaller(() -> deadline[0]).start();

    Throwable why = failureOf(sequencer.submit(new Command.Credit("K-2", 2, PATIENT, 500)));
    assertInstanceOf(DeadlinePassedException.class, why);
    assertEquals(1, sequencer.deadlinesPassedCount());
    Result.Account before = (Result.Account) sequencer.submit(new Command.GetAccount(PATIENT)).exceptionally(e -> null)
        .get();
    assertEquals(null, before, "a read past its deadline is not answered either");

    deadline[0] = Long.MAX_VALUE; // the caller tries again, with time to wait
    Result.Account credited = (Result.Account) sequencer.submit(new Command.Credit("K-2", 2, PATIENT, 500)).get();
    assertEquals(100_500, credited.balanceFen(), "applied once, now: the id was not used by the late one");
  }

  @Test
  void submit_pastTheQueueBound_isShedAtOnce_notApplied() throws Exception {
    sequencer.close();
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    sequencer = new Sequencer(ledger, Journal.NONE, clock, Runnable::run, new Sequencer.Config(2, 16, 200),
        Sequencer.BatchObserver.NONE); // not started: nothing leaves the queue

    sequencer.submit(new Command.Tick());
    sequencer.submit(new Command.Tick());
    Throwable shed = failureOf(sequencer.submit(new Command.Credit("K-3", 3, PATIENT, 1)));

    assertInstanceOf(LedgerOverloadedException.class, shed);
    assertEquals(1, sequencer.overloadedCount());
  }
  @Test
  void submit_queryInTheBatchOfAWrite_isAnsweredBeforeTheForce_andSeesEveryAcknowledgedWrite() throws Exception {
    sequencer.close();
    GatedJournal journal = new GatedJournal();
    sequencer = new Sequencer(world(clock.millis()), journal, clock, Runnable::run, Sequencer.Config.defaults(),
        Sequencer.BatchObserver.NONE);
    // One batch of two credits, acknowledged once its force is let through.
    CompletableFuture<Result> first = sequencer.submit(new Command.Credit("K-2", 2, PATIENT, 700));
    CompletableFuture<Result> second = sequencer.submit(new Command.Credit("K-4", 4, PATIENT, 300));
    try {
      sequencer.start();
      journal.awaitForcing();
      // The next batch: a credit, then a query behind it, queued while the first batch forces.
      CompletableFuture<Result> third = sequencer.submit(new Command.Credit("K-3", 3, PATIENT, 5));
      CompletableFuture<Result> query = sequencer.submit(new Command.GetAccount(PATIENT));
      journal.letOneThrough();
      resultOf(first);
      resultOf(second);
      journal.awaitForcing(); // the second batch's force, held

      Result.Account seen = (Result.Account) resultOf(query);

      assertEquals(101_000, seen.balanceFen(), "every acknowledged credit, and not the one still being forced");
      assertTrue(!third.isDone(), "the credit waits for its force");
      journal.letOneThrough();
      resultOf(third);
    } finally {
      journal.close(); // lets every force through, so that a failed run still stops the sequencer
    }
  }

  /** A journal whose every force waits until the test lets it through. */
  private static final class GatedJournal implements Journal {
    private final java.util.concurrent.Semaphore forcing = new java.util.concurrent.Semaphore(0);
    private final java.util.concurrent.Semaphore through = new java.util.concurrent.Semaphore(0);

    @Override
    public void append(Command command, long atMillis) {}

    @Override
    public void force() {
      forcing.release();
      through.acquireUninterruptibly();
    }

    void awaitForcing() throws InterruptedException {
      assertTrue(forcing.tryAcquire(DEADLINE_SECONDS, TimeUnit.SECONDS), "no force began");
    }

    void letOneThrough() {
      through.release();
    }

    @Override
    public void close() {
      through.release(1_000);
    }
  }
}
