package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import gongji.server.history.MemoryHistoryStore;
import gongji.server.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sequencer with sweeps on, as a node runs it: it sends the sweeps, looks commands up in
 * history before queueing them, and looks a command up again when the writer swept after its
 * look-up. Callers never see {@link Result.Stale}.
 */
class SequencerSweepTest {
  private static final String PHARMACY = "P62010000017";
  private static final String A = "PSNA";
  private static final Duration WINDOW = Duration.ofSeconds(2);

  private final MutableClock clock = MutableClock.atMondayMorning();
  private final MemoryHistoryStore store = new MemoryHistoryStore();
  private final Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
  private final ExecutorService replies = Executors.newFixedThreadPool(2);
  private HistoryApplier history;
  private Sequencer sequencer;

  @BeforeEach
  void start() throws Exception {
    history = new HistoryApplier(store, 1 << 20).start();
    sequencer = new Sequencer(ledger, Journal.NONE, clock, replies, Sequencer.Config.defaults(),
        Sequencer.BatchObserver.NONE).history(history).sweeping(WINDOW, new Recaller(store)).start();
    submit(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))));
    submit(new Command.UpsertInsured(new Insured(A, "张三", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL,
        "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-A")))));
    submit(new Command.Credit("K-1", 1, A, 1_000_000));
  }

  @AfterEach
  void stop() throws Exception {
    sequencer.close();
    history.close();
    replies.shutdownNow();
  }

  @Test
  void aSaleLetGo_isReplayedAndRefundedThroughTheSequencer() throws Exception {
    Command.Authorize authorize = authorize("A-1", 11, 3_000);
    Result.Sale authorized = (Result.Sale) submit(authorize);
    Command.Settle settle = new Command.Settle("S-1", 12, PHARMACY, authorized.txn().txnId(), -1);
    Result.Sale settled = (Result.Sale) submit(settle);

    clock.advance(WINDOW.multipliedBy(3));
    // The first command after the window brings the sweep; its look-up predates it: looked up again.
    assertInstanceOf(Result.Account.class, submit(new Command.Credit("K-2", 2, A, 100)));
    assertTrue(ledger.sweeps() > 0, "swept");
    history.awaitApplied(sequencer.acknowledgedSeq()).get(5, TimeUnit.SECONDS);

    assertEquals(authorized, submit(authorize));
    assertEquals(settled, submit(settle));
    Result.Sale refunded = (Result.Sale) submit(new Command.Refund("R-1", 13, PHARMACY, authorized.txn().txnId()));
    assertEquals(TxnState.REFUNDED, refunded.txn().state());
    assertEquals(1_000_100, ledger.balanceOf(A));
    assertEquals(List.of(), ((Result.AuditReport) submit(new Command.Audit())).violations());
  }

  @Test
  void manySalesWhileSweepsRun_noCallerSeesStale_andTheMoneyAddsUp() throws Exception {
    List<CompletableFuture<Result>> settles = new ArrayList<>();
    List<Command.Authorize> authorizations = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Command.Authorize a = authorize("A-" + i, 100 + i, 100);
      authorizations.add(a);
      Result.Sale s = (Result.Sale) submit(a);
      settles.add(sequencer.submit(new Command.Settle("S-" + i, 1_000 + i, PHARMACY, s.txn().txnId(), -1)));
      if (i % 20 == 0) {
        clock.advance(Duration.ofMillis(700));
      }
    }
    for (CompletableFuture<Result> f : settles) {
      assertInstanceOf(Result.Sale.class, f.get(10, TimeUnit.SECONDS));
    }
    clock.advance(WINDOW.multipliedBy(3));
    submit(new Command.Credit("K-3", 3, A, 1));
    assertEquals(1_000_000 - 400 * 100 + 1, ledger.balanceOf(A));
    // Replays of the earliest, long since let go of, answer as before.
    for (int i = 0; i < 10; i++) {
      assertInstanceOf(Result.Sale.class, submit(authorizations.get(i)));
    }
    assertTrue(ledger.salesKept() < 400, "sales kept: " + ledger.salesKept());
    assertEquals(List.of(), ((Result.AuditReport) submit(new Command.Audit())).violations());
  }

  private Result submit(Command c) throws Exception {
    Result r = sequencer.submit(c).get(10, TimeUnit.SECONDS);
    assertTrue(!(r instanceof Result.Stale), "a caller saw a stale result");
    return r;
  }

  private static Command.Authorize authorize(String id, long hash, long fen) {
    return new Command.Authorize(id, hash, PHARMACY, "T1", A, MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, fen))), true, true);
  }
}
