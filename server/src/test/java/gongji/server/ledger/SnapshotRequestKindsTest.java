package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A snapshot keeps the request entry of every {@link RequestKind}, the back office's keyed changes
 * (9 to 22) included: restored from it, a ledger answers the retry of each request as the ledger it
 * was taken from does, and refuses the same id with other content.
 */
class SnapshotRequestKindsTest {
  private static final String PHARMACY = "P62010000017";
  private static final String A = "PSNA"; // employee, shares with B and C
  private static final String B = "PSNB"; // resident, A's father
  private static final String C = "PSNC"; // employee, A's wife
  private static final String D = "PSND"; // employee who dies

  private final Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
  private long now = 1_772_413_200_000L; // 2026-03-02 09:00 Beijing
  /** Each request as first sent, with the kind it is kept as. */
  private final List<Sent> sent = new ArrayList<>();

  private record Sent(RequestKind kind, Command command) {}

  private Result apply(Command c) {
    now += 1_000;
    return ledger.apply(c, now);
  }

  /** Sends a request the ledger must accept, and remembers it. */
  private Result send(RequestKind kind, Command c) {
    Result r = apply(c);
    assertFalse(r instanceof Result.Rejected, () -> c + " -> " + r);
    sent.add(new Sent(kind, c));
    return r;
  }

  /** Sends a back-office change under a request id. */
  private Result keyed(RequestKind kind, String requestId, Command c) {
    return send(kind, new Command.Idempotent(requestId, requestId.hashCode(), c));
  }

  private static Insured person(String psnNo, InsuranceType type) {
    return new Insured(psnNo, "人", type, InsuredStatus.NORMAL, "620100",
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }

  private static RegionPolicy lanzhou(int holdTtlSeconds) {
    return new RegionPolicy("620100", "兰州市", 0, true, true, true, Set.of(ItemCategory.HEALTH_CHECKUP), holdTtlSeconds);
  }

  private Result.Sale buy(String requestId, String psnNo, long amountFen) {
    return (Result.Sale) send(RequestKind.AUTHORIZE, new Command.Authorize(requestId, requestId.hashCode(), PHARMACY,
        "T1", psnNo, MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, amountFen))),
        true, true));
  }

  @Test
  void restore_aLedgerHoldingEveryRequestKind_answersEachRetryAsBefore() {
    keyed(RequestKind.REGISTER_INSTITUTION, "K-INSTITUTION",
        new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))));
    keyed(RequestKind.SET_REGION_POLICY, "K-POLICY", new Command.SetRegionPolicy(lanzhou(1800)));
    keyed(RequestKind.UPSERT_INSURED, "K-A", new Command.UpsertInsured(person(A, InsuranceType.EMPLOYEE_BASIC)));
    apply(new Command.UpsertInsured(person(B, InsuranceType.RESIDENT_BASIC)));
    apply(new Command.UpsertInsured(person(C, InsuranceType.EMPLOYEE_BASIC)));
    apply(new Command.UpsertInsured(person(D, InsuranceType.EMPLOYEE_BASIC)));
    send(RequestKind.CREDIT, new Command.Credit("K-CREDIT-A", 1, A, 500_000));
    apply(new Command.Credit("K-CREDIT-D", 2, D, 20_000));
    String father = ((Result.BindingView) keyed(RequestKind.CREATE_BINDING, "K-BIND",
        new Command.CreateBinding(A, B, Relationship.PARENT, 0))).bindingId();
    String wife = ((Result.BindingView) keyed(RequestKind.REQUEST_BINDING, "K-REQUEST",
        new Command.RequestBinding(A, C, Relationship.SPOUSE, 0, "HR-1"))).bindingId();
    keyed(RequestKind.REVIEW_BINDING, "K-REVIEW", new Command.ReviewBinding(wife, true, "household register"));
    keyed(RequestKind.UPDATE_BINDING_QUOTA, "K-QUOTA", new Command.UpdateBindingQuota(father, A, 100_000));
    keyed(RequestKind.OPEN_WALLET, "K-WALLET", new Command.OpenWallet(B));
    String accepted = ((Result.WalletTransferView) send(RequestKind.WALLET_ASSIGN,
        new Command.AssignWalletQuota("K-ASSIGN-1", 3, A, B, 1_000))).transferId();
    keyed(RequestKind.ACCEPT_WALLET_TRANSFER, "K-ACCEPT", new Command.AnswerWalletTransfer(accepted, B, true));
    String declined = ((Result.WalletTransferView) send(RequestKind.WALLET_ASSIGN,
        new Command.AssignWalletQuota("K-ASSIGN-2", 4, A, B, 2_000))).transferId();
    keyed(RequestKind.DECLINE_WALLET_TRANSFER, "K-DECLINE", new Command.AnswerWalletTransfer(declined, B, false));
    String refunded = buy("S-AUTHORIZE-1", B, 3_000).txn().txnId();
    send(RequestKind.SETTLE, new Command.Settle("S-SETTLE", 5, PHARMACY, refunded, -1));
    send(RequestKind.REFUND, new Command.Refund("S-REFUND", 6, PHARMACY, refunded));
    String cancelled = buy("S-AUTHORIZE-2", A, 1_500).txn().txnId();
    send(RequestKind.CANCEL, new Command.Cancel("S-CANCEL", 7, PHARMACY, cancelled));
    send(RequestKind.PREMIUM, new Command.PayPremium("K-PREMIUM", 8, A, B, 38_000, 2027));
    send(RequestKind.TOMBSTONE, new Command.Reverse(PHARMACY, "S-NEVER-SENT"));
    keyed(RequestKind.UPDATE_REGION_POLICY, "K-UPDATE", new Command.UpdateRegionPolicy(lanzhou(900),
        EnumSet.of(RegionPolicy.Field.HOLD_TTL_SECONDS)));
    keyed(RequestKind.DISSOLVE_BINDING, "K-DISSOLVE", new Command.DissolveBinding(wife, C));
    keyed(RequestKind.RECORD_DEATH, "K-DEATH", new Command.RecordDeath(D));
    send(RequestKind.PAYOUT, new Command.PayOutToHeirs("K-PAYOUT", 9, D,
        List.of(new Command.Heir("继承人", "620102198001010011", 20_000))));
    keyed(RequestKind.MOVE_CLOCK, "K-CLOCK", new Command.MoveClock(now + 3_600_000));
    now += 3_600_000;

    byte[] image = LedgerStates.bytes(ledger);
    Ledger restored = Ledger.restore(ByteBuffer.wrap(image), LedgerStates.WINDOW, ReferenceListener.NONE);

    assertEquals(EnumSet.allOf(RequestKind.class), EnumSet.copyOf(sent.stream().map(Sent::kind).toList()),
        "the test sends a request of every kind");
    assertArrayEquals(image, LedgerStates.bytes(restored), "the snapshot of the restored ledger");
    now += 1_000;
    for (Sent s : sent) {
      assertEquals(LedgerStates.text(ledger.apply(s.command(), now)), LedgerStates.text(restored.apply(s.command(), now)),
          () -> s.kind() + ": the retry of " + s.command());
      if (s.command() instanceof Command.Idempotent k) {
        Result other = restored.apply(new Command.Idempotent(k.requestId(), k.contentHash() + 1, k.command()), now);
        assertEquals(Outcome.REQUEST_ID_REUSED, other.outcome(), () -> s.kind() + ": other content under "
            + k.requestId() + " -> " + other);
      }
    }
    Result reversedId = restored.apply(new Command.Authorize("S-NEVER-SENT", 10, PHARMACY, "T1", A,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 100))), true, true), now);
    assertEquals(Outcome.REQUEST_ID_REVERSED, reversedId.outcome(), reversedId::toString);
    assertArrayEquals(LedgerStates.bytes(ledger), LedgerStates.bytes(restored), "after the same retries");
  }
}
