package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import gongji.server.domain.Relationship;
import gongji.server.history.MemoryHistoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The boundary between the working state and history ({@link Recall}): a ledger that lets closed
 * sales and old request entries go to history answers exactly what one that keeps everything
 * answers, replays to the same state from its journal (the looked-up images travel in it), and
 * keeps only the recent window in memory.
 */
class LedgerSweepTest {
  private static final int SEEDS = Integer.getInteger("gongji.sweep.seeds", 300);
  private static final long START_MILLIS = 1_764_036_000_000L; // 2025-11-25 10:00 Beijing
  private static final String PHARMACY = "P62010000017";
  private static final String HOSPITAL = "H35010000002";
  private static final String A = "PSNA";
  private static final String B = "PSNB";
  private static final long W = 10_000;

  // ---- the property: the same answers as a ledger that keeps everything ---------------------

  @Test
  void seededWorkload_sweptLedger_answersAsOneThatKeepsEverything_andReplaysToTheSameState() {
    long sweeps = 0;
    long recalledSales = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      try {
        long[] counts = run(seed);
        sweeps += counts[0];
        recalledSales += counts[1];
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay: -Dgongji.sweep.seeds=" + seed + "): " + e, e);
      }
    }
    assertTrue(sweeps > SEEDS, "the runs swept: " + sweeps);
    assertTrue(recalledSales > SEEDS / 10, "commands named sales only history held: " + recalledSales);
  }

  /** One seeded run; returns the sweeps made and the look-ups that brought a sale back. */
  private static long[] run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    LedgerWorkload workload = new LedgerWorkload(random.split());
    long window = new long[] {1_000, 5_000, 60_000}[random.nextInt(3)];
    Ledger keeping = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    Swept swept = new Swept(window, new int[] {2, 7, Recall.MAX_PER_SWEEP}[random.nextInt(3)]);
    List<Command> world = new ArrayList<>(workload.world());
    Map<String, String> sales = new HashMap<>(); // id -> institution
    long now = START_MILLIS;
    long recalledSales = 0;
    for (int step = 0; step < 400; step++) {
      now += workload.nextDelayMillis();
      Command c = !world.isEmpty() ? world.remove(0) : workload.next(keeping);
      Result expected = keeping.apply(c, now);
      Result actual = swept.apply(c, now);
      assertEquals(expected, actual, "step " + step + ": " + c);
      workload.observe(expected);
      if (expected instanceof Result.Sale s) {
        sales.put(s.txn().txnId(), s.txn().institution());
      }
      if (!sales.isEmpty() && random.nextInt(4) == 0) {
        // A look-up of a sale, perhaps one only history holds.
        List<String> ids = new ArrayList<>(sales.keySet());
        ids.sort(null);
        String id = ids.get(random.nextInt(ids.size()));
        Command q = new Command.GetTransaction(sales.get(id), id, null);
        recalledSales += swept.keeps(id) ? 0 : 1;
        assertEquals(keeping.apply(q, now), swept.apply(q, now), "look-up of " + id);
      }
      assertEquals(List.of(), swept.ledger.audit(), "audit after step " + step);
    }
    // Let everything go: what is left in memory is what is open.
    now += 3 * window;
    Result expected = keeping.apply(new Command.Tick(), now);
    assertEquals(expected, swept.apply(new Command.Tick(), now));
    for (int i = 0; i < 200 && swept.ledger.requestsKept() > 0; i++) {
      now += 2_000;
      swept.apply(new Command.Tick(), now);
    }
    assertTrue(swept.ledger.requestsKept() == 0, "request entries kept after the window: " + swept.ledger.requestsKept());
    assertEquals(List.of(), swept.ledger.audit());

    // The journal, images included, rebuilds the same state without history.
    Ledger replayed = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    for (JournalRecoveryTest.Rec r : swept.journal) {
      replayed.apply(r.command(), r.atMillis());
    }
    assertArrayEquals(LedgerStates.bytes(swept.ledger), LedgerStates.bytes(replayed), "replayed from the journal");
    // And a snapshot round trip keeps it (touch times, kept-again entries, archived counts).
    Ledger restored = Ledger.restore(ByteBuffer.wrap(LedgerStates.bytes(swept.ledger)), LedgerStates.WINDOW,
        ReferenceListener.NONE);
    assertArrayEquals(LedgerStates.bytes(swept.ledger), LedgerStates.bytes(restored), "restored from a snapshot");
    return new long[] {swept.ledger.sweeps(), recalledSales};
  }

  // ---- the boundary, case by case -----------------------------------------------------------

  @Test
  void replay_ofAnAuthorizationOnlyHistoryHolds_sameResult_otherContentReused() {
    Swept s = world();
    Command.Authorize authorize = authorize("A-1", 11, 3_000);
    Result.Sale authorized = (Result.Sale) s.apply(authorize, at(10));
    Result.Sale settled = (Result.Sale) s.apply(settle("S-1", 12, authorized), at(11));
    letGo(s, 100);
    assertTrue(!s.keeps(authorized.txn().txnId()), "the sale went to history");

    assertEquals(authorized, s.apply(authorize, at(200)));
    assertEquals(settled, s.apply(settle("S-1", 12, authorized), at(201)));
    Result other = s.apply(authorize("A-1", 99, 1_000), at(202));
    assertEquals(Outcome.REQUEST_ID_REUSED, ((Result.Rejected) other).outcome());
    assertEquals(0, s.ledger.salesKept(), "a replay takes nothing back into memory");
  }

  @Test
  void refund_ofASaleOnlyHistoryHolds_returnsEachFenOnce() {
    Swept s = world();
    long before = s.ledger.balanceOf(A);
    Result.Sale authorized = (Result.Sale) s.apply(authorize("A-1", 11, 3_000), at(10));
    s.apply(settle("S-1", 12, authorized), at(11));
    letGo(s, 100);
    assertEquals(before - 3_000, s.ledger.balanceOf(A));

    Command.Refund refund = new Command.Refund("R-1", 13, PHARMACY, authorized.txn().txnId());
    Result.Sale refunded = (Result.Sale) s.apply(refund, at(200));
    assertEquals(TxnState.REFUNDED, refunded.txn().state());
    assertEquals(before, s.ledger.balanceOf(A));
    assertEquals(refunded, s.apply(refund, at(201)), "the same refund again: the same answer, no money");
    Result again = s.apply(new Command.Refund("R-2", 14, PHARMACY, authorized.txn().txnId()), at(202));
    assertEquals(Outcome.TRANSACTION_STATE_CONFLICT, ((Result.Rejected) again).outcome());
    assertEquals(before, s.ledger.balanceOf(A));

    // Let the refunded sale and its refund go too: still once.
    letGo(s, 400);
    assertEquals(refunded, s.apply(refund, at(500)));
    again = s.apply(new Command.Refund("R-3", 15, PHARMACY, authorized.txn().txnId()), at(501));
    assertEquals(Outcome.TRANSACTION_STATE_CONFLICT, ((Result.Rejected) again).outcome());
    assertEquals(before, s.ledger.balanceOf(A));
    assertEquals(List.of(), s.ledger.audit());
  }

  @Test
  void reversal_ofASettlementOnlyHistoryHolds_returnsTheMoneyOnce_andTheIdIsThenReversed() {
    Swept s = world();
    long before = s.ledger.balanceOf(A);
    Result.Sale authorized = (Result.Sale) s.apply(authorize("A-1", 11, 3_000), at(10));
    Command.Settle settle = settle("S-1", 12, authorized);
    s.apply(settle, at(11));
    letGo(s, 100);

    Result.Reversal reversed = (Result.Reversal) s.apply(new Command.Reverse(PHARMACY, "S-1"), at(200));
    assertEquals(ReversalOutcome.REVERSED, reversed.reversal());
    assertEquals(before, s.ledger.balanceOf(A));
    assertEquals(ReversalOutcome.REVERSED,
        ((Result.Reversal) s.apply(new Command.Reverse(PHARMACY, "S-1"), at(201))).reversal());
    assertEquals(before, s.ledger.balanceOf(A), "reversed once");
    assertEquals(Outcome.REQUEST_ID_REVERSED, ((Result.Rejected) s.apply(settle, at(202))).outcome());

    letGo(s, 400); // the reversed entry goes to history again, marked
    assertEquals(Outcome.REQUEST_ID_REVERSED, ((Result.Rejected) s.apply(settle, at(500))).outcome());
    assertEquals(ReversalOutcome.REVERSED,
        ((Result.Reversal) s.apply(new Command.Reverse(PHARMACY, "S-1"), at(501))).reversal());
    assertEquals(before, s.ledger.balanceOf(A));
    assertEquals(List.of(), s.ledger.audit());
  }

  @Test
  void anotherInstitution_cannotReachASaleOnlyHistoryHolds() {
    Swept s = world();
    Result.Sale authorized = (Result.Sale) s.apply(authorize("A-1", 11, 3_000), at(10));
    s.apply(settle("S-1", 12, authorized), at(11));
    letGo(s, 100);

    Result refused = s.apply(new Command.Refund("R-1", 13, HOSPITAL, authorized.txn().txnId()), at(200));
    assertEquals(Outcome.TRANSACTION_NOT_FOUND, ((Result.Rejected) refused).outcome());
    Result lookup = s.apply(new Command.GetTransaction(HOSPITAL, authorized.txn().txnId(), null), at(201));
    assertEquals(Outcome.TRANSACTION_NOT_FOUND, ((Result.Rejected) lookup).outcome());
    Result.Reversal tombstone = (Result.Reversal) s.apply(new Command.Reverse(HOSPITAL, "S-1"), at(202));
    assertEquals(ReversalOutcome.NOT_RECEIVED, tombstone.reversal(), "the hospital's own, unused id");
  }

  @Test
  void aCommandWithoutALookUpThatSawTheLatestSweep_isStale_andChangesNothing() {
    Swept s = world();
    Result.Sale authorized = (Result.Sale) s.apply(authorize("A-1", 11, 3_000), at(10));
    s.apply(settle("S-1", 12, authorized), at(11));
    letGo(s, 100);
    long t = s.ledger.nowMillis(); // the same time: nothing comes due, so nothing may change
    byte[] before = LedgerStates.bytes(s.ledger);
    Command.Refund refund = new Command.Refund("R-1", 13, PHARMACY, authorized.txn().txnId());

    assertInstanceOf(Result.Stale.class, s.ledger.apply(refund, t), "no look-up at all");
    Command.Recalled old = new Command.Recalled(refund, s.ledger.sweeps() - 1, RequestLog.key(PHARMACY, "R-1"), null,
        authorized.txn().txnId(), s.history.saleImage(authorized.txn().txnId()));
    assertInstanceOf(Result.Stale.class, s.ledger.apply(old, t), "a look-up older than the last sweep");
    assertArrayEquals(before, LedgerStates.bytes(s.ledger));

    Result fresh = s.ledger.apply(authorize("A-2", 21, 1_000), at(202));
    assertInstanceOf(Result.Stale.class, fresh, "a new id: history may hold it");
    // A command that names only what is kept needs no look-up.
    Command.Authorize kept = authorize("A-3", 31, 1_000);
    Result.Sale open = (Result.Sale) s.apply(kept, at(203));
    assertEquals(open, s.ledger.apply(kept, at(204)));
  }

  @Test
  void aLookUpBehindTheLatestSweep_isStaleOnlyIfASweepSinceLetGoOfWhatItNames() throws IOException {
    Swept s = world();
    Result.Sale first = (Result.Sale) s.apply(authorize("A-1", 11, 1_000), at(10));
    s.apply(settle("S-1", 12, first), at(11));
    letGo(s, 100);
    Result.Sale second = (Result.Sale) s.apply(authorize("A-2", 21, 1_000), at(200));
    s.apply(settle("S-2", 22, second), at(201));
    // Looked up now: the first sale from history, the second still in memory (no image).
    Command refundFirst = s.recaller.recall(new Command.Refund("R-1", 13, PHARMACY, first.txn().txnId()));
    Command refundSecond = s.recaller.recall(new Command.Refund("R-2", 23, PHARMACY, second.txn().txnId()));
    letGo(s, 300); // a later sweep lets go of the second sale
    long t = s.ledger.nowMillis();

    assertInstanceOf(Result.Stale.class, s.ledger.apply(refundSecond, t), "its sale went after the look-up");
    Result.Sale refunded = (Result.Sale) s.ledger.apply(refundFirst, t);
    assertEquals(TxnState.REFUNDED, refunded.txn().state(), "nothing it names went since: still good");
    assertEquals(List.of(), s.ledger.audit());
  }

  @Test
  void anIdPastTheIdempotencyWindow_isNewAgain_evenIfHistoryStillHoldsIt() {
    Swept s = world();
    Command.Credit credit = new Command.Credit("K-9", 91, A, 100);
    Result.Account first = (Result.Account) s.apply(credit, at(10));
    letGo(s, 100);
    assertEquals(first, s.apply(credit, at(200)), "within the window: the original result");
    assertNotNull(s.history.requestImage(RequestLog.key("", "K-9")));
    long later = at(10) + LedgerStates.WINDOW.toMillis() + 1_000;
    Result.Account again = (Result.Account) s.apply(credit, later);
    assertEquals(first.balanceFen() + 100, again.balanceFen(), "past the window the id is new");
  }

  @Test
  void aBackOfficeChangeWhoseIdOnlyHistoryKeeps_getsTheOriginalResult_andOtherContentIsReused() {
    Swept s = world();
    Command.Idempotent dissolve = new Command.Idempotent("D-1", 41, new Command.DissolveBinding("B1", A));
    Result.BindingView first = (Result.BindingView) s.apply(dissolve, at(10));
    assertEquals(BindingStatus.DISSOLVED, first.status());
    letGo(s, 100);
    assertNotNull(s.history.requestImage(RequestLog.key("", "D-1")), "only history keeps the id");

    assertEquals(first, s.apply(dissolve, at(200)), "the binding, not a refusal of a dissolved one");
    letGo(s, 300);
    Result reused = s.apply(new Command.Idempotent("D-1", 42, new Command.DissolveBinding("B1", B)), at(400));
    assertEquals(Outcome.REQUEST_ID_REUSED, reused.outcome());
  }

  // ---- a ledger with history, as the sequencer drives it --------------------------------------

  /** A swept ledger whose history is always caught up, and the journal it would write. */
  static final class Swept {
    final Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    final MemoryHistoryStore history = new MemoryHistoryStore();
    final Recaller recaller = new Recaller(history);
    final List<JournalRecoveryTest.Rec> journal = new ArrayList<>();
    final long window;
    final int maxPerSweep;
    private long seq;

    Swept(long window) {
      this(window, Recall.MAX_PER_SWEEP);
    }

    /** {@code maxPerSweep} small: sweeps stop at their bound and the next ones go on. */
    Swept(long window, int maxPerSweep) {
      this.window = window;
      this.maxPerSweep = maxPerSweep;
    }

    /** Sweeps if due, looks the command up, applies it; history catches up at once. */
    Result apply(Command c, long now) {
      while (ledger.sweepDue(now, window)) { // more than one when they stop at their bound
        Command sweep = new Command.Sweep(window, maxPerSweep);
        ledger.apply(sweep, now);
        journal.add(new JournalRecoveryTest.Rec(journal.size() + 1, now, sweep));
        history.apply(++seq, ledger.takeHistory()); // before the look-up: the sequencer would wait for it
      }
      Command looked;
      try {
        looked = recaller.recall(c);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Result r = ledger.apply(looked, now);
      assertTrue(!(r instanceof Result.Stale), () -> "stale with history caught up: " + c);
      if (looked.mutating()) {
        journal.add(new JournalRecoveryTest.Rec(journal.size() + 1, now, looked));
      }
      history.apply(++seq, ledger.takeHistory());
      return r;
    }

    boolean keeps(String txnId) {
      return ledger.keepsSale(txnId);
    }
  }

  private static Swept world() {
    Swept s = new Swept(W);
    long t = at(0);
    s.apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))), t);
    s.apply(new Command.RegisterInstitution(new Institution(HOSPITAL, "hospital", Set.of("T1"))), t);
    s.apply(new Command.UpsertInsured(person(A, InsuranceType.EMPLOYEE_BASIC)), t);
    s.apply(new Command.UpsertInsured(person(B, InsuranceType.RESIDENT_BASIC)), t);
    s.apply(new Command.Credit("K-1", 1, A, 10_000), t);
    s.apply(new Command.CreateBinding(A, B, Relationship.PARENT, 0), t);
    return s;
  }

  /** Moves past the recent window (and the sweep's pacing), so that a sweep lets the closed go. */
  private static void letGo(Swept s, long atSeconds) {
    s.apply(new Command.Tick(), at(atSeconds));
    s.apply(new Command.Tick(), at(atSeconds) + 2 * W);
    assertEquals(0, s.ledger.requestsKept(), "every entry went to history");
  }

  private static long at(long seconds) {
    return START_MILLIS + seconds * 1_000;
  }

  private static Command.Authorize authorize(String id, long hash, long fen) {
    return new Command.Authorize(id, hash, PHARMACY, "T1", A, MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, fen))), true, true);
  }

  private static Command.Settle settle(String id, long hash, Result.Sale authorized) {
    return new Command.Settle(id, hash, PHARMACY, authorized.txn().txnId(), -1);
  }

  private static Insured person(String psnNo, InsuranceType type) {
    return new Insured(psnNo, "参保人" + psnNo, type, InsuredStatus.NORMAL, "620100",
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }
}
