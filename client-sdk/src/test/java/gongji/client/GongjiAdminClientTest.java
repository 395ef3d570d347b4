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
    Binding requested = admin.family().requestBinding(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "SIBLING", "HUKOU-1", 5_000);
    assertEquals("REQUESTED", requested.state());
    assertEquals("SIBLING", requested.relationship());
    assertEquals(5_000, requested.quotaFen());
    assertEquals("HUKOU-1", requested.evidenceRef());

    Binding active = admin.family().reviewBinding(requested.id(), true, "household register seen");
    assertEquals("ACTIVE", active.state());
    assertEquals(requested.id(), active.id());

    Binding dissolved = admin.family().dissolveBinding(active.id(), DemoData.ZHANG_JIANGUO);
    assertEquals("DISSOLVED", dissolved.state());
  }

  @Test
  void reviewBinding_async_rejects() throws Exception {
    Binding requested = admin.family().requestBindingAsync(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "SIBLING", "HUKOU-2", 0)
        .get(10, TimeUnit.SECONDS);

    Binding rejected = admin.family().reviewBindingAsync(requested.id(), false, "not siblings").get(10, TimeUnit.SECONDS);

    assertEquals("REJECTED", rejected.state());
    assertFalse(rejected.endReason().isEmpty(), rejected.toString());
  }

  @Test
  void requestBinding_whereTheRegionForbidsExtendedRelatives_isRefusedAsBindingNotAllowed() {
    // 王秀英 is insured in Tianshui (620500), which does not allow siblings.
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.family().requestBinding(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-3", 0));

    assertEquals(RejectionReason.BINDING_NOT_ALLOWED, e.reason());
  }

  @Test
  void requestBinding_async_refusal_completesWithTheTypedException() {
    CompletionException e = assertThrows(CompletionException.class,
        () -> admin.family().requestBindingAsync(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-3", 0).join());

    assertTrue(e.getCause() instanceof GongjiRejectedException, String.valueOf(e.getCause()));
    assertEquals(RejectionReason.BINDING_NOT_ALLOWED, ((GongjiException) e.getCause()).reason());
  }

  @Test
  void requestBinding_withAnUnknownRelationship_isTheCallersMistake() {
    assertThrows(IllegalArgumentException.class,
        () -> admin.family().requestBinding(DemoData.ZHANG_WEI, DemoData.ZHAO_LEI, "COUSIN", "X", 0));
  }

  @Test
  void listBindings_pagesThroughAllBindingsWithTokens() {
    List<String> ids = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      Page<Binding> page = admin.family().listBindings(DemoData.ZHANG_WEI, Role.BOTH, 1, token);
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
  void listAllBindings_iterates_everyBindingAsThePagesListThem() {
    List<String> ids = new ArrayList<>();
    for (Binding b : admin.family().listAllBindings(DemoData.ZHANG_WEI, Role.BOTH)) {
      ids.add(b.beneficiaryPsnNo() + " " + b.relationship() + " " + b.state());
    }

    assertEquals(List.of(DemoData.LI_NA + " SPOUSE ACTIVE", DemoData.ZHANG_JIANGUO + " PARENT ACTIVE"), ids);
  }

  @Test
  void listBindings_async_byRole() throws Exception {
    Page<Binding> asBeneficiary = admin.family().listBindingsAsync(DemoData.LI_NA, Role.BENEFICIARY, 0, "")
        .get(10, TimeUnit.SECONDS);
    Page<Binding> asAuthorizer = admin.family().listBindings(DemoData.LI_NA, Role.AUTHORIZER, 0, "");

    assertEquals(2, asBeneficiary.items().size(), asBeneficiary.toString());
    assertEquals(DemoData.ZHANG_WEI, asBeneficiary.items().get(0).authorizerPsnNo(), "drawing order");
    assertEquals(10_000, asBeneficiary.items().get(0).quotaFen());
    assertEquals(DemoData.WANG_XIUYING, asBeneficiary.items().get(1).authorizerPsnNo());
    assertFalse(asBeneficiary.hasNext());
    assertEquals(List.of(), asAuthorizer.items());
  }

  @Test
  void payPremium_thenUsageRecords_pageThroughThePremiums() {
    long before = admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen();

    long after2025 = admin.family().payPremium("premium-2025", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2025);
    long after2026 = admin.family().payPremium("premium-2026", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 40_000, 2026);

    assertEquals(before - 38_000, after2025);
    assertEquals(before - 78_000, after2026);
    assertEquals(after2026, admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen());

    Page<UsageRecord> first = admin.records().listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1, "");
    assertEquals(1, first.items().size());
    assertTrue(first.hasNext(), first.toString());
    Page<UsageRecord> second = admin.records().listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1,
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
      assertEquals(List.of(), admin.records().listUsageRecords(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, 0, 1,
          second.nextPageToken()).items());
    }
  }

  @Test
  void payPremium_resentWithTheSameRequestId_paysOnce() throws Exception {
    long once = admin.family().payPremiumAsync("premium-x", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2026)
        .get(10, TimeUnit.SECONDS);
    long again = admin.family().payPremium("premium-x", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 38_000, 2026);

    assertEquals(once, again);
    assertEquals(once, admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen());
  }

  @Test
  void usageRecords_ofASettledSale_showTheMutualAidDrawn() {
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      Sale sale = pos.authorize(basket(LI_NA).build());
      pos.settle(sale.transactionId());

      Page<UsageRecord> page = admin.records().listUsageRecords(DemoData.LI_NA, Role.BENEFICIARY, 0, 0, 0, "");

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

  // ---- FamilyService: quota and the wallet ----------------------------------------------------

  @Test
  void updateBindingQuota_byTheAuthorizer_setsTheNewQuota() throws Exception {
    Binding raised = admin.family().updateBindingQuota("B1", DemoData.ZHANG_WEI, 20_000);
    Binding removed = admin.family().updateBindingQuotaAsync("B1", DemoData.ZHANG_WEI, 0).get(10, TimeUnit.SECONDS);

    assertEquals("B1", raised.id());
    assertEquals(20_000, raised.quotaFen());
    assertEquals(0, removed.quotaFen());
    assertEquals(0, admin.family().listBindings(DemoData.LI_NA, Role.BENEFICIARY, 0, "").items().get(0).quotaFen());
  }

  @Test
  void updateBindingQuota_whereTheRegionAllowsNoQuota_isRefusedAsQuotaNotAllowed() {
    // B2: 王秀英 in Tianshui (620500), which allows no quotas.
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.family().updateBindingQuota("B2", DemoData.WANG_XIUYING, 5_000));

    assertEquals(RejectionReason.QUOTA_NOT_ALLOWED, e.reason());
    assertEquals("共济人参保地不允许设置共济限额", e.cashierMessage());
    assertEquals(-1, e.retryDelayMillis());
  }

  @Test
  void openWallet_twice_returnsTheSameOpenWallet() throws Exception {
    Wallet before = admin.wallets().getWallet(DemoData.LI_NA);
    Wallet opened = admin.wallets().openWallet(DemoData.LI_NA);
    Wallet again = admin.wallets().openWalletAsync(DemoData.LI_NA).get(10, TimeUnit.SECONDS);

    assertFalse(before.open(), before.toString());
    assertTrue(opened.open(), opened.toString());
    assertEquals(TestGateway.MONDAY_MORNING.toEpochMilli(), opened.openTimeMillis());
    assertEquals(opened.openTimeMillis(), again.openTimeMillis());
    assertEquals(DemoData.LI_NA, again.psnNo());
    assertEquals(0, again.availableFen());
    assertEquals(0, again.pendingFen());
    assertEquals(List.of(), again.transfers());
  }

  @Test
  void assignThenAccept_quotaBecomesSpendableInTheWallet() throws Exception {
    admin.wallets().openWallet(DemoData.LI_NA);

    WalletTransfer pending = admin.wallets().assignWalletQuota("wallet-1", DemoData.ZHANG_WEI, DemoData.LI_NA, 5_000);
    Wallet waiting = admin.wallets().getWallet(DemoData.LI_NA);
    WalletTransfer accepted = admin.wallets().acceptWalletTransferAsync(pending.id(), DemoData.LI_NA).get(10, TimeUnit.SECONDS);
    Wallet wallet = admin.wallets().getWalletAsync(DemoData.LI_NA).get(10, TimeUnit.SECONDS);

    assertTrue(pending.id().matches("W[0-9A-Z]+"), pending.id());
    assertEquals("PENDING", pending.state());
    assertEquals(DemoData.ZHANG_WEI, pending.authorizerPsnNo());
    assertEquals(DemoData.LI_NA, pending.beneficiaryPsnNo());
    assertEquals("B1", pending.bindingId());
    assertEquals(5_000, pending.amountFen());
    assertEquals(TestGateway.MONDAY_MORNING.toEpochMilli(), pending.createTimeMillis());
    assertTrue(pending.acceptDeadlineMillis() > pending.createTimeMillis(), pending.toString());
    assertEquals(5_000, waiting.pendingFen());
    assertEquals(0, waiting.availableFen());
    assertEquals("ACCEPTED", accepted.state());
    assertEquals(5_000, accepted.remainingFen());
    assertEquals(0, accepted.spentFen());
    assertEquals(5_000, wallet.availableFen());
    assertEquals(0, wallet.pendingFen());
    assertEquals(1, wallet.transfersToday());
    assertEquals(List.of(pending.id()), ids(wallet.transfers()));
    assertEquals(5_000, admin.family().listBindings(DemoData.LI_NA, Role.BENEFICIARY, 0, "").items().get(0).walletFen(),
        "the quota assigned through B1 counts on the binding");
  }

  @Test
  void assignWalletQuota_resentWithTheSameRequestId_assignsOnce() {
    admin.wallets().openWallet(DemoData.LI_NA);

    WalletTransfer once = admin.wallets().assignWalletQuota("wallet-x", DemoData.ZHANG_WEI, DemoData.LI_NA, 5_000);
    WalletTransfer again = admin.wallets().assignWalletQuota("wallet-x", DemoData.ZHANG_WEI, DemoData.LI_NA, 5_000);

    assertEquals(once.id(), again.id());
    assertEquals(5_000, admin.wallets().getWallet(DemoData.LI_NA).pendingFen());
  }

  @Test
  void declineWalletTransfer_returnsTheEarmark_andAnotherMayFollow() throws Exception {
    admin.wallets().openWallet(DemoData.LI_NA);
    long before = admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen();
    WalletTransfer first = admin.wallets().assignWalletQuota("wallet-d1", DemoData.ZHANG_WEI, DemoData.LI_NA, 3_000);
    long earmarked = admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen();

    WalletTransfer declined = admin.wallets().declineWalletTransfer(first.id(), DemoData.LI_NA);
    WalletTransfer second = admin.wallets().assignWalletQuotaAsync("wallet-d2", DemoData.ZHANG_WEI, DemoData.LI_NA, 2_000)
        .get(10, TimeUnit.SECONDS);
    WalletTransfer withdrawn = admin.wallets().declineWalletTransferAsync(second.id(), DemoData.ZHANG_WEI)
        .get(10, TimeUnit.SECONDS);

    assertEquals(before - 3_000, earmarked, "the authorizer can no longer spend the earmark");
    assertEquals("DECLINED", declined.state());
    assertEquals(0, declined.remainingFen());
    assertEquals("DECLINED", withdrawn.state(), "the authorizer withdrew it");
    assertEquals(before, admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen());
    Wallet wallet = admin.wallets().getWallet(DemoData.LI_NA);
    assertEquals(2, wallet.transfersToday(), "declined transfers count");
    assertEquals(0, wallet.availableFen() + wallet.pendingFen());
    assertEquals(List.of(), wallet.transfers());
  }

  @Test
  void listWalletTransfers_newestFirst_byRole_inPages() throws Exception {
    admin.wallets().openWallet(DemoData.LI_NA);
    WalletTransfer older = admin.wallets().assignWalletQuota("wallet-l1", DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000);
    admin.wallets().declineWalletTransfer(older.id(), DemoData.LI_NA);
    WalletTransfer newer = admin.wallets().assignWalletQuota("wallet-l2", DemoData.ZHANG_WEI, DemoData.LI_NA, 2_000);

    Page<WalletTransfer> first = admin.wallets().listWalletTransfers(DemoData.LI_NA, Role.BENEFICIARY, 1, "");
    Page<WalletTransfer> second = admin.wallets().listWalletTransfersAsync(DemoData.LI_NA, Role.BENEFICIARY, 1,
        first.nextPageToken()).get(10, TimeUnit.SECONDS);
    Page<WalletTransfer> asAuthorizer = admin.wallets().listWalletTransfers(DemoData.ZHANG_WEI, Role.AUTHORIZER, 0, "");
    Page<WalletTransfer> liNaAsAuthorizer = admin.wallets().listWalletTransfers(DemoData.LI_NA, Role.AUTHORIZER, 0, "");

    assertEquals(List.of(newer.id()), ids(first.items()));
    assertTrue(first.hasNext(), first.toString());
    assertEquals(List.of(older.id()), ids(second.items()));
    assertFalse(second.hasNext(), second.toString());
    assertEquals(List.of(newer.id(), older.id()), ids(asAuthorizer.items()));
    assertEquals(List.of("PENDING", "DECLINED"), List.of(asAuthorizer.items().get(0).state(),
        asAuthorizer.items().get(1).state()));
    assertEquals(List.of(), liNaAsAuthorizer.items());
    assertEquals(2, admin.wallets().listWalletTransfers(DemoData.ZHANG_WEI, Role.BOTH, 0, "").items().size());
  }

  @Test
  void assignWalletQuota_toAWalletNeverOpened_isRefusedAsWalletNotOpen() {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.wallets().assignWalletQuota("wallet-n", DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 1_000));

    assertEquals(RejectionReason.WALLET_NOT_OPEN, e.reason());
    assertEquals("FAILED_PRECONDITION", e.statusCode());
    assertEquals("wallet-n", e.metadata().get("request_id"));
  }

  @Test
  void assignWalletQuota_whileAnotherWaits_isRefusedAsPending() {
    admin.wallets().openWallet(DemoData.LI_NA);
    admin.wallets().assignWalletQuota("wallet-p1", DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000);

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.wallets().assignWalletQuota("wallet-p2", DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));

    assertEquals(RejectionReason.WALLET_TRANSFER_PENDING, e.reason());
  }

  @Test
  void assignWalletQuota_aboveTheNationalCapOfOneTransfer_isRefusedAsLimitExceeded() {
    admin.wallets().openWallet(DemoData.ZHANG_JIANGUO);

    CompletionException e = assertThrows(CompletionException.class, () -> admin.wallets().assignWalletQuotaAsync("wallet-big",
        DemoData.ZHANG_WEI, DemoData.ZHANG_JIANGUO, 200_001).join());

    assertEquals(RejectionReason.WALLET_TRANSFER_LIMIT_EXCEEDED, ((GongjiException) e.getCause()).reason());
  }

  @Test
  void assignWalletQuota_inTheRegionsQuietHours_isRefusedAsWindowClosed() {
    // Lanzhou as the demo has it, with transfers closed from 08:00 to 10:00; the clock says 09:00.
    RegionPolicySettings set = admin.reference().updateRegionPolicy(RegionPolicySettings.builder("620100").name("兰州市")
        .extendedRelativesAllowed(true).quotaAllowed(true).crossProvinceEnabled(true)
        .allowOptionalCategory(Item.Category.NON_PROGRAMME_VACCINE).allowOptionalCategory(Item.Category.HEALTH_CHECKUP)
        .holdTtlSeconds(1800).walletQuietHours(8, 10).build());
    admin.wallets().openWallet(DemoData.LI_NA);

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.wallets().assignWalletQuota("wallet-night", DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));

    assertEquals(List.of(8, 10), List.of(set.walletQuietFromHour(), set.walletQuietUntilHour()));
    assertEquals(RejectionReason.WALLET_TRANSFER_WINDOW_CLOSED, e.reason());
  }

  @Test
  void acceptWalletTransfer_unknownId_isRefusedAsNotFound() {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.wallets().acceptWalletTransfer("W999", DemoData.LI_NA));

    assertEquals(RejectionReason.WALLET_TRANSFER_NOT_FOUND, e.reason());
    assertEquals("NOT_FOUND", e.statusCode());
    assertEquals("W999", e.metadata().get("transfer_id"));
  }

  @Test
  void acceptWalletTransfer_badId_isTheFieldInvalid() {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.wallets().acceptWalletTransfer("B1", DemoData.LI_NA));

    assertEquals(RejectionReason.FIELD_INVALID, e.reason());
    assertTrue(e.fieldViolations().containsKey("transfer_id"), e.fieldViolations().toString());
  }

  @Test
  void walletQuota_atTheCounter_paysFirstAsAWalletLegWithItsTransferId() {
    admin.wallets().openWallet(DemoData.LI_NA);
    WalletTransfer t = admin.wallets().assignWalletQuota("wallet-sale", DemoData.ZHANG_WEI, DemoData.LI_NA, 5_000);
    admin.wallets().acceptWalletTransfer(t.id(), DemoData.LI_NA);

    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      Identity id = pos.identify(LI_NA);
      Sale sale = pos.settle(pos.authorize(basket(LI_NA).build()).transactionId());

      Identity.AidSource first = id.aidSources().get(0);
      assertEquals(t.id(), first.walletTransferId(), "wallet quota is drawn before direct mutual aid");
      assertEquals("B1", first.bindingId());
      assertEquals(5_000, first.availableFen());
      List<Leg> wallet = new ArrayList<>();
      for (Leg leg : sale.split().legs()) {
        if (leg.source() == Leg.Source.WALLET) {
          wallet.add(leg);
        } else {
          assertEquals("", leg.walletTransferId(), leg.source().toString());
        }
      }
      assertEquals(1, wallet.size(), sale.split().legs().toString());
      assertEquals(t.id(), wallet.get(0).walletTransferId());
      assertEquals("B1", wallet.get(0).bindingId());
      assertEquals(5_000, wallet.get(0).amountFen());
      assertEquals(Leg.Source.OWN_ACCOUNT, sale.split().legs().get(0).source());
      assertEquals(Leg.Source.WALLET, sale.split().legs().get(1).source(), "own account, then the wallet");
    }
    WalletTransfer spent = admin.wallets().listWalletTransfers(DemoData.LI_NA, Role.BENEFICIARY, 0, "").items().get(0);
    assertEquals(5_000, spent.spentFen());
    assertEquals(0, spent.remainingFen());
    assertEquals(0, admin.wallets().getWallet(DemoData.LI_NA).availableFen());
  }

  private static List<String> ids(List<WalletTransfer> transfers) {
    List<String> ids = new ArrayList<>();
    for (WalletTransfer t : transfers) {
      ids.add(t.id());
    }
    return ids;
  }

  // ---- AdminService ---------------------------------------------------------------------------

  @Test
  void registerInstitution_thenATerminalOfItCanCall() {
    admin.reference().registerInstitution("P62010200099", "新药房", List.of("POS09"));

    try (GongjiClient pos = GongjiClient.create(options(new Terminal("P62010200099", "POS09", "c-1")).build(),
        gateway.channelBuilder())) {
      assertEquals(DemoData.LI_NA, pos.identify(LI_NA).psnNo());
    }
  }

  @Test
  void upsertInsured_createsAPersonWhoseAccountCanBeCredited() throws Exception {
    InsuredPerson person = new InsuredPerson("62010020000101006600000006", "钱多", "EMPLOYEE_BASIC", "NORMAL",
        "620100", List.of(Credential.card("SSC-QIANDUO")));

    InsuredPerson recorded = admin.reference().upsertInsuredAsync(person).get(10, TimeUnit.SECONDS);
    Account credited = admin.accounts().creditAccountAsync("credit-qd-1", person.psnNo(), 12_345).get(10, TimeUnit.SECONDS);

    assertEquals(person.psnNo(), recorded.psnNo());
    assertEquals("EMPLOYEE_BASIC", recorded.insuranceType());
    assertEquals("NORMAL", recorded.status());
    assertEquals("620100", recorded.admdvs());
    assertEquals("SSC-QIANDUO", recorded.credentials().get(0).number());
    assertEquals(12_345, credited.balanceFen());
    assertEquals(12_345, admin.accounts().getAccount(person.psnNo()).availableFen());
  }

  @Test
  void upsertInsured_withSomeoneElsesCard_isRefused() {
    InsuredPerson thief = new InsuredPerson("62010020000101007700000007", "冒用", "EMPLOYEE_BASIC", "NORMAL",
        "620100", List.of(Credential.card("SSC-LINA")));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.reference().upsertInsured(thief));

    assertEquals(RejectionReason.CREDENTIAL_IN_USE, e.reason());
  }

  @Test
  void creditAccount_isIdempotentByRequestId() {
    long before = admin.accounts().getAccount(DemoData.ZHAO_LEI).balanceFen();

    Account once = admin.accounts().creditAccount("credit-zl-1", DemoData.ZHAO_LEI, 1_000);
    Account again = admin.accounts().creditAccount("credit-zl-1", DemoData.ZHAO_LEI, 1_000);

    assertEquals(before + 1_000, once.balanceFen());
    assertEquals(before + 1_000, again.balanceFen());
    assertEquals(DemoData.ZHAO_LEI, once.psnNo());
  }

  @Test
  void creditAccounts_appliesEachLine_andRefusesALineAlone() {
    List<CreditLine> results = admin.accounts().creditAccounts("run-2026-03", List.of(
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
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.accounts().getAccount("NOBODY1"));

    assertEquals(RejectionReason.PATIENT_NOT_FOUND, e.reason());
  }

  @Test
  void getAccount_async() throws Exception {
    Account a = admin.accounts().getAccountAsync(DemoData.ZHANG_WEI).get(10, TimeUnit.SECONDS);

    assertEquals(500_000, a.balanceFen());
    assertEquals(0, a.heldFen());
    assertEquals(500_000, a.availableFen());
  }

  @Test
  void createBinding_isActiveAtOnce() {
    Binding b = admin.family().createBinding(DemoData.ZHAO_LEI, DemoData.ZHANG_JIANGUO, "CHILD", 0);

    assertEquals("ACTIVE", b.state());
    assertEquals(DemoData.ZHAO_LEI, b.authorizerPsnNo());
    assertEquals(DemoData.ZHANG_JIANGUO, b.beneficiaryPsnNo());
    assertEquals(2, admin.family().listBindings(DemoData.ZHANG_JIANGUO, Role.BENEFICIARY, 0, "").items().size());
  }

  @Test
  void updateRegionPolicy_thenTheRegionAllowsSiblings_andGetReadsItBack() {
    RegionPolicySettings set = admin.reference().updateRegionPolicy(RegionPolicySettings.builder("620500").name("天水市")
        .retainedFloorFen(200_000).extendedRelativesAllowed(true).crossProvinceEnabled(true)
        .allowOptionalCategory(Item.Category.HEALTH_CHECKUP).holdTtlSeconds(1800).maxMutualAidUsesPerDay(3)
        .maxMutualAidFenPerDay(50_000).build());

    assertEquals("620500", set.admdvs());
    assertTrue(set.extendedRelativesAllowed());
    assertEquals(Set.of(Item.Category.HEALTH_CHECKUP), set.optionalCategoriesAllowed());
    assertEquals(3, set.maxMutualAidUsesPerDay());
    assertEquals(50_000, set.maxMutualAidFenPerDay());
    assertEquals(set.toString(), admin.reference().getRegionPolicy("620500").toString());
    assertEquals(3, set.walletMaxTransfersPerDay(), "not named: as it was (the national default)");
    assertEquals(200_000, set.walletMaxTransferFen());
    assertEquals(List.of(22, 6), List.of(set.walletQuietFromHour(), set.walletQuietUntilHour()));
    assertEquals(RegionPolicySettings.MutualAidOrder.BINDING, set.mutualAidOrder());
    assertEquals("REQUESTED",
        admin.family().requestBinding(DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, "SIBLING", "HUKOU-4", 0).state());
  }

  @Test
  void updateRegionPolicy_walletSettingsAndDrawingOrder_comeBackAsSet() {
    RegionPolicySettings set = admin.reference().updateRegionPolicy(RegionPolicySettings.builder("620900").name("酒泉市")
        .walletMaxTransfersPerDay(5).walletMaxTransferFen(50_000).walletQuietHours(23, 7)
        .mutualAidOrder(RegionPolicySettings.MutualAidOrder.CLOSEST_RELATIVE).build());

    assertEquals(5, set.walletMaxTransfersPerDay());
    assertEquals(50_000, set.walletMaxTransferFen());
    assertEquals(List.of(23, 7), List.of(set.walletQuietFromHour(), set.walletQuietUntilHour()));
    assertEquals(RegionPolicySettings.MutualAidOrder.CLOSEST_RELATIVE, set.mutualAidOrder());
  }

  @Test
  void regionPolicySettings_walletSettingsOutOfRange_areTheCallersMistake() {
    RegionPolicySettings.Builder b = RegionPolicySettings.builder("620900");

    assertThrows(IllegalArgumentException.class, () -> b.walletMaxTransfersPerDay(101));
    assertThrows(IllegalArgumentException.class, () -> b.walletMaxTransfersPerDay(0));
    assertThrows(IllegalArgumentException.class, () -> b.holdTtlSeconds(0));
    assertThrows(IllegalArgumentException.class, () -> b.walletMaxTransferFen(-1));
    assertThrows(IllegalArgumentException.class, () -> b.walletQuietHours(24, 6));
    assertThrows(IllegalArgumentException.class, () -> b.walletQuietHours(22, -1));
    assertThrows(NullPointerException.class, () -> b.mutualAidOrder(null));
  }

  @Test
  void recordDeath_thenPayOutToHeirs() {
    long balance = admin.accounts().getAccount(DemoData.ZHAO_LEI).balanceFen();

    InsuredPerson dead = admin.accounts().recordDeath(DemoData.ZHAO_LEI);
    long paid = admin.accounts().payOutToHeirs("payout-zl", DemoData.ZHAO_LEI,
        List.of(new Heir("赵一", "620102196001010011", balance - 4_000), new Heir("赵二", "620102196201010022", 4_000)));

    assertEquals("DECEASED", dead.status());
    assertEquals(balance, paid);
    assertEquals(0, admin.accounts().getAccount(DemoData.ZHAO_LEI).balanceFen());
  }

  @Test
  void payOutToHeirs_whoseSharesDoNotAddUp_isRefused() throws Exception {
    admin.accounts().recordDeathAsync(DemoData.ZHAO_LEI).get(10, TimeUnit.SECONDS);

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.accounts().payOutToHeirs("payout-bad",
        DemoData.ZHAO_LEI, List.of(new Heir("赵一", "620102196001010011", 1))));

    assertEquals(RejectionReason.PAYOUT_MISMATCH, e.reason());
  }

  @Test
  void listAlerts_showsAnImpersonation() throws Exception {
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      assertThrows(GongjiRejectedException.class, () -> pos.identify(LI_NA, DemoData.ZHAO_LEI));
    }

    Page<Alert> alerts = admin.records().listAlertsAsync(0, "").get(10, TimeUnit.SECONDS);

    assertEquals(1, alerts.items().size(), alerts.toString());
    Alert a = alerts.items().get(0);
    assertEquals("IMPERSONATION", a.kind());
    assertEquals(DemoData.PHARMACY, a.fixmedinsCode());
    assertEquals(List.of(gongji.server.domain.Masking.psnNo(DemoData.ZHAO_LEI),
        gongji.server.domain.Masking.psnNo(DemoData.LI_NA), POS.terminalId(), POS.operatorId()),
        List.of(a.claimedPsnNoMasked(), a.ownerPsnNoMasked(), a.terminalId(), a.operatorId()));
    assertFalse(alerts.hasNext());
    assertEquals(1, admin.records().listAlerts(10, "").items().size());
  }

  @Test
  void reconcile_andItsDetail_showTheDaysSettlement() throws Exception {
    Sale sale;
    try (GongjiClient pos = GongjiClient.create(options(POS).build(), gateway.channelBuilder())) {
      sale = pos.settle(pos.authorize(basket(LI_NA).build()).transactionId());
    }

    Reconciliation day = admin.records().reconcile(DemoData.PHARMACY, TODAY);
    Page<ReconcileLine> detail = admin.records().listReconcileDetailsAsync(DemoData.PHARMACY, TODAY, 0, "")
        .get(10, TimeUnit.SECONDS);

    assertEquals(DemoData.PHARMACY, day.fixmedinsCode());
    assertEquals(TODAY, day.date());
    assertEquals(1, day.settlements().count());
    assertEquals(sale.split().totalFen(), day.settlements().totalFen());
    assertEquals(sale.split().accountPayFen(), day.settlements().accountPayFen());
    assertEquals(sale.split().mutualAidPayFen(), day.settlements().mutualAidPayFen());
    assertEquals(sale.split().cashPayFen(), day.settlements().cashPayFen());
    assertEquals(0, day.refunds().count());
    assertEquals(1, day.groups().size(), day.toString());
    Reconciliation.GroupTotals group = day.groups().get(0);
    ReconcileGroup g = group.group();
    assertEquals(List.of("310", "41", "620100"), List.of(g.insutype(), g.clrType(), g.setlOptins()));
    assertEquals(day.settlements().toString(), group.settlements().toString());
    assertEquals(0, group.refunds().count());
    assertEquals(1, detail.items().size(), detail.toString());
    ReconcileLine line = detail.items().get(0);
    assertEquals(sale.transactionId(), line.transactionId());
    assertEquals("SETTLED", line.kind());
    assertEquals(g, line.group());
    assertEquals("310/41/620100", line.group().toString());
    assertEquals(sale.split().totalFen(), line.totalFen());
    assertEquals(0, admin.records().reconcileAsync(DemoData.HOSPITAL, TODAY).get(10, TimeUnit.SECONDS).settlements().count());
    assertEquals(List.of(), admin.records().listReconcileDetails(DemoData.HOSPITAL, TODAY, 10, "").items());
    assertEquals(List.of(line.transactionId()), transactionIds(admin.records().listAllReconcileDetails(DemoData.PHARMACY, TODAY,
        ReconcileGroup.of("310", "41", ""))));
    assertEquals(List.of(), transactionIds(admin.records().listAllReconcileDetails(DemoData.PHARMACY, TODAY,
        ReconcileGroup.of("390", "", ""))));
    assertEquals(List.of(), admin.records().listReconcileDetails(DemoData.PHARMACY, TODAY, ReconcileGroup.of("", "", "350100"),
        10, "").items());
  }

  private static List<String> transactionIds(Iterable<ReconcileLine> lines) {
    List<String> ids = new java.util.ArrayList<>();
    lines.forEach(l -> ids.add(l.transactionId()));
    return ids;
  }

  @Test
  void close_thenCalls_throwIllegalState() {
    admin.close();
    admin.close();

    assertThrows(IllegalStateException.class, () -> admin.accounts().getAccount(DemoData.ZHANG_WEI));
  }
}
