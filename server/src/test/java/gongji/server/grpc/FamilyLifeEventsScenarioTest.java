package gongji.server.grpc;

import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.settle;
import static gongji.v1.BindingRole.BINDING_ROLE_AUTHORIZER;
import static gongji.v1.BindingRole.BINDING_ROLE_BENEFICIARY;
import static gongji.v1.BindingRole.BINDING_ROLE_EITHER;
import static gongji.v1.BindingState.BINDING_STATE_ACTIVE;
import static gongji.v1.BindingState.BINDING_STATE_DISSOLVED;
import static gongji.v1.InsuredStatus.INSURED_STATUS_DECEASED;
import static gongji.v1.InsuredStatus.INSURED_STATUS_NORMAL;
import static gongji.v1.InsuredStatus.INSURED_STATUS_SUSPENDED;
import static gongji.v1.InsuredStatus.INSURED_STATUS_TERMINATED;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static gongji.v1.TransactionState.TRANSACTION_STATE_REFUNDED;
import static gongji.v1.TransactionState.TRANSACTION_STATE_SETTLED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.Refusal;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Binding;
import gongji.v1.Heir;
import gongji.v1.IdentifyResponse;
import gongji.v1.Insured;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.Payout;
import gongji.v1.RefundResponse;
import gongji.v1.SettleResponse;
import io.grpc.Status.Code;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The life events of DOMAIN.md and the seed documents: the end of either party's insurance, death
 * (the account freezes, the balance is inherited through an auditable payout), the authorizer's move
 * to another pooling region (the balance moves with them), and what happens to money drawn through
 * a binding that has since ended.
 */
class FamilyLifeEventsScenarioTest extends FamilyScenarioSupport {

  // ---- the end of insurance -----------------------------------------------------------------

  @Test
  void terminated_beneficiary_dissolvesTheirBindingsForGood() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    gw.status("P1", INSURED_STATUS_TERMINATED);
    Binding ended = bindingOf("A1", id);
    gw.status("P1", INSURED_STATUS_NORMAL);
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(BINDING_STATE_DISSOLVED, ended.getState());
    assertTrue(ended.getEndReason().contains("ended"), ended.getEndReason());
    // Insured again, the person needs a new binding: the old one stays dissolved.
    assertState(BINDING_STATE_DISSOLVED, "A1", id);
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()));
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void terminated_authorizer_dissolvesEveryBindingTheyArePartyTo() {
    employee("A1", LANZHOU, 10_000);
    employee("G1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    resident("P3", LANZHOU);
    String p1 = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String p2 = gw.bind("A1", "P2", RELATIONSHIP_CHILD, 0);
    String requested = gw.requestBinding("A1", "P3", RELATIONSHIP_SPOUSE, 0).getBindingId();
    String asBeneficiary = gw.bind("G1", "A1", RELATIONSHIP_CHILD, 0);

    gw.status("A1", INSURED_STATUS_TERMINATED);

    assertEquals(List.of(BINDING_STATE_DISSOLVED, BINDING_STATE_DISSOLVED, BINDING_STATE_DISSOLVED,
        BINDING_STATE_DISSOLVED), gw.bindings("A1", BINDING_ROLE_EITHER, 100).stream()
        .map(Binding::getState).toList());
    assertEquals(List.of(p1, p2, requested, asBeneficiary),
        gw.bindings("A1", BINDING_ROLE_EITHER, 100).stream()
            .map(Binding::getBindingId).toList());
    assertEquals(List.of("CASH 3000"), legs(authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000)).getBreakdown()));
    // The account itself is untouched: ending the insurance is not taking the money.
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void suspended_authorizer_bindingPaysNothingUntilRestored() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    gw.status("A1", INSURED_STATUS_SUSPENDED);
    AuthorizeResponse whileSuspended = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    gw.status("A1", INSURED_STATUS_NORMAL);
    AuthorizeResponse restored = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of("CASH 3000"), legs(whileSuspended.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"), legs(restored.getBreakdown()));
    assertState(BINDING_STATE_ACTIVE, "A1", id);
  }

  // ---- death ----------------------------------------------------------------------------------

  @Test
  void recordDeath_authorizer_dissolvesBindingsAndFreezesTheAccount() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    Insured dead = gw.recordDeath("A1");

    assertEquals(INSURED_STATUS_DECEASED, dead.getStatus());
    Binding ended = bindingOf("A1", id);
    assertEquals(BINDING_STATE_DISSOLVED, ended.getState());
    assertTrue(ended.getEndReason().startsWith("death of"), ended.getEndReason());
    assertEquals(List.of("CASH 3000"), legs(authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000)).getBreakdown()));
    Refusal.expect(Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", () -> gw.credit("A1", 1_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE",
        () -> authorizeAt("A-2", "A1", item(ITEM_CATEGORY_DRUG, 1_000)));
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("A1", "P2", RELATIONSHIP_PARENT, 0));
    // Frozen, never silently zeroed.
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void recordDeath_beneficiary_dissolvesTheirBindings() {
    employee("A1", LANZHOU, 10_000);
    employee("P1", LANZHOU, 500);
    String id = gw.bind("A1", "P1", RELATIONSHIP_SPOUSE, 0);

    gw.recordDeath("P1");

    assertState(BINDING_STATE_DISSOLVED, "A1", id);
    assertEquals(List.of(), gw.bindings("A1", BINDING_ROLE_AUTHORIZER, 100).stream()
        .filter(b -> b.getState() == BINDING_STATE_ACTIVE).toList());
    Refusal.expect(Code.FAILED_PRECONDITION, "ACCOUNT_FROZEN", () -> gw.credit("P1", 1_000));
    assertAccount("A1", 10_000, 0);
    assertAccount("P1", 500, 0);
  }

  @Test
  void payOutToHeirs_sharesMustAddUpToTheWholeBalance() {
    employee("A1", LANZHOU, 0);
    gw.credit("A1", 6_000); // carried forward from before the reform
    gw.credit("A1", 4_000); // this month's contribution
    gw.recordDeath("A1");

    Refusal.expect(Code.FAILED_PRECONDITION, "PAYOUT_MISMATCH",
        () -> payOut("PAY-1", "A1", heir("张明", 6_000), heir("张丽", 3_000)));
    assertAccount("A1", 10_000, 0);
    Payout paid = payOut("PAY-2", "A1", heir("张明", 6_000), heir("张丽", 4_000));

    assertEquals(10_000, paid.getTotalFen());
    assertEquals(List.of("张明 6000", "张丽 4000"),
        paid.getHeirsList().stream().map(h -> h.getName() + " " + h.getAmountFen()).toList());
    assertAccount("A1", 0, 0);
  }

  @Test
  void payOutToHeirs_sameRequestId_paysOnce() {
    employee("A1", LANZHOU, 10_000);
    gw.recordDeath("A1");

    Payout first = payOut("PAY-1", "A1", heir("张明", 10_000));
    Payout again = payOut("PAY-1", "A1", heir("张明", 10_000));

    // Run twice, the second would find nothing left and be refused as a mismatch.
    assertEquals(first, again);
    assertAccount("A1", 0, 0);
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED", () -> payOut("PAY-1", "A1", heir("张丽", 10_000)));
  }

  @Test
  void payOutToHeirs_replyAndRetry_showTheHeirsIdentityNumbersMasked() {
    employee("A1", LANZHOU, 10_000);
    gw.recordDeath("A1");
    Heir zhangMing = Heir.newBuilder().setName("张明").setIdNumber("620102198001011234").setAmountFen(10_000).build();

    Payout paid = payOut("PAY-1", "A1", zhangMing);
    Payout again = payOut("PAY-1", "A1", zhangMing);

    // Never the full number, not even back to the clerk who sent it (it reached the journal masked).
    assertEquals("6201**********1234", paid.getHeirs(0).getIdNumber());
    assertEquals(paid, again);
    // Another number under the same request id is still another request, though it masks the same.
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED",
        () -> payOut("PAY-1", "A1", zhangMing.toBuilder().setIdNumber("620102198001021234").build()));
  }

  @Test
  void payOutToHeirs_livingPersonOrNoAccount_refused() {
    employee("A1", LANZHOU, 10_000);
    resident("R1", LANZHOU);
    gw.recordDeath("R1");

    Refusal.expect(Code.FAILED_PRECONDITION, "PAYOUT_NOT_ALLOWED", () -> payOut("PAY-1", "A1", heir("张明", 10_000)));
    Refusal.expect(Code.FAILED_PRECONDITION, "PAYOUT_NOT_ALLOWED", () -> payOut("PAY-2", "R1", heir("张明", 0)));
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void payOutToHeirs_whileHoldsAreOpen_refusedUntilTheyClose() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    AuthorizeResponse own = authorizeAt("A-1", "A1", item(ITEM_CATEGORY_DRUG, 1_000));
    AuthorizeResponse relative = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    gw.recordDeath("A1");

    Refusal.expect(Code.FAILED_PRECONDITION, "PAYOUT_NOT_ALLOWED", () -> payOut("PAY-1", "A1", heir("张明", 10_000)));
    gw.settlement().cancel(cancel("C-1", POS, own.getTransactionId()));
    Refusal.expect(Code.FAILED_PRECONDITION, "PAYOUT_NOT_ALLOWED", () -> payOut("PAY-2", "A1", heir("张明", 10_000)));
    gw.settlement().settle(settle("S-2", POS, relative.getTransactionId()));
    Payout paid = payOut("PAY-3", "A1", heir("张明", 7_000));

    assertEquals(7_000, paid.getTotalFen());
    assertAccount("A1", 0, 0);
  }

  // ---- moving to another pooling region ------------------------------------------------------

  @Test
  void move_authorizerToAnotherRegion_dissolvesWhatTheyAuthorizedAndTheBalanceMovesWithThem() {
    employee("A1", LANZHOU, 300_000);
    employee("G1", LANZHOU, 50_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    resident("P3", LANZHOU);
    String authorized = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 20_000);
    String requested = gw.requestBinding("A1", "P3", RELATIONSHIP_PARENT, 0).getBindingId();
    String asBeneficiary = gw.bind("G1", "A1", RELATIONSHIP_CHILD, 0);

    gw.move("A1", TIANSHUI);

    Binding ended = bindingOf("A1", authorized);
    assertEquals(BINDING_STATE_DISSOLVED, ended.getState());
    assertEquals("the authorizer's insurance moved from 620100 to 620500", ended.getEndReason());
    assertState(BINDING_STATE_DISSOLVED, "A1", requested);
    assertState(BINDING_STATE_ACTIVE, "G1", asBeneficiary);
    IdentifyResponse moved = gw.settlement().identify(identify(POS, cardOf("A1")));
    assertEquals(List.of(TIANSHUI, 300_000L), List.of(moved.getInsuplcAdmdvs(), moved.getBalanceFen()));
    assertAccount("A1", 300_000, 0);
    assertEquals(List.of("CASH 3000"), legs(authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000)).getBreakdown()));

    // New bindings follow the new region: no quota, and the 2,000-yuan floor.
    Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_NOT_ALLOWED", () -> gw.bind("A1", "P2", RELATIONSHIP_PARENT, 20_000));
    String fresh = gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    assertEquals(List.of(fresh + " 100000"), sources(gw.settlement().identify(identify(POS, cardOf("P2")))));
  }

  @Test
  void move_beneficiaryToAnotherRegion_bindingStays() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    gw.move("P1", TIANSHUI);

    assertState(BINDING_STATE_ACTIVE, "A1", id);
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"),
        legs(authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000)).getBreakdown()));
  }

  // ---- money drawn through a binding that has ended -----------------------------------------

  @Test
  void dissolve_afterAuthorization_theHeldSaleStillSettles() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    AuthorizeResponse held = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    gw.dissolve(id, "P1");
    SettleResponse settled = gw.settlement().settle(settle("S-1", POS, held.getTransactionId()));

    // The authorization was valid when it was made: the patient at the counter is not left stranded.
    assertEquals(TRANSACTION_STATE_SETTLED, settled.getState());
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"), legs(settled.getBreakdown()));
    assertAccount("A1", 7_000, 0);
  }

  @Test
  void refund_afterTheBindingWasDissolved_returnsTheMoneyToTheAuthorizerAndRecordsIt() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 8_000);
    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000), item(ITEM_CATEGORY_DRUG, 200, false));
    gw.dissolve(id, "A1");

    RefundResponse refunded = gw.settlement().refund(refund("R-1", POS, sale.getTransactionId()));

    assertEquals(TRANSACTION_STATE_REFUNDED, refunded.getState());
    assertEquals(List.of("MUTUAL_AID " + id + " 3000", "CASH 200"), legs(refunded.getBreakdown()));
    assertAccount("A1", 10_000, 0);
    assertEquals(0, bindingOf("A1", id).getUsedFen());
    List<String> records = List.of("SETTLED A1->P1 " + id + " 3000", "REFUNDED A1->P1 " + id + " -3000");
    assertEquals(records, usage("A1", BINDING_ROLE_AUTHORIZER));
    assertEquals(records, usage("P1", BINDING_ROLE_BENEFICIARY));
  }

  @Test
  void refund_afterTheAuthorizerMoved_returnsTheMoneyToTheAuthorizer() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    gw.move("A1", FUZHOU);

    gw.settlement().refund(refund("R-1", POS, sale.getTransactionId()));

    assertAccount("A1", 10_000, 0);
  }

  @Test
  void refund_afterTheAuthorizersDeath_returnsToTheFrozenAccountAndIsInherited() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    gw.recordDeath("A1");
    payOut("PAY-1", "A1", heir("张明", 7_000));

    gw.settlement().refund(refund("R-1", POS, sale.getTransactionId()));

    assertAccount("A1", 3_000, 0);
    assertEquals(3_000, payOut("PAY-2", "A1", heir("张明", 3_000)).getTotalFen());
    assertAccount("A1", 0, 0);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Payout payOut(String requestId, String psnNo, Heir... heirs) {
    return gw.admin().payOutToHeirs(PayOutToHeirsRequest.newBuilder()
        .setRequestId(requestId).setPsnNo(psnNo).addAllHeirs(List.of(heirs)).build());
  }

  private static Heir heir(String name, long amountFen) {
    return Heir.newBuilder().setName(name).setIdNumber("62010219800101" + Math.abs(name.hashCode() % 10_000))
        .setAmountFen(amountFen).build();
  }
}
