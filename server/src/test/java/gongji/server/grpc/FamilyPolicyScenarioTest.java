package gongji.server.grpc;

import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.MutualAidOrder.MUTUAL_AID_ORDER_BINDING;
import static gongji.v1.MutualAidOrder.MUTUAL_AID_ORDER_CLOSEST_RELATIVE;
import static gongji.v1.MutualAidOrder.MUTUAL_AID_ORDER_LARGEST_AVAILABLE;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_GRANDCHILD;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.Refusal;
import gongji.v1.Binding;
import gongji.v1.IdentifyResponse;
import gongji.v1.SettleResponse;
import gongji.v1.UpdateBindingQuotaRequest;
import io.grpc.Status.Code;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-region settings of mutual aid that are not about who may be bound: the order in which
 * several authorizers pay, changing a quota after binding, and what Identify promises under the
 * daily limits. Through the real gRPC services; each ends with the ledger audit.
 */
class FamilyPolicyScenarioTest extends FamilyScenarioSupport {

  // ---- drawing order --------------------------------------------------------------------------

  /**
   * P1 (a Lanzhou resident) has three authorizers, bound in this order: a grandchild with 300
   * yuan, a child with 500 yuan, a spouse with 100 yuan.
   */
  private String[] threeAuthorizers() {
    employee("G1", LANZHOU, 30_000);
    employee("C1", LANZHOU, 50_000);
    employee("S1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    return new String[] {
        gw.bind("G1", "P1", RELATIONSHIP_GRANDPARENT_OF_GRANDCHILD, 0),
        gw.bind("C1", "P1", RELATIONSHIP_PARENT, 0),
        gw.bind("S1", "P1", RELATIONSHIP_SPOUSE, 0)};
  }

  /** What P1 is to a grandchild who authorizes: their grandparent. */
  private static final gongji.v1.Relationship RELATIONSHIP_GRANDPARENT_OF_GRANDCHILD =
      gongji.v1.Relationship.RELATIONSHIP_GRANDPARENT;

  @Test
  void settle_severalAuthorizers_byDefaultInTheOrderTheBindingsWereMade() {
    String[] b = threeAuthorizers();

    SettleResponse sale = buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 40_000));

    assertEquals(List.of("MUTUAL_AID " + b[0] + " 30000", "MUTUAL_AID " + b[1] + " 10000"), legs(sale.getBreakdown()));
  }

  @Test
  void settle_severalAuthorizers_explicitBindingOrderIsTheDefault() {
    gw.policy(policy(LANZHOU).setMutualAidOrder(MUTUAL_AID_ORDER_BINDING).build());
    String[] b = threeAuthorizers();

    SettleResponse sale = buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 40_000));

    assertEquals(List.of("MUTUAL_AID " + b[0] + " 30000", "MUTUAL_AID " + b[1] + " 10000"), legs(sale.getBreakdown()));
  }

  @Test
  void settle_regionSetsClosestRelativeFirst_spouseThenChildThenGrandchild() {
    gw.policy(policy(LANZHOU).setMutualAidOrder(MUTUAL_AID_ORDER_CLOSEST_RELATIVE).build());
    String[] b = threeAuthorizers();

    SettleResponse sale = buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 40_000));
    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("P1")));

    assertEquals(List.of("MUTUAL_AID " + b[2] + " 10000", "MUTUAL_AID " + b[1] + " 30000"), legs(sale.getBreakdown()));
    assertEquals(List.of(b[2] + " 0", b[1] + " 20000", b[0] + " 30000"), sources(who), "Identify lists them in that order");
  }

  @Test
  void settle_regionSetsLargestAvailableFirst_spreadsTheCost() {
    gw.policy(policy(LANZHOU).setMutualAidOrder(MUTUAL_AID_ORDER_LARGEST_AVAILABLE).build());
    String[] b = threeAuthorizers();

    SettleResponse first = buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 25_000));
    SettleResponse second = buy("S-2", "P1", item(ITEM_CATEGORY_DRUG, 25_000));

    assertEquals(List.of("MUTUAL_AID " + b[1] + " 25000"), legs(first.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + b[0] + " 25000"), legs(second.getBreakdown()), "300 yuan left beats 250");
  }

  @Test
  void settle_drawingOrderIsTheBeneficiarysRegions() {
    // The authorizers' region (Fuzhou) sets closest-first; the patient's (Lanzhou) keeps binding order.
    gw.policy(policy(FUZHOU).setMutualAidOrder(MUTUAL_AID_ORDER_CLOSEST_RELATIVE).build());
    employee("F1", FUZHOU, 10_000);
    employee("F2", FUZHOU, 10_000);
    resident("P1", LANZHOU);
    String grandparent = gw.bind("F1", "P1", RELATIONSHIP_GRANDCHILD, 0); // made first
    gw.bind("F2", "P1", RELATIONSHIP_CHILD, 0); // P1's parent: closer, but bound second

    SettleResponse sale = buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 5_000));

    assertEquals(List.of("MUTUAL_AID " + grandparent + " 5000"), legs(sale.getBreakdown()));
  }

  // ---- changing a quota -----------------------------------------------------------------------

  @Test
  void updateBindingQuota_byTheAuthorizer_raisesLowersOrRemovesIt() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String b = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 10_000);
    buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 15_000));

    Binding raised = quota(b, "A1", 30_000);
    SettleResponse more = buy("S-2", "P1", item(ITEM_CATEGORY_DRUG, 25_000));
    Binding removed = quota(b, "A1", 0);
    SettleResponse unlimited = buy("S-3", "P1", item(ITEM_CATEGORY_DRUG, 50_000));

    assertEquals(30_000, raised.getQuotaFen());
    assertSplit(more.getBreakdown(), 25_000, 0, 20_000, 5_000);
    assertEquals(0, removed.getQuotaFen());
    assertSplit(unlimited.getBreakdown(), 50_000, 0, 50_000, 0);
    assertAccount("A1", 20_000, 0);
  }

  @Test
  void updateBindingQuota_belowWhatWasAlreadyDrawn_refused() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String b = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 50_000);
    buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 20_000));
    authorizeAt("S-2", "P1", item(ITEM_CATEGORY_DRUG, 10_000)); // held

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_BELOW_DRAWN", () -> quota(b, "A1", 29_999));

    assertTrue(r.message().contains("30000"), r.message());
    assertEquals(30_000, quota(b, "A1", 30_000).getQuotaFen());
  }

  @Test
  void updateBindingQuota_regionForbidsQuotas_refused() {
    employee("T1", TIANSHUI, 500_000);
    resident("P1", LANZHOU);
    String b = gw.bind("T1", "P1", RELATIONSHIP_PARENT, 0);

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_NOT_ALLOWED", () -> quota(b, "T1", 10_000));

    assertTrue(r.message().contains(TIANSHUI), r.message());
    assertEquals(0, bindingOf("T1", b).getQuotaFen());
  }

  @Test
  void updateBindingQuota_byTheBeneficiaryOrOfADissolvedBinding_refused() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String b = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 10_000);

    Refusal.expect(Code.FAILED_PRECONDITION, "NOT_A_PARTY", () -> quota(b, "P1", 50_000));
    gw.dissolve(b, "P1");
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_STATE_CONFLICT", () -> quota(b, "A1", 50_000));
    Refusal.expect(Code.NOT_FOUND, "BINDING_NOT_FOUND", () -> quota("B999", "A1", 50_000));
  }

  // ---- Identify under the daily limits --------------------------------------------------------

  @Test
  void identify_afterTodaysMutualAidUses_showsNothingAvailable() {
    gw.policy(policy(LANZHOU).setMaxMutualAidUsesPerDay(1).build());
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String b = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    assertEquals(List.of(b + " 100000"), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));

    buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));

    assertEquals(List.of(b + " 0"), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
  }

  @Test
  void identify_dailyFenLimit_sharedOutAmongTheSourcesInDrawingOrder() {
    gw.policy(policy(LANZHOU).setMaxMutualAidFenPerDay(5_000).build());
    employee("A1", LANZHOU, 100_000);
    employee("A2", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String first = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String second = gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);

    buy("S-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));

    // 2,000 left today: the first source in drawing order would give it all.
    assertEquals(List.of(first + " 2000", second + " 0"),
        sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
  }

  private Binding quota(String bindingId, String by, long quotaFen) {
    return gw.family().updateBindingQuota(UpdateBindingQuotaRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setBindingId(bindingId)
        .setByPsnNo(by).setQuotaFen(quotaFen).build());
  }
}
