package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scenarios of the ledger that the random workload reaches only rarely, driven directly. */
class LedgerTest {
  private static final String PHARMACY = "P62010000017";
  private static final String AUTHORIZER = "PSNA";
  private static final String BENEFICIARY = "PSNB";

  private final Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
  private long now = 1_772_413_200_000L;
  private String binding;

  @BeforeEach
  void world() {
    apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))));
    apply(new Command.UpsertInsured(person(AUTHORIZER, InsuranceType.EMPLOYEE_BASIC)));
    apply(new Command.UpsertInsured(person(BENEFICIARY, InsuranceType.RESIDENT_BASIC)));
    apply(new Command.Credit("K-1", 1, AUTHORIZER, 100_000));
    binding = ((Result.BindingView) apply(new Command.CreateBinding(AUTHORIZER, BENEFICIARY, Relationship.PARENT, 10_000)))
        .bindingId();
  }

  private static Insured person(String psnNo, InsuranceType type) {
    return new Insured(psnNo, "人", type, InsuredStatus.NORMAL, "620100",
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }

  private Result apply(Command c) {
    now += 1_000;
    return ledger.apply(c, now);
  }

  private Result.Sale authorize(String requestId, long amountFen) {
    return (Result.Sale) apply(new Command.Authorize(requestId, requestId.hashCode(), PHARMACY, "T1", BENEFICIARY,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, amountFen))), true, true));
  }

  private long usedOfBinding() {
    return ((Result.BindingView) ledger.binding(binding)).usedFen();
  }

  @Test
  void reverse_refundOfTheWholeQuotaAfterItWasHeldAgain_neverOverdrawsTheQuota() {
    Result.Sale first = authorize("A-1", 10_000);
    apply(new Command.Settle("S-1", 2, PHARMACY, first.txn().txnId(), -1));
    apply(new Command.Refund("R-1", 3, PHARMACY, first.txn().txnId()));
    // The refund freed the quota, and a new sale holds all of it.
    Result.Sale second = authorize("A-2", 10_000);
    assertEquals(10_000, second.breakdown().mutualAidPayFen());

    // Taking the refund back would make the binding pay 20,000 fen against a quota of 10,000.
    Result r = apply(new Command.Reverse(PHARMACY, "R-1"));

    assertEquals(Outcome.INSUFFICIENT_FUNDS, r.outcome(), () -> "reversal answered " + r);
    assertEquals(List.of(), ledger.audit());
    assertEquals(0, usedOfBinding());
    assertEquals(100_000, ledger.balanceOf(AUTHORIZER));
    assertEquals(10_000, ledger.heldOf(AUTHORIZER));
    // Once the other sale lets the quota go, the refund can be taken back.
    apply(new Command.Cancel("C-2", 4, PHARMACY, second.txn().txnId()));
    assertEquals(ReversalOutcome.REVERSED, ((Result.Reversal) apply(new Command.Reverse(PHARMACY, "R-1"))).reversal());
    assertEquals(10_000, usedOfBinding());
    assertEquals(90_000, ledger.balanceOf(AUTHORIZER));
    assertEquals(List.of(), ledger.audit());
  }

  @Test
  void history_beneficiaryOfSeveralAuthorizers_listsUsageRecordsOldestFirst() {
    // Real person numbers: the snapshot writes usage records grouped by authorizer, in hash order.
    List<String> authorizers = List.of("62010019800101001100000017", "62010019800101001100000101",
        "62050019580809004400000004", "35010019900101005500000005", "62010019820304002200000002");
    for (String a : authorizers) {
      apply(new Command.UpsertInsured(person(a, InsuranceType.EMPLOYEE_BASIC)));
      apply(new Command.Credit("K-" + a, 1, a, 1_000));
      apply(new Command.CreateBinding(a, BENEFICIARY, Relationship.CHILD, 0));
    }
    // The first sale uses up the first binding's quota; each later one draws on the next authorizer.
    for (int i = 0; i <= authorizers.size(); i++) {
      Result.Sale sale = authorize("A-" + i, i == 0 ? 10_000 : 1_000);
      apply(new Command.Settle("S-" + i, i, PHARMACY, sale.txn().txnId(), -1));
    }
    gongji.server.history.MemoryHistoryStore history = new gongji.server.history.MemoryHistoryStore();
    history.apply(1, ledger.takeHistory());
    List<Result.Usage> listed = ((Result.Usages) history.answer(
        new HistoryQuery.Usage(BENEFICIARY, null, 0, Long.MAX_VALUE, 0, 100))).usages();

    assertEquals(authorizers.size() + 1, listed.size());
    for (int i = 1; i < listed.size(); i++) {
      assertTrue(listed.get(i - 1).atMillis() <= listed.get(i).atMillis(), "oldest first");
    }
    List<String> inOrder = new java.util.ArrayList<>(List.of(AUTHORIZER));
    inOrder.addAll(authorizers);
    assertEquals(inOrder, listed.stream().map(Result.Usage::authorizerPsnNo).distinct().toList());
  }

  @Test
  void id_isTheLetterAndUpperCaseBase36() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(36);
    for (long n : new long[] {0, 1, 9, 10, 35, 36, 1295, 1296, Long.MAX_VALUE}) {
      assertEquals("T" + Long.toString(n, 36).toUpperCase(), Ledger.id('T', n));
    }
    for (int i = 0; i < 10_000; i++) {
      long n = random.nextLong(Long.MAX_VALUE);
      assertEquals("W" + Long.toString(n, 36).toUpperCase(), Ledger.id('W', n));
    }
  }
}
