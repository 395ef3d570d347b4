package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.GongjiAdminClient.Role;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every call of {@link GongjiAdminClient}, blocking and some async, against the real service on an
 * in-process server loaded with the demo data. Every test ends with a ledger audit.
 */
class GongjiAdminClientTest {
  private static final String TODAY = "2026-03-02";

  private TestGateway gateway;
  private GongjiAdminClient admin;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    admin = GongjiAdminClient.create(options(POS).build(), gateway.channelBuilder());
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      admin.close();
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  // ---- FamilyService --------------------------------------------------------------------------

  @Test
  void requestReviewDissolve_aBinding_walksItsStates() {
    Binding requested = admin.requestBinding(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "SIBLING", "HUKOU-1", 5_000);
    assertEquals("REQUESTED", requested.state());
    assertEquals("SIBLING", requested.relationship());
    assertEquals(5_000, requested.quotaFen());
    assertEquals("HUKOU-1", requested.evidenceRef());

    Binding active = admin.reviewBinding(requested.id(), true, "household register seen");
    assertEquals("ACTIVE", active.state());
    assertEquals(requested.id(), active.id());

    Binding dissolved = admin.dissolveBinding(active.id(), DemoData.ZHANG_JIANGUO);
    assertEquals("DISSOLVED", dissolved.state());
  }

  @Test
  void reviewBinding_async_rejects() throws Exception {
    Binding requested = admin.requestBindingAsync(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "SIBLING", "HUKOU-2", 0)
        .get(10, TimeUnit.SECONDS);

    Binding rejected = admin.reviewBindingAsync(requested.id(), false, "not siblings").get(10, TimeUnit.SECONDS);

    assertEquals("REJECTED", rejected.state());
    assertFalse(rejected.endReason().isEmpty(), rejected.toString());
  }

  @Test
  void requestBinding_whereTheRegionForbidsExtendedRelatives_isRefusedAsBindingNotAllowed() {
    // 王秀英 is insured in Tianshui (620500), which does not allow siblings.
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.requestBinding(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-3", 0));

    assertEquals(RejectionReason.BINDING_NOT_ALLOWED, e.reason());
  }

  @Test
  void requestBinding_async_refusal_completesWithTheTypedException() {
    CompletionException e = assertThrows(CompletionException.class,
        () -> admin.requestBindingAsync(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-3", 0).join());

    assertTrue(e.getCause() instanceof GongjiRejectedException, String.valueOf(e.getCause()));
    assertEquals(RejectionReason.BINDING_NOT_ALLOWED, ((GongjiException) e.getCause()).reason());
  }

  @Test
  void requestBinding_withAnUnknownRelationship_isTheCallersMistake() {
    assertThrows(IllegalArgumentException.class,
        () -> admin.requestBinding(DemoData.ZHANG_WEI, DemoData.ZHAO_LEI, "COUSIN", "X", 0));
  }

  @Test
  void listBindings_pagesThroughAllBindingsWithTokens() {
    List<String> ids = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      Page<Binding> page = admin.listBindings(DemoData.ZHANG_WEI, Role.BOTH, 1, token);
      assertTrue(page.items().size() <= 1, page.toString());
      for (Binding b : page.items()) {
        ids.add(b.beneficiaryPsnNo() + " " + b.relationship() + " " + b.state());
      }
      token = page.nextPageToken();
      pages++;
    } while (!token.isEmpty() && pages < 10);

    assertEquals(List.of(DemoData.LI_NA + " SPOUSE ACTIVE", DemoData.ZHANG_JIANGUO + " PARENT ACTIVE"), ids);
    assertTrue(pages >= 2, "pages: " + pages);
  }

  @Test
  void listBindings_async_byRole() throws Exception {
    Page<Binding> asBeneficiary = admin.listBindingsAsync(DemoData.LI_NA, Role.BENEFICIARY, 0, "")
        .get(10, TimeUnit.SECONDS);
    Page<Binding> asAuthorizer = admin.listBindings(DemoData.LI_NA, Role.AUTHORIZER, 0, "");

    assertEquals(2, asBeneficiary.items().size(), asBeneficiary.toString());
    assertEquals(DemoData.ZHANG_WEI, asBeneficiary.items().get(0).authorizerPsnNo(), "drawing order");
    assertEquals(10_000, asBeneficiary.items().get(0).quotaFen());
    assertEquals(DemoData.WANG_XIUYING, asBeneficiary.items().get(1).authorizerPsnNo());
    assertFalse(asBeneficiary.hasNext());
    assertEquals(List.of(), asAuthorizer.items());
  }

  @Test
  void payPremium_thenUsageRecords_pageThroughThePremiums() {
    long before = admin.getAccount(DemoData.ZHANG_WEI).availableFen();

    long after2025 = admin.payPremium("premium-2025", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2025);
    long after2026 = admin.payPremium("premium-2026", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 40_000, 2026);

    assertEquals(before - 38_000, after2025);
    assertEquals(before - 78_000, after2026);
    assertEquals(after2026, admin.getAccount(DemoData.ZHANG_WEI).availableFen());

    Page<UsageRecord> first = admin.listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1, "");
    assertEquals(1, first.items().size());
    assertTrue(first.hasNext(), first.toString());
    Page<UsageRecord> second = admin.listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1,
        first.nextPageToken());
    assertEquals(1, second.items().size());

    List<UsageRecord> records = List.of(first.items().get(0), second.items().get(0));
    for (UsageRecord r : records) {
      assertEquals("PREMIUM", r.kind());
      assertEquals(DemoData.ZHANG_WEI, r.authorizerPsnNo());
      assertEquals(DemoData.ZHANG_JIANGUO, r.beneficiaryPsnNo());
      assertEquals("", r.transactionId());
    }
    assertEquals(List.of(38_000L, 40_000L), List.of(records.get(0).amountFen(), records.get(1).amountFen()));
    if (second.hasNext()) {  // a token at the exact end of the listing leads to an empty page
      assertEquals(List.of(), admin.listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1,
          second.nextPageToken()).items());
    }
  }

  @Test
  void payPremium_resentWithTheSameRequestId_paysOnce() throws Exception {
    long once = admin.payPremiumAsync("premium-x", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2026)
        .get(10, TimeUnit.SECONDS);
    long again = admin.payPremium("premium-x", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2026);

    assertEquals(once, again);
    assertEquals(once, admin.getAccount(DemoData.ZHANG_WEI).availableFen());
  }

  @Test
  void usageRecords_ofASettledSale_showTheMutualAidDrawn() {
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      Sale sale = pos.authorize(basket(LI_NA).build());
      pos.settle(sale.transactionId());

      Page<UsageRecord> page = admin.listUsageRecords(DemoData.LI_NA, Role.BENEFICIARY, 0, 0, 0, "");

      assertFalse(page.items().isEmpty());
      long drawn = 0;
      for (UsageRecord r : page.items()) {
        assertEquals("SETTLED", r.kind());
        assertEquals(DemoData.PHARMACY, r.fixmedinsCode());
        assertEquals(sale.transactionId(), r.transactionId());
        drawn += r.amountFen();
      }
      assertEquals(pos.getTransaction(sale.transactionId()).split().mutualAidPayFen(), drawn);
    }
  }

  // ---- AdminService ---------------------------------------------------------------------------

  @Test
  void registerInstitution_thenATerminalOfItCanCall() {
    admin.registerInstitution("P62010200099", "新药房", List.of("POS09"));

    try (GongjiClient pos = GongjiClient.create(options(new Terminal("P62010200099", "POS09", "c-1")).build(),
        gateway.channelBuilder())) {
      assertEquals(DemoData.LI_NA, pos.identify(LI_NA).psnNo());
    }
  }

  @Test
  void upsertInsured_createsAPersonWhoseAccountCanBeCredited() throws Exception {
    InsuredPerson person = new InsuredPerson("62010020000101006600000006", "钱多", "EMPLOYEE_BASIC", "NORMAL",
        "620100", List.of(Credential.card("SSC-QIANDUO")));

    InsuredPerson recorded = admin.upsertInsuredAsync(person).get(10, TimeUnit.SECONDS);
    Account credited = admin.creditAccountAsync("credit-qd-1", person.psnNo(), 12_345).get(10, TimeUnit.SECONDS);

    assertEquals(person.psnNo(), recorded.psnNo());
    assertEquals("EMPLOYEE_BASIC", recorded.insuranceType());
    assertEquals("NORMAL", recorded.status());
    assertEquals("620100", recorded.admdvs());
    assertEquals("SSC-QIANDUO", recorded.credentials().get(0).number());
    assertEquals(12_345, credited.balanceFen());
    assertEquals(12_345, admin.getAccount(person.psnNo()).availableFen());
  }

  @Test
  void upsertInsured_withSomeoneElsesCard_isRefused() {
    InsuredPerson thief = new InsuredPerson("62010020000101007700000007", "冒用", "EMPLOYEE_BASIC", "NORMAL",
        "620100", List.of(Credential.card("SSC-LINA")));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.upsertInsured(thief));

    assertEquals(RejectionReason.CREDENTIAL_IN_USE, e.reason());
  }

  @Test
  void creditAccount_isIdempotentByRequestId() {
    long before = admin.getAccount(DemoData.ZHAO_LEI).balanceFen();

    Account once = admin.creditAccount("credit-zl-1", DemoData.ZHAO_LEI, 1_000);
    Account again = admin.creditAccount("credit-zl-1", DemoData.ZHAO_LEI, 1_000);

    assertEquals(before + 1_000, once.balanceFen());
    assertEquals(before + 1_000, again.balanceFen());
    assertEquals(DemoData.ZHAO_LEI, once.psnNo());
  }

  @Test
  void creditAccounts_appliesEachLine_andRefusesALineAlone() {
    List<CreditLine> results = admin.creditAccounts("run-2026-03", List.of(
        new CreditLine(DemoData.ZHANG_WEI, 20_000),
        new CreditLine(DemoData.ZHANG_JIANGUO, 1_000),   // resident-insured: no personal account
        new CreditLine(DemoData.ZHAO_LEI, 30_000)));

    assertEquals(3, results.size());
    assertTrue(results.get(0).applied(), results.toString());
    assertEquals(520_000, results.get(0).account().balanceFen());
    assertFalse(results.get(1).applied(), results.toString());
    assertEquals(RejectionReason.NO_PERSONAL_ACCOUNT, results.get(1).rejection());
    assertTrue(results.get(2).applied(), results.toString());
    assertEquals(40_000, results.get(2).account().balanceFen());
  }

  @Test
  void getAccount_ofAnUnknownPerson_isRefusedAsPatientNotFound() {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.getAccount("NOBODY1"));

    assertEquals(RejectionReason.PATIENT_NOT_FOUND, e.reason());
  }

  @Test
  void getAccount_async() throws Exception {
    Account a = admin.getAccountAsync(DemoData.ZHANG_WEI).get(10, TimeUnit.SECONDS);

    assertEquals(500_000, a.balanceFen());
    assertEquals(0, a.heldFen());
    assertEquals(500_000, a.availableFen());
  }

  @Test
  void createBinding_isActiveAtOnce() {
    Binding b = admin.createBinding(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "CHILD", 0);

    assertEquals("ACTIVE", b.state());
    assertEquals(DemoData.ZHAO_LEI, b.authorizerPsnNo());
    assertEquals(DemoData.ZHANG_JIANGUO, b.beneficiaryPsnNo());
    assertEquals(2, admin.listBindings(DemoData.ZHANG_JIANGUO, Role.BENEFICIARY, 0, "").items().size());
  }

  @Test
  void setRegionPolicy_thenTheRegionAllowsSiblings() {
    RegionPolicySettings set = admin.setRegionPolicy(RegionPolicySettings.builder("620500").name("天水市")
        .retainedFloorFen(200_000).extendedRelativesAllowed(true).crossProvinceEnabled(true)
        .allowOptionalCategory(Item.Category.HEALTH_CHECKUP).holdTtlSeconds(1800).maxMutualAidUsesPerDay(3)
        .maxMutualAidFenPerDay(50_000).build());

    assertEquals("620500", set.admdvs());
    assertTrue(set.extendedRelativesAllowed());
    assertEquals(Set.of(Item.Category.HEALTH_CHECKUP), set.optionalCategoriesAllowed());
    assertEquals(3, set.maxMutualAidUsesPerDay());
    assertEquals(50_000, set.maxMutualAidFenPerDay());
    assertEquals("REQUESTED",
        admin.requestBinding(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-4", 0).state());
  }

  @Test
  void recordDeath_thenPayOutToHeirs() {
    long balance = admin.getAccount(DemoData.ZHAO_LEI).balanceFen();

    InsuredPerson dead = admin.recordDeath(DemoData.ZHAO_LEI);
    long paid = admin.payOutToHeirs("payout-zl", DemoData.ZHAO_LEI,
        List.of(new Heir("赵一", "620102196001010011", balance - 4_000), new Heir("赵二", "620102196201010022", 4_000)));

    assertEquals("DECEASED", dead.status());
    assertEquals(balance, paid);
    assertEquals(0, admin.getAccount(DemoData.ZHAO_LEI).balanceFen());
  }

  @Test
  void payOutToHeirs_whoseSharesDoNotAddUp_isRefused() throws Exception {
    admin.recordDeathAsync(DemoData.ZHAO_LEI).get(10, TimeUnit.SECONDS);

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.payOutToHeirs("payout-bad",
        DemoData.ZHAO_LEI, List.of(new Heir("赵一", "620102196001010011", 1))));

    assertEquals(RejectionReason.PAYOUT_MISMATCH, e.reason());
  }

  @Test
  void listAlerts_showsAnImpersonation() throws Exception {
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      assertThrows(GongjiRejectedException.class, () -> pos.identify(LI_NA, DemoData.ZHAO_LEI));
    }

    Page<Alert> alerts = admin.listAlertsAsync(0, "").get(10, TimeUnit.SECONDS);

    assertEquals(1, alerts.items().size(), alerts.toString());
    Alert a = alerts.items().get(0);
    assertEquals("IMPERSONATION", a.kind());
    assertEquals(DemoData.PHARMACY, a.fixmedinsCode());
    assertFalse(alerts.hasNext());
    assertEquals(1, admin.listAlerts(10, "").items().size());
  }

  @Test
  void reconcile_andItsDetail_showTheDaysSettlement() throws Exception {
    Sale sale;
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      sale = pos.settle(pos.authorize(basket(LI_NA).build()).transactionId());
    }

    Reconciliation day = admin.reconcile(DemoData.PHARMACY, TODAY);
    Page<ReconcileLine> detail = admin.listReconcileDetailsAsync(DemoData.PHARMACY, TODAY, 0, "")
        .get(10, TimeUnit.SECONDS);

    assertEquals(DemoData.PHARMACY, day.fixmedinsCode());
    assertEquals(TODAY, day.date());
    assertEquals(1, day.settlements().count());
    assertEquals(sale.split().totalFen(), day.settlements().totalFen());
    assertEquals(sale.split().accountPayFen(), day.settlements().accountPayFen());
    assertEquals(sale.split().mutualAidPayFen(), day.settlements().mutualAidPayFen());
    assertEquals(sale.split().cashPayFen(), day.settlements().cashPayFen());
    assertEquals(0, day.refunds().count());
    assertEquals(1, detail.items().size(), detail.toString());
    ReconcileLine line = detail.items().get(0);
    assertEquals(sale.transactionId(), line.transactionId());
    assertEquals("SETTLED", line.kind());
    assertEquals(sale.split().totalFen(), line.totalFen());
    assertEquals(0, admin.reconcileAsync(DemoData.HOSPITAL, TODAY).get(10, TimeUnit.SECONDS).settlements().count());
    assertEquals(List.of(), admin.listReconcileDetails(DemoData.HOSPITAL, TODAY, 10, "").items());
  }

  @Test
  void close_thenCalls_throwIllegalState() {
    admin.close();
    admin.close();

    assertThrows(IllegalStateException.class, () -> admin.getAccount(DemoData.ZHANG_WEI));
  }
}
