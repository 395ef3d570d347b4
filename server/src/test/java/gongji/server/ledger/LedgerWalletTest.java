package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Wallet cases found by review: reversing a refund whose wallet quota was spent again or whose
 * transfer ended, and a beneficiary's move. Directly on the ledger.
 */
class LedgerWalletTest {
  private static final String PHARMACY = "P62010000017";
  private static final String A = "PSNA";
  private static final String B = "PSNB";

  private final Ledger ledger = new Ledger(Duration.ofDays(365), ReferenceListener.NONE);
  private long now = 1_772_413_200_000L; // 2026-03-02 09:00 Beijing
  private String binding;

  @BeforeEach
  void world() {
    apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))));
    apply(new Command.UpsertInsured(person(A, InsuranceType.EMPLOYEE_BASIC, "620100")));
    apply(new Command.UpsertInsured(person(B, InsuranceType.RESIDENT_BASIC, "620100")));
    apply(new Command.Credit("K-1", 1, A, 10_000));
    binding = ((Result.BindingView) apply(new Command.CreateBinding(A, B, Relationship.PARENT, 0))).bindingId();
    apply(new Command.OpenWallet(B));
  }

  private static Insured person(String psnNo, InsuranceType type, String admdvs) {
    return new Insured(psnNo, "人", type, InsuredStatus.NORMAL, admdvs,
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }

  private Result apply(Command c) {
    now += 1_000;
    return ledger.apply(c, now);
  }

  private Result.Sale buy(String requestId, String psnNo, long amountFen) {
    return (Result.Sale) apply(new Command.Authorize(requestId, requestId.hashCode(), PHARMACY, "T1", psnNo,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, amountFen))), true, true));
  }

  private String grant(String id, long amountFen) {
    Result.WalletTransferView w = (Result.WalletTransferView) apply(
        new Command.AssignWalletQuota(id, id.hashCode(), A, B, amountFen));
    apply(new Command.AnswerWalletTransfer(w.transferId(), B, true));
    return w.transferId();
  }

  /**
   * Reversal of a refund: each leg is checked against the owner's available balance on its own, but
   * the wallet leg of an ended transfer and the direct leg both come out of A's account.
   */
  @Test
  void reverseRefund_endedWalletLegAndDirectLegOfOneAuthorizer_refusedWhenTheSumIsNotFree() {
    grant("W-1", 3_000);
    Result.Sale sale = buy("A-1", B, 5_000); // wallet 3,000 + direct 2,000, both from A
    assertEquals(2, sale.breakdown().legs().size(), sale.toString());
    apply(new Command.Settle("S-1", 1, PHARMACY, sale.txn().txnId(), -1));
    apply(new Command.Refund("R-1", 2, PHARMACY, sale.txn().txnId()));
    apply(new Command.DissolveBinding(binding, A)); // W-1 ENDED: its 3,000 earmark returns to A
    Result.Sale own = buy("A-2", A, 7_000);        // A spends on themselves: available 3,000 left
    apply(new Command.Settle("S-2", 3, PHARMACY, own.txn().txnId(), -1));
    assertEquals(List.of(), ledger.audit());

    // Each leg passes the check alone (3,000 <= 3,000 and 2,000 <= 3,000); together they need 5,000.
    Result r = apply(new Command.Reverse(PHARMACY, "R-1")); // VerifyException: balance below held
    assertEquals(Outcome.INSUFFICIENT_FUNDS, r.outcome(), r::toString);
    assertEquals(List.of(), ledger.audit());
  }

  /** README/DOMAIN: the move of either side's insurance ends the relationship and returns unspent quota. */
  @Test
  void beneficiaryMovesRegion_unspentWalletQuotaReturns() {
    grant("W-1", 3_000);
    apply(new Command.UpsertInsured(person(B, InsuranceType.RESIDENT_BASIC, "350100")));
    Result.WalletTransfers ts = (Result.WalletTransfers) apply(
        new Command.ListWalletTransfers(B, Command.BindingRole.BENEFICIARY, Long.MAX_VALUE, 100));
    assertEquals(WalletTransferState.ENDED, ts.transfers().get(0).state(), ts::toString);
    assertEquals(0, ledger.heldOf(A));
  }

  /**
   * A refund puts spent quota back in the (accepted) wallet; it is spent again, then the relationship
   * ends. Reversing the refund treats the ended transfer like a direct leg and takes the amount from
   * A's own account: the transfer has spent 6,000 of 3,000 and returned -3,000.
   */
  @Test
  void reverseRefund_refundedQuotaSpentAgainThenTransferEnded_refused() {
    String w = grant("W-1", 3_000);
    Result.Sale s1 = buy("A-1", B, 3_000);
    apply(new Command.Settle("S-1", 1, PHARMACY, s1.txn().txnId(), -1));
    apply(new Command.Refund("R-1", 2, PHARMACY, s1.txn().txnId())); // 3,000 back in the wallet
    Result.Sale s2 = buy("A-2", B, 3_000);                            // spent from the wallet again
    assertEquals(gongji.server.domain.FundSource.WALLET, s2.breakdown().legs().get(0).source());
    apply(new Command.Settle("S-2", 3, PHARMACY, s2.txn().txnId(), -1));
    apply(new Command.DissolveBinding(binding, B));                   // W-1 ENDED, nothing unspent
    assertEquals(List.of(), ledger.audit());

    Result r = apply(new Command.Reverse(PHARMACY, "R-1"));
    LedgerStates.bytes(ledger); // the state can still be written out
    assertEquals(List.of(), ledger.audit());
    assertEquals(Outcome.INSUFFICIENT_FUNDS, r.outcome(), r::toString);
  }
}
