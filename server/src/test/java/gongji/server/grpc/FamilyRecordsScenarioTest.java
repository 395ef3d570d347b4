package gongji.server.grpc;

import gongji.server.testing.InProcessGateway;
import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.settle;
import static gongji.v1.BindingRole.BINDING_ROLE_AUTHORIZER;
import static gongji.v1.BindingRole.BINDING_ROLE_BENEFICIARY;
import static gongji.v1.BindingRole.BINDING_ROLE_EITHER;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_COSMETICS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_MEDICAL_SERVICE;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Masking;
import gongji.server.testing.Refusal;
import gongji.v1.Alert;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.CreditAccountsRequest;
import gongji.v1.CreditAccountsResponse;
import gongji.v1.CreditLine;
import gongji.v1.CreditLineResult;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListReconcileDetailsResponse;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ListUsageRecordsResponse;
import gongji.v1.PayPremiumRequest;
import gongji.v1.PayPremiumResponse;
import gongji.v1.ReconcileDetail;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileResponse;
import gongji.v1.ReconcileTotals;
import gongji.v1.SettleResponse;
import gongji.v1.UsageRecord;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the gateway records about mutual aid and what it pays besides sales: premiums paid for
 * relatives, the usage records both parties can list, fraud alerts (impersonation, daily limits),
 * day-end reconciliation and the monthly batch of contributions.
 */
class FamilyRecordsScenarioTest extends FamilyScenarioSupport {
  private static final Duration HOUR = Duration.ofHours(1);

  // ---- premiums for a resident relative ------------------------------------------------------

  @Test
  void payPremium_activeBindingToAResident_paysFromTheAuthorizerAndIsRecorded() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    PayPremiumResponse paid = premium("PREM-1", "A1", "P1", 38_000);
    PayPremiumResponse replayed = premium("PREM-1", "A1", "P1", 38_000);

    assertEquals(PayPremiumResponse.newBuilder().setPayerPsnNo("A1").setBeneficiaryPsnNo("P1").setAmountFen(38_000)
        .setYear(2026).setPayerBalanceAfterFen(62_000).build(), paid);
    assertEquals(paid, replayed);
    assertAccount("A1", 62_000, 0);
    assertEquals(38_000, bindingOf("A1", id).getUsedFen());
    List<String> record = List.of("PREMIUM A1->P1 " + id + " 38000");
    assertEquals(record, usage("A1", BINDING_ROLE_AUTHORIZER));
    assertEquals(record, usage("P1", BINDING_ROLE_BENEFICIARY));
    UsageRecord r = gw.usage("P1", BINDING_ROLE_BENEFICIARY, 0, 0, 10).get(0);
    assertEquals(List.of("", "", gw.clock().millis()), List.of(r.getFixmedinsCode(), r.getTransactionId(), InProcessGateway.millis(r.getTime())));
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED", () -> premium("PREM-1", "A1", "P1", 39_000));
  }

  @Test
  void payPremium_withoutAnActiveBinding_refused() {
    employee("A1", LANZHOU, 100_000);
    employee("A2", LANZHOU, 100_000);
    resident("P1", LANZHOU);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> premium("PREM-1", "A1", "P1", 30_000));
    String id = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> premium("PREM-2", "A1", "P1", 30_000));
    gw.review(id, true, "");
    // A1's binding does not let anyone else pay.
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> premium("PREM-3", "A2", "P1", 30_000));
    premium("PREM-4", "A1", "P1", 30_000);
    gw.dissolve(id, "P1");
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> premium("PREM-5", "A1", "P1", 30_000));

    assertAccount("A1", 70_000, 0);
    assertAccount("A2", 100_000, 0);
  }

  @Test
  void payPremium_forAnEmployeeRelative_refused() {
    employee("A1", LANZHOU, 100_000);
    employee("E1", LANZHOU, 0);
    gw.bind("A1", "E1", RELATIONSHIP_SPOUSE, 0);

    Refusal.expect(Code.FAILED_PRECONDITION, "PREMIUM_NOT_PAYABLE", () -> premium("PREM-1", "A1", "E1", 30_000));

    assertAccount("A1", 100_000, 0);
  }

  @Test
  void payPremium_aboveTheRetainedFloor_refused() {
    employee("T1", TIANSHUI, TIANSHUI_FLOOR_FEN + 30_000);
    resident("P1", LANZHOU);
    gw.bind("T1", "P1", RELATIONSHIP_PARENT, 0);

    Refusal.expect(Code.FAILED_PRECONDITION, "SHAREABLE_BALANCE_EXCEEDED", () -> premium("PREM-1", "T1", "P1", 35_000));
    PayPremiumResponse paid = premium("PREM-2", "T1", "P1", 30_000);

    assertEquals(TIANSHUI_FLOOR_FEN, paid.getPayerBalanceAfterFen());
    assertAccount("T1", TIANSHUI_FLOOR_FEN, 0);
  }

  @Test
  void payPremium_aboveTheQuota_refusedAndCountsAgainstIt() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 20_000);

    Refusal.expect(Code.FAILED_PRECONDITION, "SHAREABLE_BALANCE_EXCEEDED", () -> premium("PREM-1", "A1", "P1", 25_000));
    premium("PREM-2", "A1", "P1", 20_000);
    AuthorizeResponse sale = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));

    assertEquals(List.of("CASH 1000"), legs(sale.getBreakdown()));
    assertEquals(List.of(id + " 0"), sources(gw.settlement().identify(identify(POS, cardOf("P1")))));
    assertAccount("A1", 80_000, 0);
  }

  // ---- usage records --------------------------------------------------------------------------

  @Test
  void listUsageRecords_byRoleAndTimeRange_pagedOldestFirst() {
    employee("G1", LANZHOU, 100_000);
    employee("M1", LANZHOU, 5_000);
    resident("P1", LANZHOU);
    String gm = gw.bind("G1", "M1", RELATIONSHIP_CHILD, 0);
    String mp = gw.bind("M1", "P1", RELATIONSHIP_PARENT, 0);

    long t0 = gw.clock().millis();
    SettleResponse first = buy("A-1", "M1", item(ITEM_CATEGORY_DRUG, 8_000));
    gw.clock().advance(HOUR);
    long t1 = gw.clock().millis();
    gw.credit("M1", 10_000);
    SettleResponse second = buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 2_000));
    gw.clock().advance(HOUR);
    gw.settlement().refund(refund("R-2", POS, second.getTransactionId()));
    gw.clock().advance(HOUR);
    long t3 = gw.clock().millis();
    buy("A-3", "M1", item(ITEM_CATEGORY_DRUG, 12_000));
    gw.clock().advance(HOUR);
    gw.credit("M1", 5_000);
    premium("PREM-1", "M1", "P1", 1_000);

    String r1 = "SETTLED G1->M1 " + gm + " 3000";
    String r2 = "SETTLED M1->P1 " + mp + " 2000";
    String r3 = "REFUNDED M1->P1 " + mp + " -2000";
    String r4 = "SETTLED G1->M1 " + gm + " 2000";
    String r5 = "PREMIUM M1->P1 " + mp + " 1000";
    assertEquals(List.of(r1, r2, r3, r4, r5), usage("M1", BINDING_ROLE_EITHER));
    assertEquals(List.of(r2, r3, r5), usage("M1", BINDING_ROLE_AUTHORIZER));
    assertEquals(List.of(r1, r4), usage("M1", BINDING_ROLE_BENEFICIARY));
    assertEquals(List.of(r1, r4), usage("G1", BINDING_ROLE_AUTHORIZER));
    assertEquals(List.of(r2, r3, r5), usage("P1", BINDING_ROLE_BENEFICIARY));
    assertEquals(List.of(), usage("P1", BINDING_ROLE_AUTHORIZER));
    assertEquals(List.of(r1), records("M1", BINDING_ROLE_EITHER, t0, t1));
    assertEquals(List.of(r2, r3), records("M1", BINDING_ROLE_EITHER, t1, t3));
    assertEquals(List.of(r4, r5), records("M1", BINDING_ROLE_EITHER, t3, 0));
    assertEquals(List.of(r5), records("M1", BINDING_ROLE_AUTHORIZER, t3, 0));

    UsageRecord one = gw.usage("M1", BINDING_ROLE_BENEFICIARY, t0, t1, 10).get(0);
    assertEquals(List.of(PHARMACY, first.getTransactionId(), t0),
        List.of(one.getFixmedinsCode(), one.getTransactionId(), InProcessGateway.millis(one.getTime())));

    // Pages of two: 2 + 2 + 1, the last without a token.
    List<Integer> sizes = new ArrayList<>();
    List<String> paged = new ArrayList<>();
    String token = "";
    do {
      ListUsageRecordsResponse page = gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
          .setPsnNo("M1").setPageSize(2).setPageToken(token).build());
      sizes.add(page.getRecordsCount());
      page.getRecordsList().forEach(u -> paged.add(usage(u)));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertEquals(List.of(2, 2, 1), sizes);
    assertEquals(List.of(r1, r2, r3, r4, r5), paged);
  }

  @Test
  void listUsageRecords_pageTokenOfAnotherQuery_refused() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    ListUsageRecordsResponse page = gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
        .setPsnNo("A1").setPageSize(1).build());
    String token = page.getNextPageToken();
    assertFalse(token.isEmpty());

    Refusal.of(() -> gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder()
        .setPsnNo("A1").setRole(BINDING_ROLE_AUTHORIZER).setPageSize(1).setPageToken(token).build()))
        .assertFieldInvalid("page_token");
    Refusal.of(() -> gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
        .setPsnNo("P1").setPageSize(1).setPageToken(token).build()))
        .assertFieldInvalid("page_token");
    Refusal.of(() -> gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
        .setPsnNo("A1").setStartTime(InProcessGateway.time(1)).setPageSize(1).setPageToken(token).build()))
        .assertFieldInvalid("page_token");
    Refusal.of(() -> gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
        .setPsnNo("A1").setPageSize(1).setPageToken("not-a-token").build()))
        .assertFieldInvalid("page_token");
    // The same query goes on.
    assertEquals(1, gw.family().listUsageRecords(ListUsageRecordsRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER)
        .setPsnNo("A1").setPageSize(1).setPageToken(token).build()).getRecordsCount());
  }

  // ---- fraud alerts ---------------------------------------------------------------------------

  @Test
  void authorize_relativesCardPresentedAsOnesOwn_refusedAsImpersonationAndListed() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    // P1 hands over A1's card: family mutual aid shares the money, never the card (冒名就医).
    AuthorizeRequest impersonating =
        authorize("A-1", POS, cardOf("A1"), item(ITEM_CATEGORY_DRUG, 3_000)).setPsnNo("P1").build();
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().authorize(impersonating));
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().authorize(impersonating));

    assertAccount("A1", 10_000, 0);
    Alert alert = onlyAlert("IMPERSONATION");
    assertEquals(List.of(PHARMACY, gw.clock().millis()), List.of(alert.getFixmedinsCode(), InProcessGateway.millis(alert.getTime())),
        "one alert for the attempt, not one per resend");
    // The claimed person is named masked: reviewers of other institutions read alerts.
    assertTrue(alert.getDetail().contains("psn_no " + Masking.psnNo("P1")) && !alert.getDetail().contains("P1"),
        alert.getDetail());
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION",
        () -> gw.settlement().identify(identify(POS, cardOf("A1")).toBuilder().setPsnNo("P1").build()));
    // With their own card the relative is paid for.
    assertEquals(List.of("MUTUAL_AID " + id + " 3000"),
        legs(authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 3_000)).getBreakdown()));
  }

  @Test
  void authorize_mutualAidUsesPerDayExceeded_refusedListedAndPayableWithoutMutualAid() {
    gw.policy(policy(LANZHOU).setMaxMutualAidUsesPerDay(2).build());
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    employee("E1", LANZHOU, 100_000);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String p2 = gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    gw.bind("A1", "E1", RELATIONSHIP_SPOUSE, 0);
    buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 1_000));

    Refusal refused = Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-3", "P1", item(ITEM_CATEGORY_DRUG, 1_000)));
    AuthorizeResponse withoutAid = gw.settlement().authorize(authorize("A-4", POS, cardOf("P1"),
        item(ITEM_CATEGORY_DRUG, 1_000)).setSkipMutualAid(true).build());

    assertTrue(refused.message().contains("without mutual aid"), refused.message());
    assertEquals(List.of("CASH 1000"), legs(withoutAid.getBreakdown()));
    assertAccount("A1", 998_000, 0);
    Alert alert = onlyAlert("MUTUAL_AID_LIMIT_EXCEEDED");
    assertEquals(List.of("P1", PHARMACY, gw.clock().millis()),
        List.of(alert.getPsnNo(), alert.getFixmedinsCode(), InProcessGateway.millis(alert.getTime())));
    // The limit is per beneficiary, and counts only sales that use mutual aid.
    assertEquals(List.of("MUTUAL_AID " + p2 + " 1000"),
        legs(authorizeAt("A-5", "P2", item(ITEM_CATEGORY_DRUG, 1_000)).getBreakdown()));
    for (int i = 0; i < 3; i++) {
      assertEquals(List.of("OWN_ACCOUNT 1000"),
          legs(authorizeAt("E-" + i, "E1", item(ITEM_CATEGORY_DRUG, 1_000)).getBreakdown()));
    }
  }

  @Test
  void authorize_mutualAidFenPerDayExceeded_refused() {
    gw.policy(policy(LANZHOU).setMaxMutualAidFenPerDay(5_000).build());
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 3_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 2_500)));
    buy("A-3", "P1", item(ITEM_CATEGORY_DRUG, 2_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-4", "P1", item(ITEM_CATEGORY_DRUG, 1)));

    assertAccount("A1", 995_000, 0);
    assertEquals(2, gw.alerts().stream().filter(a -> a.getKind().equals("MUTUAL_AID_LIMIT_EXCEEDED")).count());
  }

  @Test
  void authorize_mutualAidLimit_countsOnlyWhatSalesStillDraw() {
    gw.policy(policy(LANZHOU).setMaxMutualAidUsesPerDay(2).setMaxMutualAidFenPerDay(5_000).build());
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    // A cancelled sale used no mutual aid; one settled for less used less.
    AuthorizeResponse cancelled = authorizeAt("A-1", "P1", item(ITEM_CATEGORY_DRUG, 4_000));
    gw.settlement().cancel(cancel("C-1", POS, cancelled.getTransactionId()));
    AuthorizeResponse lower = authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 4_000));
    gw.settlement().settle(settle("S-2", POS, lower.getTransactionId(), 1_000));
    // So 40.00 more fits the day's 50.00 yuan, as the second of two uses.
    buy("A-3", "P1", item(ITEM_CATEGORY_DRUG, 4_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-4", "P1", item(ITEM_CATEGORY_DRUG, 100)));

    assertAccount("A1", 995_000, 0);
  }

  @Test
  void authorize_mutualAidLimit_countsChinaLocalDaysAndResetsAtBeijingMidnight() {
    gw.policy(policy(LANZHOU).setMaxMutualAidUsesPerDay(1).build());
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", LANZHOU);
    String id = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);

    // 09:00 Beijing time on Monday 2 March.
    buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    gw.clock().advance(Duration.ofMinutes(14 * 60 + 30));
    // 23:30 Beijing: still Monday.
    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-2", "P1", item(ITEM_CATEGORY_DRUG, 1_000)));
    gw.clock().advance(HOUR);
    // 00:30 Beijing on Tuesday, though still Monday 16:30 in UTC: a new day.
    SettleResponse nextDay = buy("A-3", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-4", "P1", item(ITEM_CATEGORY_DRUG, 1_000)));

    assertEquals(List.of("MUTUAL_AID " + id + " 1000"), legs(nextDay.getBreakdown()));
    assertAccount("A1", 998_000, 0);
  }

  @Test
  void authorize_mutualAidLimit_isTheBeneficiarysRegions() {
    gw.policy(policy(TIANSHUI).setRetainedFloorFen(TIANSHUI_FLOOR_FEN).setExtendedRelativesAllowed(false)
        .setQuotaAllowed(false).setMaxMutualAidUsesPerDay(1).build());
    employee("A1", LANZHOU, 1_000_000);
    resident("P1", TIANSHUI);
    resident("P2", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);

    buy("A-1", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    buy("A-2", "P2", item(ITEM_CATEGORY_DRUG, 1_000));
    buy("A-3", "P2", item(ITEM_CATEGORY_DRUG, 1_000));

    Refusal.expect(Code.FAILED_PRECONDITION, "MUTUAL_AID_LIMIT_EXCEEDED",
        () -> authorizeAt("A-4", "P1", item(ITEM_CATEGORY_DRUG, 1_000)));
    assertAccount("A1", 997_000, 0);
  }

  // ---- day-end reconciliation -----------------------------------------------------------------

  @Test
  void reconcile_perInstitutionAndChinaDay_splitIntoOwnAccountMutualAidAndCash() {
    employee("G1", LANZHOU, 100_000);
    employee("M1", LANZHOU, 5_000);
    resident("P1", LANZHOU);
    gw.bind("G1", "M1", RELATIONSHIP_CHILD, 0);
    gw.bind("G1", "P1", RELATIONSHIP_SPOUSE, 0);

    // Monday 09:00 Beijing time.
    SettleResponse s1 = buy("A-1", "M1", item(ITEM_CATEGORY_DRUG, 8_000), item(ITEM_CATEGORY_COSMETICS, 1_000));
    SettleResponse s2 = buy("A-2", "P1", item(ITEM_CATEGORY_DRUG, 2_000), item(ITEM_CATEGORY_DRUG, 500, false));
    AuthorizeResponse cancelled = authorizeAt("A-3", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    gw.settlement().cancel(cancel("C-3", POS, cancelled.getTransactionId()));
    buyAt(HIS, "A-5", "P1", item(ITEM_CATEGORY_MEDICAL_SERVICE, 4_000));
    gw.clock().advance(Duration.ofMinutes(14 * 60 + 30));
    // Monday 23:30 Beijing.
    long lateMonday = gw.clock().millis();
    SettleResponse s4 = buy("A-4", "P1", item(ITEM_CATEGORY_DRUG, 1_000));
    gw.settlement().refund(refund("R-4", POS, s4.getTransactionId()));
    gw.clock().advance(HOUR);
    // Tuesday 00:30 Beijing (still Monday in UTC).
    gw.settlement().refund(refund("R-1", POS, s1.getTransactionId()));

    assertSplit(s1.getBreakdown(), 9_000, 5_000, 3_000, 1_000);
    ReconcileResponse monday = reconcile(PHARMACY, "2026-03-02");
    assertTotals(monday.getSettlements(), 3, 12_500, 5_000, 6_000, 1_500);
    assertTotals(monday.getRefunds(), 1, 1_000, 0, 1_000, 0);
    ReconcileResponse tuesday = reconcile(PHARMACY, "2026-03-03");
    assertTotals(tuesday.getSettlements(), 0, 0, 0, 0, 0);
    assertTotals(tuesday.getRefunds(), 1, 9_000, 5_000, 3_000, 1_000);
    ReconcileResponse hospital = reconcile(HOSPITAL, "2026-03-02");
    assertTotals(hospital.getSettlements(), 1, 4_000, 0, 4_000, 0);
    assertTotals(hospital.getRefunds(), 0, 0, 0, 0, 0);

    List<ReconcileDetail> details = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String token = "";
    do {
      ListReconcileDetailsResponse page = gw.admin().listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
          .setFixmedinsCode(PHARMACY).setDate(InProcessGateway.date("2026-03-02")).setPageSize(3).setPageToken(token).build());
      details.addAll(page.getDetailsList());
      sizes.add(page.getDetailsCount());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertEquals(List.of(3, 1), sizes);
    assertEquals(List.of(
            s1.getTransactionId() + " SETTLED 9000 5000 3000 1000",
            s2.getTransactionId() + " SETTLED 2500 0 2000 500",
            s4.getTransactionId() + " SETTLED 1000 0 1000 0",
            s4.getTransactionId() + " REFUNDED 1000 0 1000 0"),
        details.stream().map(d -> d.getTransactionId() + " " + d.getKind() + " " + d.getTotalFen() + " "
            + d.getAccountPayFen() + " " + d.getMutualAidPayFen() + " " + d.getCashPayFen()).toList());
    assertEquals(lateMonday, InProcessGateway.millis(details.get(3).getTime()));
  }

  @Test
  void listReconcileDetails_pageTokenOfAnotherDay_refused() {
    employee("A1", LANZHOU, 100_000);
    buy("A-1", "A1", item(ITEM_CATEGORY_DRUG, 1_000));
    buy("A-2", "A1", item(ITEM_CATEGORY_DRUG, 1_000));
    String token = gw.admin().listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
        .setFixmedinsCode(PHARMACY).setDate(InProcessGateway.date("2026-03-02")).setPageSize(1).build()).getNextPageToken();
    assertFalse(token.isEmpty());

    Refusal.of(() -> gw.admin().listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
        .setFixmedinsCode(PHARMACY).setDate(InProcessGateway.date("2026-03-03")).setPageSize(1).setPageToken(token).build()))
        .assertFieldInvalid("page_token");
    Refusal.of(() -> gw.admin().reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(PHARMACY)
        .setDate(com.google.type.Date.newBuilder().setYear(2026).setMonth(2).setDay(30)).build()))
        .assertFieldInvalid("date");
    Refusal.of(() -> gw.admin().reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(PHARMACY).build()))
        .assertFieldInvalid("date");
    Refusal.expect(Code.NOT_FOUND, "INSTITUTION_NOT_FOUND", () -> reconcile("P99999999999", "2026-03-02"));
  }

  // ---- the monthly batch of contributions -----------------------------------------------------

  @Test
  void creditAccounts_batch_appliesEachLineOnceAndReportsRefusedLines() {
    employee("E1", LANZHOU, 0);
    employee("E2", LANZHOU, 0);
    resident("R1", LANZHOU);
    employee("D1", LANZHOU, 0);
    gw.recordDeath("D1");
    CreditAccountsRequest batch = CreditAccountsRequest.newBuilder().setRequestId("CONTRIB-2026-03")
        .addLines(line("E1", 10_000)).addLines(line("R1", 5_000)).addLines(line("E2", 20_000))
        .addLines(line("NOBODY", 1_000)).addLines(line("D1", 3_000)).addLines(line("E1", 1_000))
        .build();

    CreditAccountsResponse first = gw.admin().creditAccounts(batch);
    CreditAccountsResponse replayed = gw.admin().creditAccounts(batch);
    CreditAccountsResponse altered = gw.admin().creditAccounts(batch.toBuilder().setLines(2, line("E2", 25_000)).build());

    assertEquals(List.of("E1 10000", "NO_PERSONAL_ACCOUNT", "E2 20000", "PATIENT_NOT_FOUND", "ACCOUNT_FROZEN", "E1 11000"),
        outcomes(first));
    assertEquals(first, replayed);
    assertEquals(List.of("E1 10000", "NO_PERSONAL_ACCOUNT", "REQUEST_ID_REUSED", "PATIENT_NOT_FOUND", "ACCOUNT_FROZEN",
        "E1 11000"), outcomes(altered));
    assertAccount("E1", 11_000, 0);
    assertAccount("E2", 20_000, 0);
    assertAccount("D1", 0, 0);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private PayPremiumResponse premium(String requestId, String payer, String beneficiary, long amountFen) {
    return gw.family().payPremium(PayPremiumRequest.newBuilder().setRequestId(requestId).setPayerPsnNo(payer)
        .setBeneficiaryPsnNo(beneficiary).setAmountFen(amountFen).setYear(2026).build());
  }

  private List<String> records(String psnNo, gongji.v1.BindingRole role, long fromMillis, long toMillis) {
    return gw.usage(psnNo, role, fromMillis, toMillis, 1000).stream().map(FamilyScenarioSupport::usage).toList();
  }

  private Alert onlyAlert(String kind) {
    List<Alert> alerts = gw.alerts().stream().filter(a -> a.getKind().equals(kind)).toList();
    assertEquals(1, alerts.size(), () -> "alerts of kind " + kind + ": " + alerts);
    return alerts.get(0);
  }

  private ReconcileResponse reconcile(String institution, String date) {
    return gw.admin().reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(institution).setDate(InProcessGateway.date(date)).build());
  }

  private static void assertTotals(ReconcileTotals t, long count, long totalFen, long accountFen, long mutualAidFen,
      long cashFen) {
    assertEquals(List.of(count, totalFen, accountFen, mutualAidFen, cashFen),
        List.of(t.getCount(), t.getTotalFen(), t.getAccountPayFen(), t.getMutualAidPayFen(), t.getCashPayFen()),
        "count, total, own account, mutual aid, cash");
  }

  private static CreditLine line(String psnNo, long amountFen) {
    return CreditLine.newBuilder().setPsnNo(psnNo).setAmountFen(amountFen).build();
  }

  private static List<String> outcomes(CreditAccountsResponse r) {
    List<String> out = new ArrayList<>();
    for (CreditLineResult line : r.getResultsList()) {
      out.add(line.getErrorReason().isEmpty()
          ? line.getAccount().getPsnNo() + " " + line.getAccount().getBalanceFen() : line.getErrorReason());
    }
    return out;
  }
}
