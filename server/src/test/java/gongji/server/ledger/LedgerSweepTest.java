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
    long recalledTransfers = 0;
    long endedTakenBack = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      try {
        long[] counts = run(seed);
        sweeps += counts[0];
        recalledSales += counts[1];
        recalledTransfers += counts[2];
        endedTakenBack += counts[3];
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay: -Dgongji.sweep.seeds=" + seed + "): " + e, e);
      }
    }
    assertTrue(sweeps > SEEDS, "the runs swept: " + sweeps);
    assertTrue(recalledSales > SEEDS / 10, "commands named sales only history held: " + recalledSales);
    assertTrue(SEEDS < 50 || recalledTransfers > 0, "answers named transfers only history held: " + recalledTransfers);
    assertTrue(SEEDS < 50 || endedTakenBack > 0, "sales from history brought ended transfers let go of: "
        + endedTakenBack);
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
    long recalledTransfers = 0;
    for (int step = 0; step < 400; step++) {
      now += workload.nextDelayMillis();
      if (step == 200 && random.nextBoolean()) {
        now += 20 * 3_600_000L; // to the next day: unaccepted transfers return, closed ones go to history
      }
      Command c = !world.isEmpty() ? world.remove(0) : workload.next(keeping);
      String transfer = Recall.transferId(c);
      recalledTransfers += transfer != null && keeping.keepsTransfer(transfer) && !swept.ledger.keepsTransfer(transfer)
          ? 1 : 0;
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

    replaysAndRestores(swept);
    return new long[] {swept.ledger.sweeps(), recalledSales, recalledTransfers, swept.endedBroughtBack};
  }

  /**
   * The journal, images included, rebuilds the same state without history, and so does a snapshot
   * round trip (touch times, kept-again entries, archived counts); returns the restored ledger.
   */
  private static Ledger replaysAndRestores(Swept swept) {
    Ledger replayed = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    for (JournalRecoveryTest.Rec r : swept.journal) {
      replayed.apply(r.command(), r.atMillis());
    }
    assertArrayEquals(LedgerStates.bytes(swept.ledger), LedgerStates.bytes(replayed), "replayed from the journal");
    Ledger restored = Ledger.restore(ByteBuffer.wrap(LedgerStates.bytes(swept.ledger)), LedgerStates.WINDOW,
        ReferenceListener.NONE);
    assertArrayEquals(LedgerStates.bytes(swept.ledger), LedgerStates.bytes(restored), "restored from a snapshot");
    return restored;
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

  // ---- wallet transfers: closed ones go to history -------------------------------------------

  @Test
  void declinedAndReturnedTransfers_goTheNextDay_historyListsThem_andCommandsNamingThemGetTheSameAnswers()
      throws IOException {
    Ledger keeping = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    Swept s = world(keeping);
    both(s, keeping, new Command.OpenWallet(B), at(5));
    Result.WalletTransferView w1 = (Result.WalletTransferView) both(s, keeping,
        new Command.AssignWalletQuota("WQ-1", 1, A, B, 1_000), at(10));
    Command.Idempotent decline = new Command.Idempotent("WD-1", 2, new Command.AnswerWalletTransfer(w1.transferId(), B,
        false));
    Result.WalletTransferView declined = (Result.WalletTransferView) both(s, keeping, decline, at(20));
    Result.WalletTransferView w2 = (Result.WalletTransferView) both(s, keeping,
        new Command.AssignWalletQuota("WQ-2", 3, A, B, 2_000), at(30));
    assertEquals(WalletTransferState.DECLINED, declined.state());
    letGo(s, 100);
    assertEquals(2, s.ledger.transfersKeptCount(), "made today: the day's count of transfers counts them");

    // The next day, past 06:00: the second returned unaccepted, and a sweep lets go of both.
    long nextDay = at(24 * 3600);
    both(s, keeping, new Command.Tick(), nextDay);
    assertEquals(0, s.ledger.transfersKeptCount(), "declined and returned transfers are history's");
    assertEquals(2, keeping.transfersKeptCount());
    for (Command.BindingRole role : new Command.BindingRole[] {null, Command.BindingRole.BENEFICIARY}) {
      assertEquals(keeping.apply(new Command.ListWalletTransfers(B, role, Long.MAX_VALUE, 10), nextDay),
          s.history.answer(new HistoryQuery.WalletTransfers(B, role, Long.MAX_VALUE, 10)), "listed by history");
    }
    assertEquals(keeping.apply(new Command.ListWalletTransfers(A, Command.BindingRole.AUTHORIZER, Ledger.number(
        w2.transferId()), 10), nextDay), s.history.answer(new HistoryQuery.WalletTransfers(A,
        Command.BindingRole.AUTHORIZER, Ledger.number(w2.transferId()), 10)), "a page below the newest");
    Result.WalletTransfers listed = (Result.WalletTransfers) s.history.answer(
        new HistoryQuery.WalletTransfers(B, null, Long.MAX_VALUE, 10));
    assertEquals(List.of(WalletTransferState.RETURNED, WalletTransferState.DECLINED),
        listed.transfers().stream().map(Result.WalletTransferView::state).toList());

    // Commands that name them: the answers a kept transfer gave, from the records brought back.
    long t = nextDay + 1_000;
    assertEquals(declined, both(s, keeping, decline, t), "the request id: the original answer");
    Result reused = both(s, keeping, new Command.Idempotent("WD-1", 9, new Command.AnswerWalletTransfer(
        w1.transferId(), B, true)), t);
    assertEquals(Outcome.REQUEST_ID_REUSED, reused.outcome());
    assertEquals(Outcome.WALLET_TRANSFER_STATE_CONFLICT,
        both(s, keeping, new Command.AnswerWalletTransfer(w1.transferId(), B, true), t).outcome());
    assertEquals(declined.transferId(), ((Result.WalletTransferView) both(s, keeping,
        new Command.AnswerWalletTransfer(w1.transferId(), A, false), t)).transferId(), "declined already: as it is");
    Result conflict = both(s, keeping, new Command.Idempotent("WA-2", 4, new Command.AnswerWalletTransfer(
        w2.transferId(), B, true)), t);
    assertTrue(conflict.toString().contains("RETURNED"), conflict::toString);
    assertEquals(Outcome.NOT_A_PARTY, both(s, keeping, new Command.AnswerWalletTransfer(w2.transferId(), A, true), t)
        .outcome());
    assertEquals(Outcome.WALLET_TRANSFER_NOT_FOUND,
        both(s, keeping, new Command.AnswerWalletTransfer("W99", B, true), t).outcome());
    assertInstanceOf(Result.Stale.class, s.ledger.apply(new Command.AnswerWalletTransfer(w1.transferId(), B, true), t),
        "without a look-up the writer cannot tell");
    Result.WalletTransferView w3 = (Result.WalletTransferView) both(s, keeping,
        new Command.AssignWalletQuota("WQ-3", 5, A, B, 3_000), t);
    assertEquals(WalletTransferState.PENDING, w3.state());
    assertEquals(keeping.apply(new Command.GetWallet(B), t), s.ledger.apply(new Command.GetWallet(B), t));
    assertEquals(List.of(), s.ledger.audit());

    // The journal replays to the same state, and the snapshot holds only what is kept.
    assertEquals(1, replaysAndRestores(s).transfersKeptCount(), "only the open transfer");
  }

  @Test
  void aSnapshotWrittenBeforeTransfersWentToHistory_handsItsClosedOnesOverWithTheNextSweeps() throws IOException {
    Swept s = world();
    s.apply(new Command.OpenWallet(B), at(5));
    Result.WalletTransferView w1 = (Result.WalletTransferView) s.apply(
        new Command.AssignWalletQuota("WQ-1", 1, A, B, 1_000), at(10));
    s.apply(new Command.AnswerWalletTransfer(w1.transferId(), B, false), at(20));
    // What an earlier version left: every transfer in the snapshot (sweeps of journal type 24), none in history.
    long nextDay = at(24 * 3600);
    s.ledger.apply(new Command.Sweep(W, Recall.MAX_PER_SWEEP, false), nextDay);
    assertEquals(1, s.ledger.transfersKeptCount(), "a sweep of type 24 lets go of no transfer");
    Ledger loaded = Ledger.restore(ByteBuffer.wrap(LedgerStates.bytes(s.ledger)), LedgerStates.WINDOW,
        ReferenceListener.NONE);
    MemoryHistoryStore history = new MemoryHistoryStore();

    loaded.apply(new Command.Sweep(W), nextDay + 5_000);
    history.apply(1, loaded.takeHistory());
    assertEquals(0, loaded.transfersKeptCount());
    Result.WalletTransfers listed = (Result.WalletTransfers) history.answer(
        new HistoryQuery.WalletTransfers(B, null, Long.MAX_VALUE, 10));
    assertEquals(List.of(w1.transferId()), listed.transfers().stream().map(Result.WalletTransferView::transferId)
        .toList());
    assertEquals(WalletTransferState.DECLINED, listed.transfers().get(0).state());
  }

  @Test
  void anEndedTransfer_goesOnceNoKeptSaleNamesIt_andARefundOfASaleThatDrewOnItTakesItBack_once() throws IOException {
    Ledger keeping = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    Swept s = world(keeping);
    long a = s.ledger.balanceOf(A);
    both(s, keeping, new Command.OpenWallet(B), at(5));
    Result.WalletTransferView w = (Result.WalletTransferView) both(s, keeping,
        new Command.AssignWalletQuota("WQ-1", 1, A, B, 3_000), at(10));
    both(s, keeping, new Command.AnswerWalletTransfer(w.transferId(), B, true), at(20));
    Result.Sale authorized = (Result.Sale) both(s, keeping, new Command.Authorize("A-1", 11, PHARMACY, "T1", B,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 1_000))), true, true),
        at(30));
    both(s, keeping, settle("S-1", 12, authorized), at(31));
    both(s, keeping, new Command.DissolveBinding(w.bindingId(), A), at(40));
    assertEquals(a - 1_000, s.ledger.balanceOf(A), "the unspent quota went back");
    letGo(s, 100);
    keeping.apply(new Command.Tick(), at(100) + 2 * W);
    assertTrue(s.ledger.keepsTransfer(w.transferId()), "ended today: the day's count of transfers counts it");

    // The next day: the sale went to history first, then the ended transfer it names.
    long nextDay = at(24 * 3600);
    both(s, keeping, new Command.Tick(), nextDay);
    assertTrue(!s.ledger.keepsTransfer(w.transferId()), "an ended transfer no kept sale names is history's");
    assertTrue(keeping.keepsTransfer(w.transferId()));
    assertEquals(keeping.apply(new Command.ListWalletTransfers(B, null, Long.MAX_VALUE, 10), nextDay),
        s.history.answer(new HistoryQuery.WalletTransfers(B, null, Long.MAX_VALUE, 10)), "listed by history");
    assertEquals(WalletTransferState.ENDED, ((Result.WalletTransfers) s.history.answer(
        new HistoryQuery.WalletTransfers(B, null, Long.MAX_VALUE, 10))).transfers().get(0).state());
    assertEquals(List.of(), s.ledger.audit(), "the binding's wallet amount counts what it spent, archived");
    long t = nextDay + 1_000;
    assertEquals(keeping.apply(new Command.GetTransaction(PHARMACY, authorized.txn().txnId(), null), t),
        s.apply(new Command.GetTransaction(PHARMACY, authorized.txn().txnId(), null), t), "a look-up of the sale");
    assertTrue(!s.ledger.keepsTransfer(w.transferId()), "a query takes nothing back");
    assertEquals(keeping.apply(settle("S-1", 12, authorized), t), s.apply(settle("S-1", 12, authorized), t),
        "the settlement's request id: the original answer");

    // A refund of the sale: it and the transfer come back; the quota goes back to the authorizer, once.
    Command.Refund refund = new Command.Refund("R-1", 13, PHARMACY, authorized.txn().txnId());
    Result.Sale refunded = (Result.Sale) both(s, keeping, refund, t + 1);
    assertEquals(TxnState.REFUNDED, refunded.txn().state());
    assertEquals(a, s.ledger.balanceOf(A), "every fen back where it came from");
    assertTrue(s.ledger.keepsTransfer(w.transferId()), "taken back with the sale");
    assertEquals(keeping.apply(new Command.ListWalletTransfers(B, null, Long.MAX_VALUE, 10), t + 2),
        s.ledger.apply(new Command.ListWalletTransfers(B, null, Long.MAX_VALUE, 10), t + 2), "as the kept one is");
    assertEquals(refunded, both(s, keeping, refund, t + 3), "the same refund again: the same answer, no money");
    assertEquals(Outcome.TRANSACTION_STATE_CONFLICT, both(s, keeping,
        new Command.Refund("R-2", 14, PHARMACY, authorized.txn().txnId()), t + 4).outcome());
    assertEquals(Outcome.WALLET_TRANSFER_STATE_CONFLICT, both(s, keeping,
        new Command.AnswerWalletTransfer(w.transferId(), B, true), t + 5).outcome());
    assertEquals(List.of(), s.ledger.audit());

    // Let go of again once the sale is; history holds it as it is now.
    letGo(s, 24 * 3600 + 100);
    both(s, keeping, new Command.Tick(), at(24 * 3600 + 200));
    assertTrue(!s.ledger.keepsTransfer(w.transferId()), "let go of again");
    assertEquals(keeping.apply(new Command.ListWalletTransfers(B, null, Long.MAX_VALUE, 10), at(24 * 3600 + 200)),
        s.history.answer(new HistoryQuery.WalletTransfers(B, null, Long.MAX_VALUE, 10)), "listed by history");
    assertEquals(Outcome.TRANSACTION_STATE_CONFLICT, both(s, keeping,
        new Command.Refund("R-3", 15, PHARMACY, authorized.txn().txnId()), at(24 * 3600 + 300)).outcome());
    assertEquals(a, s.ledger.balanceOf(A));
    assertEquals(List.of(), s.ledger.audit());
    letGo(s, 24 * 3600 + 400); // the refused refund took the sale back, and the transfer with it
    assertEquals(0, replaysAndRestores(s).transfersKeptCount(), "the snapshot holds no transfer");
  }

  @Test
  void aSweepJournaledBeforeEndedTransfersWent_letsGoOfNone_andAFormat7SnapshotHandsThemOverWithTheNextSweeps()
      throws IOException {
    Swept s = world();
    s.apply(new Command.OpenWallet(B), at(5));
    Result.WalletTransferView w = (Result.WalletTransferView) s.apply(
        new Command.AssignWalletQuota("WQ-1", 1, A, B, 3_000), at(10));
    s.apply(new Command.AnswerWalletTransfer(w.transferId(), B, true), at(20));
    s.apply(new Command.DissolveBinding(w.bindingId(), A), at(40));
    // What an earlier version journaled: sweeps of type 55, which let go of declined and returned ones only.
    long nextDay = at(24 * 3600);
    s.ledger.apply(new Command.Sweep(W, Recall.MAX_PER_SWEEP, true), nextDay);
    assertTrue(s.ledger.keepsTransfer(w.transferId()), "a sweep of type 55 lets go of no ended transfer");
    // The snapshot an earlier version wrote: format 7, the same bytes when no binding has archived counts.
    byte[] image = SnapshotFrames.framed(Snapshots.MAGIC_FORMAT_7, 9,
        SnapshotFrames.payload(Snapshots.image(s.ledger, 9)));
    Ledger loaded = Snapshots.read(image, 9, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertTrue(loaded.keepsTransfer(w.transferId()), "format 7 holds it");
    assertTrue(loaded.sweepDue(nextDay + 5_000, W), "the ended transfer is due to go");
    loaded.apply(new Command.Sweep(W), nextDay + 5_000);
    assertTrue(!loaded.keepsTransfer(w.transferId()), "let go of by the first sweep after the snapshot");
    assertTrue(loaded.takeHistory().stream().anyMatch(r -> r instanceof HistoryRecord.WalletTransfer t
        && t.transfer().transferId().equals(w.transferId())
        && t.transfer().state() == WalletTransferState.ENDED), "its record went to history");
    assertEquals(List.of(), loaded.audit());
  }

  @Test
  void aLookUpOfASaleThatMissedTheSweepLettingGoOfItsEndedTransfer_isStale() throws IOException {
    Swept s = world();
    s.apply(new Command.OpenWallet(B), at(5));
    Result.WalletTransferView w = (Result.WalletTransferView) s.apply(
        new Command.AssignWalletQuota("WQ-1", 1, A, B, 3_000), at(10));
    s.apply(new Command.AnswerWalletTransfer(w.transferId(), B, true), at(20));
    Result.Sale authorized = (Result.Sale) s.apply(new Command.Authorize("A-1", 11, PHARMACY, "T1", B,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 1_000))), true, true),
        at(30));
    s.apply(settle("S-1", 12, authorized), at(31));
    s.apply(new Command.DissolveBinding(w.bindingId(), A), at(40));
    letGo(s, 100);
    assertTrue(!s.keeps(authorized.txn().txnId()) && s.ledger.keepsTransfer(w.transferId()), "the sale only");
    // A look-up made now brings the sale's image and the transfer's record as it is now; then a sweep
    // the next day lets go of the transfer: the look-up missed it.
    Command.Refund refund = new Command.Refund("R-1", 13, PHARMACY, authorized.txn().txnId());
    Command looked = s.recaller.recall(refund);
    assertEquals(1, ((Command.Recalled) looked).transfers().size(), "the record of the transfer its leg names");
    s.apply(new Command.Tick(), at(24 * 3600));
    assertTrue(!s.ledger.keepsTransfer(w.transferId()));
    assertInstanceOf(Result.Stale.class, s.ledger.apply(looked, at(24 * 3600 + 1)), "looked up before the sweep");
    assertInstanceOf(Result.Stale.class, s.ledger.apply(new Command.Recalled(refund, s.ledger.sweeps(), "",
        null, authorized.txn().txnId(), s.history.saleImage(authorized.txn().txnId())), at(24 * 3600 + 2)),
        "the sale without its transfer's record");
    assertEquals(TxnState.REFUNDED, ((Result.Sale) s.apply(refund, at(24 * 3600 + 3))).txn().state(),
        "looked up again: applied");
    assertEquals(List.of(), s.ledger.audit());
  }

  /** Applies a command to the swept ledger and to one that keeps everything; their answers must agree. */
  private static Result both(Swept s, Ledger keeping, Command c, long at) {
    Result expected = keeping.apply(c, at);
    Result actual = s.apply(c, at);
    assertEquals(expected, actual, () -> "the swept ledger's answer to " + c);
    return actual;
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
    /** Commands that brought, with a sale, the record of an ended transfer the writer had let go of. */
    long endedBroughtBack;
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
      if (looked instanceof Command.Recalled rc
          && rc.transfers().stream().anyMatch(t -> !ledger.keepsTransfer(t.transferId()))) {
        endedBroughtBack++;
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
    return world(null);
  }

  /** The same world, made in {@code keeping} too when it is not null. */
  private static Swept world(Ledger keeping) {
    Swept s = new Swept(W);
    long t = at(0);
    for (Command c : List.of(
        new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))),
        new Command.RegisterInstitution(new Institution(HOSPITAL, "hospital", Set.of("T1"))),
        new Command.UpsertInsured(person(A, InsuranceType.EMPLOYEE_BASIC)),
        new Command.UpsertInsured(person(B, InsuranceType.RESIDENT_BASIC)),
        new Command.Credit("K-1", 1, A, 10_000),
        new Command.CreateBinding(A, B, Relationship.PARENT, 0))) {
      s.apply(c, t);
      if (keeping != null) {
        keeping.apply(c, t);
      }
    }
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
