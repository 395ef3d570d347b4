package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the sequencer completes a caller's future: on the executor the caller's thread names (the
 * transport's event loop), else on the replies executor; never on the sequencer thread.
 */
class SequencerReplyHandOffTest {
  private static final long DEADLINE_SECONDS = 10;
  private static final String PHARMACY = "P62010000017";
  private static final String PATIENT = "PSN1";
  private static final ThreadLocal<java.util.concurrent.Executor> LOOP = new ThreadLocal<>();

  private final MutableClock clock = MutableClock.atMondayMorning();
  private final ExecutorService replies = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-replies"));
  /**
   * The tasks the sequencer handed to the replies executor. Counted rather than read off the thread a
   * dependent stage runs on: a future that completes before its stage is attached runs the stage on
   * the attaching thread, whoever completed it.
   */
  private final java.util.concurrent.atomic.AtomicInteger handedToReplies = new java.util.concurrent.atomic.AtomicInteger();
  private final List<ExecutorService> loops = new ArrayList<>();
  private Sequencer sequencer;

  @BeforeEach
  void world() {
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    long now = clock.millis();
    ledger.apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))), now);
    ledger.apply(new Command.UpsertInsured(new Insured(PATIENT, "人", InsuranceType.EMPLOYEE_BASIC,
        InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-1")))), now);
    ledger.apply(new Command.Credit("K-1", 1, PATIENT, 100_000), now);
    java.util.concurrent.Executor counted = task -> {
      handedToReplies.incrementAndGet();
      replies.execute(task);
    };
    sequencer = new Sequencer(ledger, Journal.NONE, clock, counted, Sequencer.Config.defaults(),
        Sequencer.BatchObserver.NONE).repliesOnCaller(LOOP::get).start();
  }

  @AfterEach
  void close() throws Exception {
    sequencer.close();
    replies.shutdownNow();
    loops.forEach(ExecutorService::shutdownNow);
  }

  /** A single-thread executor whose thread names itself as its callers' reply executor. */
  private ExecutorService loop(String name) throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
    loop.submit(() -> LOOP.set(loop)).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    loops.add(loop);
    return loop;
  }

  private static Command sale(String requestId) {
    return new Command.Authorize(requestId, requestId.hashCode(), PHARMACY, "T1", PATIENT, MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 1_000))), true, false);
  }

  /** The name of the thread the future of {@code command}, submitted on {@code on}, completes on. */
  private String completedOn(ExecutorService on, Command command) throws Exception {
    CompletableFuture<String> thread = on.submit(() -> sequencer.submit(command)
        .thenApply(result -> Thread.currentThread().getName())).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    return thread.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void submit_fromLoopsThatNameThemselves_completesOnEachCallersLoop() throws Exception {
    ExecutorService a = loop("loop-a");
    ExecutorService b = loop("loop-b");

    List<CompletableFuture<String>> onA = new ArrayList<>();
    List<CompletableFuture<String>> onB = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String id = "S-" + i;
      onA.add(a.submit(() -> sequencer.submit(sale(id + "a")).thenApply(r -> Thread.currentThread().getName()))
          .get(DEADLINE_SECONDS, TimeUnit.SECONDS));
      onB.add(b.submit(() -> sequencer.submit(sale(id + "b")).thenApply(r -> Thread.currentThread().getName()))
          .get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }

    for (CompletableFuture<String> f : onA) {
      assertEquals("loop-a", f.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }
    for (CompletableFuture<String> f : onB) {
      assertEquals("loop-b", f.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }
  }

  @Test
  void submit_fromThreadThatNamesNoLoop_completesOnRepliesExecutor() throws Exception {
    ExecutorService plain = Executors.newSingleThreadExecutor(r -> new Thread(r, "plain"));
    loops.add(plain);

    completedOn(plain, sale("S-1"));

    assertTrue(handedToReplies.get() >= 1, "the reply went through the replies executor");
  }

  @Test
  void submit_whenCallersLoopIsShutDown_completesOnRepliesExecutor() throws Exception {
    ExecutorService a = loop("loop-a");
    // The loop refuses every task from now on, as a stopped event loop does.
    java.util.concurrent.Executor refusing = task -> {
      throw new RejectedExecutionException("stopped");
    };
    a.submit(() -> LOOP.set(refusing)).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

    completedOn(a, sale("S-1"));

    assertTrue(handedToReplies.get() >= 1, "the reply went through the replies executor");
    assertSame(refusing, a.submit(LOOP::get).get(DEADLINE_SECONDS, TimeUnit.SECONDS));
  }
}
