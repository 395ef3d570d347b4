package gongji.server.grpc;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.settle;
import static gongji.v1.BindingRole.BINDING_ROLE_AUTHORIZER;
import static gongji.v1.BindingRole.BINDING_ROLE_BENEFICIARY;
import static gongji.v1.BindingRole.BINDING_ROLE_EITHER;
import static gongji.v1.BindingState.BINDING_STATE_ACTIVE;
import static gongji.v1.BindingState.BINDING_STATE_DISSOLVED;
import static gongji.v1.BindingState.BINDING_STATE_REJECTED;
import static gongji.v1.BindingState.BINDING_STATE_REQUESTED;
import static gongji.v1.InsuredStatus.INSURED_STATUS_NORMAL;
import static gongji.v1.InsuredStatus.INSURED_STATUS_SUSPENDED;
import static gongji.v1.InsuredStatus.INSURED_STATUS_TERMINATED;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_COSMETICS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DAILY_GOODS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_FITNESS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_MEDICAL_DEVICE;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_PUBLIC_HEALTH;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_WELLNESS;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_GRANDCHILD;
import static gongji.v1.Relationship.RELATIONSHIP_GRANDPARENT;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SIBLING;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.Refusal;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Binding;
import gongji.v1.CreateBindingRequest;
import gongji.v1.IdentifyResponse;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.Relationship;
import gongji.v1.SettleResponse;
import io.grpc.Status.Code;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Family mutual aid, one scenario per rule of DOMAIN.md and the seed documents: who may be bound,
 * the life of a binding, and who pays what at the counter. Each runs through the real gRPC
 * services; each ends with the ledger audit (see {@link FamilyScenarioSupport}).
 */
class FamilyScenarioTest extends FamilyScenarioSupport {

  // ---- who may be a beneficiary, who may be an authorizer ----------------------------------

  @Test
  void requestBinding_beneficiaryNotInNormalStatus_refused() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    gw.status("P1", INSURED_STATUS_SUSPENDED);
    gw.status("P2", INSURED_STATUS_TERMINATED);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0));
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("A1", "P2", RELATIONSHIP_SPOUSE, 0));
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0));
    assertEquals(List.of(), gw.bindings("A1", BINDING_ROLE_AUTHORIZER, 100));

    gw.status("P1", INSURED_STATUS_NORMAL);
    assertEquals(BINDING_STATE_REQUESTED, gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getState());
  }

  @Test
  void requestBinding_beneficiaryNotInsured_notFound() {
    employee("A1", LANZHOU, 10_000);

    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND", () -> gw.requestBinding("A1", "NOBODY", RELATIONSHIP_CHILD, 0));
  }

  @Test
  void requestBinding_employeeOrResidentBeneficiary_bothAccepted() {
    employee("A1", LANZHOU, 10_000);
    employee("E1", LANZHOU, 0);
    resident("R1", LANZHOU);

    Binding employeeBeneficiary = gw.requestBinding("A1", "E1", RELATIONSHIP_SPOUSE, 0);
    Binding residentBeneficiary = gw.requestBinding("A1", "R1", RELATIONSHIP_PARENT, 0);

    assertEquals(BINDING_STATE_REQUESTED, employeeBeneficiary.getState());
    assertEquals(BINDING_STATE_REQUESTED, residentBeneficiary.getState());
    assertEquals("hukou-A1-E1", employeeBeneficiary.getEvidenceRef());
  }

  @Test
  void requestBinding_authorizerResidentInsured_refused() {
    resident("R1", LANZHOU);
    employee("E1", LANZHOU, 10_000);

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("R1", "E1", RELATIONSHIP_CHILD, 0));

    assertTrue(r.message().contains("employee-insured"), r.message());
    // The other way round is the rule: the employee shares with the resident.
    assertEquals(BINDING_STATE_REQUESTED, gw.requestBinding("E1", "R1", RELATIONSHIP_PARENT, 0).getState());
  }

  @Test
  void requestBinding_authorizerNotInNormalStatus_refused() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    gw.status("A1", INSURED_STATUS_SUSPENDED);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("A1", "P1", RELATIONSHIP_CHILD, 0));
  }

  @Test
  void requestBinding_oneself_refused() {
    employee("A1", LANZHOU, 10_000);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.requestBinding("A1", "A1", RELATIONSHIP_SPOUSE, 0));
  }

  @Test
  void requestBinding_coreRelatives_allowedEverywhere() {
    employee("T1", TIANSHUI, 300_000);
    for (Relationship rel : List.of(RELATIONSHIP_SPOUSE, RELATIONSHIP_PARENT, RELATIONSHIP_CHILD)) {
      resident("P" + rel.getNumber(), LANZHOU);

      Binding b = gw.requestBinding("T1", "P" + rel.getNumber(), rel, 0);

      assertEquals(BINDING_STATE_REQUESTED, b.getState(), rel.name());
      assertEquals(BINDING_STATE_ACTIVE, gw.review(b.getBindingId(), true, "").getState(), rel.name());
    }
  }

  @Test
  void requestBinding_extendedRelatives_onlyWhereTheAuthorizersRegionAllowsThem() {
    employee("T1", TIANSHUI, 300_000);
    employee("L1", LANZHOU, 300_000);
    for (Relationship rel : List.of(RELATIONSHIP_SIBLING, RELATIONSHIP_GRANDPARENT, RELATIONSHIP_GRANDCHILD)) {
      // The beneficiary is insured in Tianshui: the scope follows the authorizer's region, not theirs.
      resident("P" + rel.getNumber(), TIANSHUI);

      Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
          () -> gw.requestBinding("T1", "P" + rel.getNumber(), rel, 0));
      Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
          () -> gw.bind("T1", "P" + rel.getNumber(), rel, 0));
      assertEquals(BINDING_STATE_REQUESTED, gw.requestBinding("L1", "P" + rel.getNumber(), rel, 0).getState(),
          rel.name());
    }
    assertEquals(List.of(), gw.bindings("T1", BINDING_ROLE_AUTHORIZER, 100));
  }

  @Test
  void requestBinding_pairAlreadyBound_refusedUntilTheBindingEnds() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String first = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();

    Refusal.expect(Code.ALREADY_EXISTS, "BINDING_EXISTS",
        () -> gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0));
    gw.review(first, false, "户口簿信息不符");
    String second = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();
    gw.review(second, true, "");
    Refusal.expect(Code.ALREADY_EXISTS, "BINDING_EXISTS",
        () -> gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0));
    gw.dissolve(second, "A1");
    String third = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();

    assertEquals(List.of(BINDING_STATE_REJECTED, BINDING_STATE_DISSOLVED, BINDING_STATE_REQUESTED),
        gw.bindings("A1", BINDING_ROLE_AUTHORIZER, 100).stream().map(Binding::getState).toList());
    assertEquals(List.of(first, second, third),
        gw.bindings("P1", BINDING_ROLE_BENEFICIARY, 100).stream().map(Binding::getBindingId).toList());
  }

  // ---- the life of a binding ---------------------------------------------------------------

  @Test
  void binding_requestedNotYetVerified_paysNothingUntilApproved() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    Binding requested = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0);

    IdentifyResponse before = gw.settlement().identify(identify(POS, cardOf("P1")));
    AuthorizeResponse unpaid = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of(), sources(before));
    assertEquals(List.of("CASH 3000"), legs(unpaid.getBreakdown()));
    assertAccount("A1", 10_000, 0);

    Binding approved = gw.review(requested.getBindingId(), true, "户口簿已核验");
    IdentifyResponse after = gw.settlement().identify(identify(POS, cardOf("P1")));
    AuthorizeResponse paid = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(BINDING_STATE_ACTIVE, approved.getState());
    assertEquals("", approved.getEndReason());
    assertEquals(List.of(requested.getBindingId() + " 10000"), sources(after));
    // P1 is A1's parent, so to P1 the authorizer is a child.
    assertEquals(RELATIONSHIP_CHILD, after.getMutualAidSources(0).getRelationship());
    assertEquals(List.of("MUTUAL_AID " + requested.getBindingId() + " 3000"), legs(paid.getBreakdown()));
    assertAccount("A1", 10_000, 3_000);
  }

  @Test
  void binding_rejectedByTheAgency_paysNothingAndCannotBeApprovedLater() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();

    Binding rejected = gw.review(id, false, "出生证明与户口簿不符");
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(BINDING_STATE_REJECTED, rejected.getState());
    assertEquals("出生证明与户口簿不符", rejected.getEndReason());
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()));
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_STATE_CONFLICT", () -> gw.review(id, true, ""));
    // Dissolving a rejected binding changes nothing.
    assertEquals(BINDING_STATE_REJECTED, gw.dissolve(id, "A1").getState());
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void reviewBinding_partyNoLongerEligible_refusedAtApproval() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();
    gw.status("P1", INSURED_STATUS_SUSPENDED);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED", () -> gw.review(id, true, ""));

    assertState(BINDING_STATE_REQUESTED, "A1", id);
  }

  @Test
  void reviewBinding_unknownBinding_notFound() {
    Refusal.expect(Code.NOT_FOUND, "BINDING_NOT_FOUND", () -> gw.review("B999", true, ""));
    Refusal.expect(Code.NOT_FOUND, "BINDING_NOT_FOUND", () -> gw.dissolve("B999", "A1"));
  }

  @Test
  void dissolveBinding_byTheAuthorizer_paysNothingAfter() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    Binding dissolved = gw.dissolve(id, "A1");
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(BINDING_STATE_DISSOLVED, dissolved.getState());
    assertEquals("dissolved by the authorizer", dissolved.getEndReason());
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()));
    assertEquals(List.of(), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
    assertAccount("A1", 10_000, 0);
    // Dissolving again is harmless and keeps the first reason.
    assertEquals("dissolved by the authorizer", gw.dissolve(id, "P1").getEndReason());
  }

  @Test
  void dissolveBinding_byTheBeneficiary_paysNothingAfter() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    Binding dissolved = gw.dissolve(id, "P1");
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(BINDING_STATE_DISSOLVED, dissolved.getState());
    assertEquals("dissolved by the beneficiary", dissolved.getEndReason());
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()));
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void dissolveBinding_byANonParty_refusedAndTheBindingStillPays() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    employee("X1", LANZHOU, 10_000);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    Refusal.expect(Code.FAILED_PRECONDITION, "NOT_A_PARTY", () -> gw.dissolve(id, "X1"));
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertState(BINDING_STATE_ACTIVE, "A1", id);
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"), legs(sale.getBreakdown()));
  }

  @Test
  void listBindings_severalBeneficiariesAndSeveralAuthorizers_pagedInDrawingOrder() {
    employee("A1", LANZHOU, 10_000);
    employee("A2", LANZHOU, 10_000);
    employee("G1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    resident("P3", LANZHOU);
    String a1p1 = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String a1p2 = gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    String a2p1 = gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);
    String a1p3 = gw.bind("A1", "P3", RELATIONSHIP_CHILD, 0);
    String g1a1 = gw.bind("G1", "A1", RELATIONSHIP_CHILD, 0);

    assertEquals(List.of(a1p1, a1p2, a1p3), ids(gw.bindings("A1", BINDING_ROLE_AUTHORIZER, 2)));
    assertEquals(List.of(a1p1, a2p1), ids(gw.bindings("P1", BINDING_ROLE_BENEFICIARY, 1)));
    // Both roles: as authorizer first, then as beneficiary.
    assertEquals(List.of(a1p1, a1p2, a1p3, g1a1), ids(gw.bindings("A1", BINDING_ROLE_EITHER, 3)));

    ListBindingsResponse page = gw.family().listBindings(ListBindingsRequest.newBuilder()
        .setPsnNo("A1").setRole(BINDING_ROLE_AUTHORIZER).setPageSize(2).build());
    assertFalse(page.getNextPageToken().isEmpty());
    Refusal.of(() -> gw.family().listBindings(ListBindingsRequest.newBuilder()
        .setPsnNo("P1").setRole(BINDING_ROLE_BENEFICIARY).setPageToken(page.getNextPageToken()).build()))
        .assertFieldInvalid("page_token");
    // A page size over the maximum (1,000) is capped, not refused.
    ListBindingsResponse big = gw.family().listBindings(ListBindingsRequest.newBuilder()
        .setPsnNo("A1").setRole(BINDING_ROLE_AUTHORIZER).setPageSize(Integer.MAX_VALUE).build());
    assertEquals(List.of(a1p1, a1p2, a1p3), big.getBindingsList().stream().map(b -> b.getBindingId()).toList());
    assertTrue(big.getNextPageToken().isEmpty());
  }

  @Test
  void listBindings_bindingsMadeBetweenPages_nextPageGoesOnAfterTheLastOneShown() {
    employee("A1", LANZHOU, 10_000);
    employee("G1", LANZHOU, 10_000);
    employee("G2", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    String g1a1 = gw.bind("G1", "A1", RELATIONSHIP_CHILD, 0);
    String g2a1 = gw.bind("G2", "A1", RELATIONSHIP_CHILD, 0);
    ListBindingsResponse first = gw.family().listBindings(ListBindingsRequest.newBuilder()
        .setPsnNo("A1").setRole(BINDING_ROLE_EITHER).setPageSize(1).build());

    // Both roles list A1's bindings as authorizer first: these land before the page's position.
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    ListBindingsResponse second = gw.family().listBindings(ListBindingsRequest.newBuilder()
        .setPsnNo("A1").setRole(BINDING_ROLE_EITHER).setPageSize(1).setPageToken(first.getNextPageToken()).build());

    assertEquals(List.of(g1a1), first.getBindingsList().stream().map(b -> b.getBindingId()).toList());
    assertEquals(List.of(g2a1), second.getBindingsList().stream().map(b -> b.getBindingId()).toList(),
        "neither the first page's binding again nor a skipped one");
    assertTrue(second.getNextPageToken().isEmpty());
  }

  // ---- who pays what at the counter ----------------------------------------------------------

  @Test
  void authorize_ownAccountFirst_thenMutualAidInBindingOrder_thenCash() {
    employee("P1", LANZHOU, 1_000);
    employee("A1", LANZHOU, 2_000);
    employee("A2", LANZHOU, 5_000);
    String first = gw.bind("A1", "P1", RELATIONSHIP_SPOUSE, 0);
    String second = gw.bind("A2", "P1", RELATIONSHIP_CHILD, 0);

    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 10_000));

    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + first + " 2000", "MUTUAL_AID " + second + " 5000",
        "CASH 2000"), legs(sale.getBreakdown()));
    assertSplit(sale.getBreakdown(), 10_000, 1_000, 7_000, 2_000);
    assertAccount("P1", 0, 0);
    assertAccount("A1", 0, 0);
    assertAccount("A2", 0, 0);
  }

  @Test
  void authorize_mutualAid_moneyStaysInTheAuthorizersAccountUntilSettlement() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    AuthorizeResponse kept = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    AuthorizeResponse dropped = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 2_000));
    // Held, not moved: the balance is whole, only what may still be drawn is less.
    assertAccount("A1", 10_000, 5_000);
    assertEquals(List.of(id + " 5000"), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));

    gw.settlement().cancel(cancel("C-2", POS, dropped.getTransactionId()));
    assertAccount("A1", 10_000, 3_000);
    gw.settlement().settle(settle("S-1", POS, kept.getTransactionId()));
    assertAccount("A1", 7_000, 0);
    assertEquals(3_000, bindingOf("A1", id).getUsedFen());
  }

  @Test
  void authorize_ownAccountEnough_mutualAidUntouched() {
    employee("P1", LANZHOU, 10_000);
    employee("A1", LANZHOU, 10_000);
    gw.bind("A1", "P1", RELATIONSHIP_SPOUSE, 0);

    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 4_000));

    assertEquals(List.of("OWN_ACCOUNT 4000"), legs(sale.getBreakdown()));
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void authorize_severalAuthorizers_drawInTheOrderTheBindingsWereMade() {
    resident("P1", LANZHOU);
    employee("A1", LANZHOU, 50_000);
    employee("A2", LANZHOU, 90_000);
    String first = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String second = gw.bind("A2", "P1", RELATIONSHIP_PARENT, 0);

    // The first-bound authorizer pays alone while they can, although the second has more.
    AuthorizeResponse small = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 30_000));
    AuthorizeResponse large = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 30_000));

    assertEquals(List.of("MUTUAL_AID " + first + " 30000"), legs(small.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + first + " 20000", "MUTUAL_AID " + second + " 10000"),
        legs(large.getBreakdown()));
    assertEquals(List.of(first + " 0", second + " 80000"),
        sources(gw.settlement().identify(identify(POS, cardOf("P1")))));

    // Bound anew, A1 comes after A2.
    gw.settlement().cancel(cancel("C-1", POS, small.getTransactionId()));
    gw.settlement().cancel(cancel("C-2", POS, large.getTransactionId()));
    gw.dissolve(first, "P1");
    String third = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    AuthorizeResponse again = authorizeAt("A-3", "P1", item(ITEM_CATEGORY_DRUG, 30_000));

    assertEquals(List.of("MUTUAL_AID " + second + " 30000"), legs(again.getBreakdown()));
    assertEquals(List.of(second + " 60000", third + " 50000"),
        sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
  }

  @Test
  void authorize_patientDeclinesMutualAid_ownAccountThenCash() {
    employee("P1", LANZHOU, 1_000);
    employee("A1", LANZHOU, 10_000);
    gw.bind("A1", "P1", RELATIONSHIP_SPOUSE, 0);

    AuthorizeResponse noAid = gw.settlement().authorize(authorize("A-1", POS, cardOf("P1"),
        item(ITEM_CATEGORY_DRUG, 3_000)).setSkipMutualAid(true).build());
    AuthorizeResponse noAccounts = gw.settlement().authorize(authorize("A-2", POS, cardOf("P1"),
        item(ITEM_CATEGORY_DRUG, 3_000)).setSkipPersonalAccount(true).build());

    assertEquals(List.of("OWN_ACCOUNT 1000", "CASH 2000"), legs(noAid.getBreakdown()));
    assertEquals(List.of("CASH 3000"), legs(noAccounts.getBreakdown()));
    assertAccount("A1", 10_000, 0);
  }

  @Test
  void authorize_retainedFloor_onlyTheExcessIsShared() {
    employee("T1", TIANSHUI, 250_000);
    resident("P1", LANZHOU);
    String id = gw.bind("T1", "P1", RELATIONSHIP_PARENT, 0);

    assertEquals(List.of(id + " 50000"), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
    SettleResponse first = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 80_000));
    SettleResponse atTheFloor = buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 100));

    assertEquals(List.of("MUTUAL_AID " + id + " 50000", "CASH 30000"), legs(first.getBreakdown()));
    assertEquals(List.of("CASH 100"), legs(atTheFloor.getBreakdown()));
    assertAccount("T1", TIANSHUI_FLOOR_FEN, 0);
    // The floor only limits sharing: the authorizer still pays for themselves from it.
    assertEquals(List.of("OWN_ACCOUNT 1000"), legs(buy("A-3", "T1", item(ITEM_CATEGORY_DRUG, 1_000)).getBreakdown()));
  }

  @Test
  void authorize_authorizerWithZeroBalance_sharesNothing() {
    employee("A1", LANZHOU, 0);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("P1")));
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of(id + " 0"), sources(who));
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()));
    assertAccount("A1", 0, 0);
  }

  @Test
  void authorize_quota_capsWhatOneBeneficiaryDrawsInTotal() {
    employee("A1", LANZHOU, 500_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    String capped = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 10_000);
    String open = gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);

    SettleResponse first = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 6_000));
    SettleResponse second = buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 6_000));
    SettleResponse third = buy("A-3", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    SettleResponse uncapped = buy("A-4", "P2", item(ITEM_CATEGORY_DRUG, 20_000));

    assertEquals(List.of("MUTUAL_AID " + capped + " 6000"), legs(first.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + capped + " 4000", "CASH 2000"), legs(second.getBreakdown()));
    assertEquals(List.of("CASH 1000"), legs(third.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + open + " 20000"), legs(uncapped.getBreakdown()));
    Binding b = bindingOf("A1", capped);
    assertEquals(List.of(10_000L, 10_000L), List.of(b.getQuotaFen(), b.getUsedFen()), "quota, used");
    assertAccount("A1", 470_000, 0);
  }

  @Test
  void requestBinding_quotaWhereTheRegionForbidsQuotas_refused() {
    employee("T1", TIANSHUI, 300_000);
    resident("P1", LANZHOU);

    Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_NOT_ALLOWED",
        () -> gw.requestBinding("T1", "P1", RELATIONSHIP_PARENT, 10_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_NOT_ALLOWED", () -> gw.admin().createBinding(
        CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo("T1").setBeneficiaryPsnNo("P1")
            .setRelationship(RELATIONSHIP_PARENT).setQuotaFen(10_000).build()));

    assertEquals(0, gw.requestBinding("T1", "P1", RELATIONSHIP_PARENT, 0).getQuotaFen());
  }

  @Test
  void authorize_forbiddenCategoriesAndOutOfScopeItems_paidInCash() {
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    SettleResponse sale = buy("A-1", "P1",
        item(ITEM_CATEGORY_PUBLIC_HEALTH, 1_000), item(ITEM_CATEGORY_FITNESS, 1_100),
        item(ITEM_CATEGORY_WELLNESS, 1_200), item(ITEM_CATEGORY_COSMETICS, 1_300),
        item(ITEM_CATEGORY_DAILY_GOODS, 1_400), item(ITEM_CATEGORY_DRUG, 700, false),
        item(ITEM_CATEGORY_DRUG, 2_000), item(ITEM_CATEGORY_MEDICAL_DEVICE, 500));

    assertEquals(List.of("MUTUAL_AID " + id + " 2500", "CASH 6700"), legs(sale.getBreakdown()));
    assertEquals(2_500, sale.getBreakdown().getInScopeFen());
    assertAccount("A1", 997_500, 0);
  }

  @Test
  void authorize_optionalCategory_paidOnlyByAuthorizersWhoseRegionAllowsIt() {
    resident("P1", LANZHOU);
    employee("T1", TIANSHUI, TIANSHUI_FLOOR_FEN + 10_000);
    employee("L1", LANZHOU, 10_000);
    String tianshui = gw.bind("T1", "P1", RELATIONSHIP_PARENT, 0);
    String lanzhou = gw.bind("L1", "P1", RELATIONSHIP_PARENT, 0);

    // Tianshui pays no vaccines; Lanzhou does; nobody here pays check-ups.
    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_NON_PROGRAMME_VACCINE, 3_000),
        item(ITEM_CATEGORY_DRUG, 1_000), item(ITEM_CATEGORY_HEALTH_CHECKUP, 500));

    assertEquals(List.of("MUTUAL_AID " + tianshui + " 1000", "MUTUAL_AID " + lanzhou + " 3000", "CASH 500"),
        legs(sale.getBreakdown()));
  }

  @Test
  void authorize_residentBeneficiary_hasNoOwnAccountAndIsPaidByTheRelative() {
    resident("P1", LANZHOU);
    employee("A1", LANZHOU, 3_000);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("P1")));
    SettleResponse sale = buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 5_000));

    assertEquals(List.of(false, 0L, 0L), List.of(who.getHasPersonalAccount(), who.getBalanceFen(), who.getAvailableFen()));
    assertEquals(List.of("MUTUAL_AID " + id + " 3000", "CASH 2000"), legs(sale.getBreakdown()));
    assertEquals(0, sale.getBreakdown().getAccountPayFen());
    Refusal.expect(Code.FAILED_PRECONDITION, "NO_PERSONAL_ACCOUNT", () -> gw.account("P1"));
  }

  // ---- across provinces ---------------------------------------------------------------------

  @Test
  void authorize_crossProvinceBothRegionsEnabled_drawsMutualAid() {
    resident("P1", LANZHOU);
    employee("F1", FUZHOU, 10_000);
    employee("L1", LANZHOU, 10_000);
    String fuzhou = gw.bind("F1", "P1", RELATIONSHIP_PARENT, 0);
    String lanzhou = gw.bind("L1", "P1", RELATIONSHIP_PARENT, 0);

    // A Fuzhou authorizer's money at a Lanzhou pharmacy; a Lanzhou authorizer's at a Fuzhou one.
    AuthorizeResponse inLanzhou = authorizeAt(POS, "A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    AuthorizeResponse inFuzhou = authorizeAt(FUZHOU_POS, "A-2", "P1", item(ITEM_CATEGORY_DRUG, 9_000));

    assertEquals(List.of("MUTUAL_AID " + fuzhou + " 3000"), legs(inLanzhou.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + fuzhou + " 7000", "MUTUAL_AID " + lanzhou + " 2000"),
        legs(inFuzhou.getBreakdown()));
  }

  @Test
  void authorize_crossProvinceAuthorizersRegionDisabled_paysNoMutualAid() {
    resident("P1", LANZHOU);
    employee("S1", SHENZHEN, 10_000);
    String id = gw.bind("S1", "P1", RELATIONSHIP_PARENT, 0);

    AuthorizeResponse inLanzhou = authorizeAt(POS, "A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    AuthorizeResponse inShenzhen = authorizeAt(SHENZHEN_POS, "A-2", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of("CASH 3000"), legs(inLanzhou.getBreakdown()));
    // Within the authorizer's own province the setting does not matter.
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"), legs(inShenzhen.getBreakdown()));
    assertAccount("S1", 10_000, 3_000);
  }

  @Test
  void identify_crossProvinceAuthorizersRegionDisabled_listsTheSourceOnlyInItsProvince() {
    resident("P1", LANZHOU);
    employee("S1", SHENZHEN, 10_000);
    String id = gw.bind("S1", "P1", RELATIONSHIP_PARENT, 0);

    // Identify shows what Authorize would draw at that counter, not more.
    assertEquals(List.of(), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
    assertEquals(List.of(id + " 10000"), sources(gw.settlement().identify(identify(SHENZHEN_POS, cardOf("P1")))));
  }

  @Test
  void authorize_crossProvinceInstitutionsRegionDisabled_paysNoMutualAid() {
    resident("P1", LANZHOU);
    employee("L1", LANZHOU, 10_000);
    gw.bind("L1", "P1", RELATIONSHIP_PARENT, 0);

    AuthorizeResponse inShenzhen = authorizeAt(SHENZHEN_POS, "A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of("CASH 3000"), legs(inShenzhen.getBreakdown()));
    assertAccount("L1", 10_000, 0);
  }

  @Test
  void authorize_sameProvince_drawsEvenWhereCrossProvinceIsDisabled() {
    resident("P1", LANZHOU);
    employee("J1", JIUQUAN, 10_000);
    String id = gw.bind("J1", "P1", RELATIONSHIP_PARENT, 0);

    AuthorizeResponse sale = authorizeAt(POS, "A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(List.of("MUTUAL_AID " + id + " 3000"), legs(sale.getBreakdown()));
  }

  @Test
  void authorize_institutionInADistrict_followsThePolicyOfItsPoolingRegion() {
    // The pharmacy's area is the district 620102; the policy is the Lanzhou pooling region's (620100).
    gw.policy(policy(LANZHOU).setHoldTtlSeconds(600).setCrossProvinceEnabled(false).build());
    resident("P1", LANZHOU);
    employee("F1", FUZHOU, 10_000);
    gw.bind("F1", "P1", RELATIONSHIP_PARENT, 0);

    AuthorizeResponse sale = authorizeAt(POS, "A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    assertEquals(gw.clock().millis() / 1000 + 600, sale.getExpireTime().getSeconds(), "expiry after Lanzhou's TTL");
    assertEquals(List.of("CASH 3000"), legs(sale.getBreakdown()), "Lanzhou turned cross-province off");
    assertAccount("F1", 10_000, 0);
  }

  private static List<String> ids(List<Binding> bindings) {
    return bindings.stream().map(Binding::getBindingId).toList();
  }
}
