package gongji.server.grpc;

import gongji.server.testing.InProcessGateway;
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
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static gongji.v1.WalletTransferState.WALLET_TRANSFER_STATE_ACCEPTED;
import static gongji.v1.WalletTransferState.WALLET_TRANSFER_STATE_DECLINED;
import static gongji.v1.WalletTransferState.WALLET_TRANSFER_STATE_ENDED;
import static gongji.v1.WalletTransferState.WALLET_TRANSFER_STATE_PENDING;
import static gongji.v1.WalletTransferState.WALLET_TRANSFER_STATE_RETURNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.Refusal;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.OpenWalletRequest;
import gongji.v1.SettleResponse;
import gongji.v1.Wallet;
import gongji.v1.WalletTransfer;
import io.grpc.Status.Code;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The medical-insurance wallet (医保钱包), one scenario per rule of DOMAIN.md: quota is an earmark
 * on the authorizer's account, the transfer limits of the authorizer's region (3 a day, 2,000 yuan
 * each, none from 22:00 to 06:00), acceptance and the return of unaccepted quota by 06:00, spending
 * across provinces, and what the end of the relationship does. The clock starts on Monday
 * 2026-03-02 at 09:00 Beijing time.
 */
class FamilyWalletScenarioTest extends FamilyScenarioSupport {
  private static final ZoneOffset BEIJING = ZoneOffset.ofHours(8);
  private final AtomicInteger requests = new AtomicInteger();

  // ---- opening the wallet ----------------------------------------------------------------------

  @Test
  void openWallet_insuredPerson_opensOnceAndStaysOpen() throws Exception {
    resident("P1", LANZHOU);

    Wallet before = gw.family().getWallet(GetWalletRequest.newBuilder().setPsnNo("P1").build());
    Wallet opened = open("P1");
    gw.clock().advance(Duration.ofHours(1));
    Wallet again = open("P1");

    assertFalse(before.getOpen());
    assertTrue(opened.getOpen());
    assertEquals(opened.getOpenTime(), again.getOpenTime(), "opening an open wallet changes nothing");
    assertFalse(before.hasOpenTime(), "no time while not open");
    assertEquals(List.of(0L, 0L), List.of(again.getAvailableFen(), again.getPendingFen()));
  }

  @Test
  void openWallet_unknownOrNotInNormalStatus_refused() throws Exception {
    resident("P1", LANZHOU);
    gw.status("P1", gongji.v1.InsuredStatus.INSURED_STATUS_SUSPENDED);

    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND", () -> open("NOBODY"));
    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE", () -> open("P1"));
  }

  @Test
  void assignWalletQuota_beneficiaryWalletNotOpen_refused() throws Exception {
    family();

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_NOT_OPEN", () -> assign("A1", "P1", 10_000));

    assertTrue(r.message().contains("P1"), r.message());
    assertAccount("A1", 500_000, 0);
  }

  @Test
  void assignWalletQuota_withoutAnActiveBinding_refused() throws Exception {
    employee("A1", LANZHOU, 500_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    open("P1");
    open("P2");
    gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0); // not yet verified
    String dissolved = gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    gw.dissolve(dissolved, "P2");

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> assign("A1", "P1", 10_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ACTIVE", () -> assign("A1", "P2", 10_000));
    assertAccount("A1", 500_000, 0);
  }

  // ---- the earmark ----------------------------------------------------------------------------

  @Test
  void assignWalletQuota_earmarksTheAuthorizersAccount_noMoneyMoves() throws Exception {
    family();
    open("P1");

    WalletTransfer t = assign("A1", "P1", 150_000);

    assertEquals(WALLET_TRANSFER_STATE_PENDING, t.getState());
    assertAccount("A1", 500_000, 150_000);
    Wallet w = wallet("P1");
    assertEquals(List.of(0L, 150_000L), List.of(w.getAvailableFen(), w.getPendingFen()));
    assertEquals(150_000, bindingOf("A1", t.getBindingId()).getWalletFen());
  }

  @Test
  void assignWalletQuota_earmarkedQuota_theAuthorizerCannotSpendItThemselves() throws Exception {
    family();
    open("P1");
    assign("A1", "P1", 200_000);

    SettleResponse own = buy("A1-SALE", "A1", item(ITEM_CATEGORY_DRUG, 400_000));

    assertSplit(own.getBreakdown(), 400_000, 300_000, 0, 100_000);
    assertAccount("A1", 200_000, 200_000);
  }

  @Test
  void assignWalletQuota_sameRequestIdResent_assignsOnce() throws Exception {
    family();
    open("P1");
    AssignWalletQuotaRequest req = assignRequest("A1", "P1", 50_000);

    WalletTransfer first = gw.family().assignWalletQuota(req);
    WalletTransfer again = gw.family().assignWalletQuota(req);

    assertEquals(first, again);
    assertAccount("A1", 500_000, 50_000);
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED",
        () -> gw.family().assignWalletQuota(req.toBuilder().setAmountFen(60_000).build()));
  }

  @Test
  void assignWalletQuota_aboveWhatTheAuthorizerCanShare_refused() throws Exception {
    employee("T1", TIANSHUI, 300_000); // 2,000 yuan floor: 1,000 yuan can be shared
    resident("P1", LANZHOU);
    gw.bind("T1", "P1", RELATIONSHIP_PARENT, 0);
    open("P1");

    Refusal.expect(Code.FAILED_PRECONDITION, "SHAREABLE_BALANCE_EXCEEDED", () -> assign("T1", "P1", 100_001));
    assign("T1", "P1", 100_000);

    assertAccount("T1", 300_000, 100_000);
  }

  @Test
  void assignWalletQuota_countsAgainstTheBindingQuota() throws Exception {
    employee("A1", LANZHOU, 500_000);
    resident("P1", LANZHOU);
    String b = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 100_000);
    open("P1");

    Refusal.expect(Code.FAILED_PRECONDITION, "SHAREABLE_BALANCE_EXCEEDED", () -> assign("A1", "P1", 100_001));
    accept(assign("A1", "P1", 80_000));
    SettleResponse sale = buy("S1", "P1", item(ITEM_CATEGORY_DRUG, 150_000));

    // 800 yuan from the wallet, then the binding pays only the 200 yuan left of its quota.
    assertEquals(List.of("WALLET " + b + " 80000", "MUTUAL_AID " + b + " 20000", "CASH 50000"),
        legs(sale.getBreakdown()));
    assertEquals(List.of(20_000L, 80_000L), List.of(bindingOf("A1", b).getUsedFen(), bindingOf("A1", b).getWalletFen()));
  }

  // ---- transfer limits ------------------------------------------------------------------------

  @Test
  void assignWalletQuota_aboveTwoThousandYuan_refused() throws Exception {
    family();
    open("P1");

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_LIMIT_EXCEEDED",
        () -> assign("A1", "P1", 200_001));

    assertTrue(r.message().contains("200000"), r.message());
    assertEquals(200_000, assign("A1", "P1", 200_000).getAmountFen());
  }

  @Test
  void assignWalletQuota_fourthTransferIntoOneWalletInADay_refusedUntilTomorrow() throws Exception {
    family();
    employee("A2", LANZHOU, 500_000);
    gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);
    open("P1");
    accept(assign("A1", "P1", 1_000));
    accept(assign("A2", "P1", 1_000));
    decline(assign("A1", "P1", 1_000), "P1"); // a declined transfer counts too

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_LIMIT_EXCEEDED", () -> assign("A2", "P1", 1_000));

    assertTrue(r.message().contains("3"), r.message());
    assertEquals(3, wallet("P1").getTransfersToday());
    at("2026-03-03T09:00");
    assertEquals(WALLET_TRANSFER_STATE_PENDING, assign("A2", "P1", 1_000).getState());
  }

  @Test
  void assignWalletQuota_betweenTenAtNightAndSixInTheMorning_refused() throws Exception {
    family();
    open("P1");

    at("2026-03-02T21:59");
    accept(assign("A1", "P1", 1_000));
    at("2026-03-02T22:00");
    Refusal night = Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_WINDOW_CLOSED", () -> assign("A1", "P1", 1_000));
    at("2026-03-03T05:59");
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_WINDOW_CLOSED", () -> assign("A1", "P1", 1_000));
    at("2026-03-03T06:00");

    assertTrue(night.message().contains("06:00"), night.message());
    assertEquals(WALLET_TRANSFER_STATE_PENDING, assign("A1", "P1", 1_000).getState());
  }

  @Test
  void assignWalletQuota_pendingTransfer_blocksAnotherToTheSamePerson() throws Exception {
    family();
    employee("A2", LANZHOU, 500_000);
    gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);
    resident("P2", LANZHOU);
    gw.bind("A1", "P2", RELATIONSHIP_PARENT, 0);
    open("P1");
    open("P2");
    WalletTransfer pending = assign("A1", "P1", 10_000);

    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_PENDING", () -> assign("A1", "P1", 10_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_PENDING", () -> assign("A2", "P1", 10_000));
    assertEquals(WALLET_TRANSFER_STATE_PENDING, assign("A1", "P2", 10_000).getState(), "another person is not blocked");

    accept(pending);
    assertEquals(WALLET_TRANSFER_STATE_PENDING, assign("A2", "P1", 10_000).getState());
  }

  @Test
  void assignWalletQuota_regionSettings_replaceTheNationalDefaults() throws Exception {
    gw.policy(policy(FUZHOU).setName("福州市").setWalletMaxTransfersPerDay(1).setWalletMaxTransferFen(50_000)
        .setWalletQuietFromHour(20).setWalletQuietUntilHour(8).build());
    employee("F1", FUZHOU, 500_000);
    resident("P1", LANZHOU);
    gw.bind("F1", "P1", RELATIONSHIP_PARENT, 0);
    open("P1");

    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_LIMIT_EXCEEDED", () -> assign("F1", "P1", 50_001));
    accept(assign("F1", "P1", 50_000));
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_LIMIT_EXCEEDED", () -> assign("F1", "P1", 1_000));
    at("2026-03-03T07:30");
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_WINDOW_CLOSED", () -> assign("F1", "P1", 1_000));
    at("2026-03-03T08:00");
    WalletTransfer t = assign("F1", "P1", 1_000);

    assertEquals(epoch("2026-03-04T08:00"), InProcessGateway.millis(t.getAcceptDeadline()), "returns at the region's hour");
  }

  // ---- acceptance and return ------------------------------------------------------------------

  @Test
  void walletTransfer_notAcceptedBySixTheNextMorning_returnsToTheAuthorizer() throws Exception {
    family();
    open("P1");
    WalletTransfer t = assign("A1", "P1", 100_000);
    assertEquals(epoch("2026-03-03T06:00"), InProcessGateway.millis(t.getAcceptDeadline()));

    at("2026-03-03T05:59");
    assertAccount("A1", 500_000, 100_000);
    at("2026-03-03T06:00");

    assertAccount("A1", 500_000, 0);
    WalletTransfer returned = transfers("A1", BINDING_ROLE_AUTHORIZER).get(0);
    assertEquals(WALLET_TRANSFER_STATE_RETURNED, returned.getState());
    assertEquals(0, returned.getRemainingFen());
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_STATE_CONFLICT", () -> accept(t));
    assertEquals(0, bindingOf("A1", t.getBindingId()).getWalletFen());
  }

  @Test
  void acceptWalletTransfer_onlyTheBeneficiary_andAcceptingTwiceChangesNothing() throws Exception {
    family();
    open("P1");
    WalletTransfer t = assign("A1", "P1", 100_000);

    Refusal.expect(Code.FAILED_PRECONDITION, "NOT_A_PARTY", () -> answer(t, "A1", true));
    Refusal.expect(Code.NOT_FOUND, "WALLET_TRANSFER_NOT_FOUND",
        () -> gw.family().acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId("W99")
            .setByPsnNo("P1").build()));
    WalletTransfer accepted = accept(t);
    WalletTransfer again = accept(t);

    assertEquals(WALLET_TRANSFER_STATE_ACCEPTED, accepted.getState());
    assertEquals(accepted, again);
    assertEquals(List.of(100_000L, 0L), List.of(wallet("P1").getAvailableFen(), wallet("P1").getPendingFen()));
    assertAccount("A1", 500_000, 100_000);
    at("2026-03-04T09:00");
    assertAccount("A1", 500_000, 100_000); // accepted quota does not return by itself
  }

  @Test
  void declineWalletTransfer_byTheBeneficiaryOrWithdrawnByTheAuthorizer_releasesTheEarmark() throws Exception {
    family();
    open("P1");

    WalletTransfer declined = decline(assign("A1", "P1", 10_000), "P1");
    WalletTransfer withdrawn = decline(assign("A1", "P1", 20_000), "A1");

    assertEquals(WALLET_TRANSFER_STATE_DECLINED, declined.getState());
    assertEquals(WALLET_TRANSFER_STATE_DECLINED, withdrawn.getState());
    assertTrue(withdrawn.getEndReason().contains("authorizer"), withdrawn.getEndReason());
    assertAccount("A1", 500_000, 0);
    Refusal.expect(Code.FAILED_PRECONDITION, "WALLET_TRANSFER_STATE_CONFLICT", () -> accept(declined));
  }

  // ---- spending -------------------------------------------------------------------------------

  @Test
  void settle_walletQuota_paysAfterTheOwnAccountAndBeforeDirectMutualAid() throws Exception {
    employee("A1", LANZHOU, 500_000);
    employee("A2", LANZHOU, 500_000);
    employee("P1", LANZHOU, 10_000);
    String direct = gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    String viaWallet = gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);
    open("P1");
    WalletTransfer t = accept(assign("A2", "P1", 30_000));

    SettleResponse sale = buy("S1", "P1", item(ITEM_CATEGORY_DRUG, 60_000), item(ITEM_CATEGORY_COSMETICS, 5_000));

    assertEquals(List.of("OWN_ACCOUNT 10000", "WALLET " + viaWallet + " 30000", "MUTUAL_AID " + direct + " 20000",
        "CASH 5000"), legs(sale.getBreakdown()));
    assertEquals(t.getTransferId(), sale.getBreakdown().getLegs(1).getWalletTransferId());
    assertSplit(sale.getBreakdown(), 65_000, 10_000, 50_000, 5_000);
    assertAccount("A2", 470_000, 0);
    Wallet w = wallet("P1");
    assertEquals(0, w.getAvailableFen());
    assertEquals(List.of("SETTLED A1->P1 " + direct + " 20000", "SETTLED A2->P1 " + viaWallet + " 30000"),
        usage("P1", BINDING_ROLE_BENEFICIARY).stream().sorted().toList());
  }

  @Test
  void authorize_walletQuotaHeldBySale_isNotSpendableTwice_andCancelPutsItBack() throws Exception {
    family();
    open("P1");
    WalletTransfer t = accept(assign("A1", "P1", 30_000));

    AuthorizeResponse first = authorizeAt("S1", "P1", item(ITEM_CATEGORY_DRUG, 20_000));
    assertEquals(10_000, wallet("P1").getAvailableFen());
    gw.settlement().cancel(cancel("S1-C", POS, first.getTransactionId()));

    assertEquals(30_000, wallet("P1").getAvailableFen());
    assertAccount("A1", 500_000, 30_000);
    assertEquals(30_000, transfers("P1", BINDING_ROLE_BENEFICIARY).get(0).getRemainingFen());
    assertEquals(t.getTransferId(), transfers("P1", BINDING_ROLE_BENEFICIARY).get(0).getTransferId());
  }

  @Test
  void settle_walletQuotaAcrossProvinces_onlyWhenBothRegionsEnableIt() throws Exception {
    employee("A1", LANZHOU, 500_000);
    employee("J1", JIUQUAN, 500_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    gw.bind("J1", "P2", RELATIONSHIP_PARENT, 0);
    open("P1");
    open("P2");
    accept(assign("A1", "P1", 50_000));
    accept(assign("J1", "P2", 50_000));

    SettleResponse fuzhou = buyAt(FUZHOU_POS, "S1", "P1", item(ITEM_CATEGORY_DRUG, 20_000));
    SettleResponse shenzhen = buyAt(SHENZHEN_POS, "S2", "P1", item(ITEM_CATEGORY_DRUG, 20_000));
    SettleResponse fromJiuquan = buyAt(FUZHOU_POS, "S3", "P2", item(ITEM_CATEGORY_DRUG, 20_000));
    SettleResponse jiuquanAtHome = buy("S4", "P2", item(ITEM_CATEGORY_DRUG, 20_000));

    assertSplit(fuzhou.getBreakdown(), 20_000, 0, 20_000, 0);
    assertSplit(shenzhen.getBreakdown(), 20_000, 0, 0, 20_000);
    assertSplit(fromJiuquan.getBreakdown(), 20_000, 0, 0, 20_000);
    assertSplit(jiuquanAtHome.getBreakdown(), 20_000, 0, 20_000, 0);
  }

  @Test
  void settle_walletQuota_neverPaysForbiddenCategories() throws Exception {
    family();
    open("P1");
    accept(assign("A1", "P1", 50_000));

    SettleResponse sale = buy("S1", "P1", item(ITEM_CATEGORY_COSMETICS, 10_000));

    assertSplit(sale.getBreakdown(), 10_000, 0, 0, 10_000);
    assertEquals(50_000, wallet("P1").getAvailableFen());
  }

  @Test
  void identify_showsWalletQuotaFirst() throws Exception {
    family();
    open("P1");
    WalletTransfer t = accept(assign("A1", "P1", 50_000));

    var who = gw.settlement().identify(identify(POS, cardOf("P1")));

    assertEquals(List.of(t.getBindingId() + " 50000", t.getBindingId() + " 450000"), sources(who));
    assertEquals(t.getTransferId(), who.getMutualAidSources(0).getWalletTransferId());
    assertEquals("", who.getMutualAidSources(1).getWalletTransferId());
  }

  @Test
  void refund_ofAWalletSale_returnsTheQuotaToTheWallet() throws Exception {
    family();
    open("P1");
    accept(assign("A1", "P1", 50_000));
    SettleResponse sale = buy("S1", "P1", item(ITEM_CATEGORY_DRUG, 20_000));

    gw.settlement().refund(refund("S1-R", POS, sale.getTransactionId()));

    assertEquals(50_000, wallet("P1").getAvailableFen());
    assertAccount("A1", 500_000, 50_000);
  }

  // ---- the end of the relationship ------------------------------------------------------------

  @Test
  void dissolve_unspentWalletQuotaReturns_whatAnOpenSaleHoldsReturnsWhenItCloses() throws Exception {
    family();
    open("P1");
    WalletTransfer t = accept(assign("A1", "P1", 100_000));
    buy("S1", "P1", item(ITEM_CATEGORY_DRUG, 30_000));
    AuthorizeResponse open = authorizeAt("S2", "P1", item(ITEM_CATEGORY_DRUG, 20_000));

    gw.dissolve(t.getBindingId(), "P1");

    WalletTransfer ended = transfers("P1", BINDING_ROLE_BENEFICIARY).get(0);
    assertEquals(WALLET_TRANSFER_STATE_ENDED, ended.getState());
    assertEquals(List.of(0L, 30_000L), List.of(ended.getRemainingFen(), ended.getSpentFen()));
    assertAccount("A1", 470_000, 20_000); // 500 yuan returned; 200 yuan still held by the open sale
    assertEquals(0, wallet("P1").getAvailableFen());
    gw.settlement().cancel(cancel("S2-C", POS, open.getTransactionId()));
    assertAccount("A1", 470_000, 0);
    assertEquals(30_000, bindingOf("A1", t.getBindingId()).getWalletFen());
  }

  @Test
  void dissolve_pendingTransfer_endsAndReturns() throws Exception {
    family();
    open("P1");
    WalletTransfer t = assign("A1", "P1", 100_000);

    gw.dissolve(t.getBindingId(), "A1");

    assertEquals(WALLET_TRANSFER_STATE_ENDED, transfers("A1", BINDING_ROLE_AUTHORIZER).get(0).getState());
    assertAccount("A1", 500_000, 0);
  }

  @Test
  void refund_afterTheRelationshipEnded_returnsToTheAuthorizerNotTheWallet() throws Exception {
    family();
    open("P1");
    WalletTransfer t = accept(assign("A1", "P1", 100_000));
    SettleResponse sale = buy("S1", "P1", item(ITEM_CATEGORY_DRUG, 30_000));
    gw.dissolve(t.getBindingId(), "A1");

    gw.settlement().refund(refund("S1-R", POS, sale.getTransactionId()));

    assertAccount("A1", 500_000, 0);
    assertEquals(0, wallet("P1").getAvailableFen());
    assertEquals(0, bindingOf("A1", t.getBindingId()).getWalletFen());
  }

  @Test
  void lifeEvents_authorizerMovesOrDies_walletQuotaReturns() throws Exception {
    family();
    employee("A2", LANZHOU, 500_000);
    gw.bind("A2", "P1", RELATIONSHIP_SPOUSE, 0);
    open("P1");
    accept(assign("A1", "P1", 100_000));
    accept(assign("A2", "P1", 50_000));

    gw.move("A1", FUZHOU);
    gw.recordDeath("A2");

    assertAccount("A1", 500_000, 0);
    assertAccount("A2", 500_000, 0);
    assertEquals(List.of(WALLET_TRANSFER_STATE_ENDED, WALLET_TRANSFER_STATE_ENDED),
        transfers("P1", BINDING_ROLE_BENEFICIARY).stream().map(WalletTransfer::getState).toList());
    assertEquals(0, wallet("P1").getAvailableFen());
  }

  @Test
  void listWalletTransfers_newestFirst_byRole() throws Exception {
    family();
    resident("P2", LANZHOU);
    gw.bind("A1", "P2", RELATIONSHIP_CHILD, 0);
    open("P1");
    open("P2");
    WalletTransfer first = accept(assign("A1", "P1", 1_000));
    WalletTransfer second = assign("A1", "P2", 2_000);

    assertEquals(List.of(second.getTransferId(), first.getTransferId()),
        transfers("A1", BINDING_ROLE_AUTHORIZER).stream().map(WalletTransfer::getTransferId).toList());
    assertEquals(List.of(first.getTransferId()),
        transfers("P1", BINDING_ROLE_EITHER).stream().map(WalletTransfer::getTransferId).toList());
    assertEquals(List.of(), transfers("P1", BINDING_ROLE_AUTHORIZER));
  }

  @Test
  void listWalletTransfers_pageByPage_bothRolesMergedNewestFirst() throws Exception {
    family();
    employee("A2", LANZHOU, 500_000);
    gw.bind("A1", "A2", RELATIONSHIP_SPOUSE, 0);
    gw.bind("A2", "A1", RELATIONSHIP_SPOUSE, 0);
    open("P1");
    open("A1");
    open("A2");
    String w1 = accept(assign("A1", "P1", 1_000)).getTransferId();
    String w2 = accept(assign("A2", "A1", 2_000)).getTransferId();
    String w3 = accept(assign("A1", "A2", 3_000)).getTransferId();
    String w4 = accept(assign("A2", "A1", 4_000)).getTransferId();

    List<String> seen = new java.util.ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      var page = gw.family().listWalletTransfers(ListWalletTransfersRequest.newBuilder().setPsnNo("A1")
          .setRole(BINDING_ROLE_EITHER).setPageSize(1).setPageToken(token).build());
      page.getTransfersList().forEach(t -> seen.add(t.getTransferId()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertEquals(List.of(w4, w3, w2, w1), seen);
    assertEquals(4, pages, "no empty last page");
  }

  @Test
  void listWalletTransfers_transfersMadeBetweenPages_nextPageGoesOnBelowTheLastOneShown() throws Exception {
    family();
    employee("A2", LANZHOU, 500_000);
    gw.bind("A1", "A2", RELATIONSHIP_SPOUSE, 0);
    open("P1");
    open("A2");
    String w1 = accept(assign("A1", "P1", 1_000)).getTransferId();
    String w2 = accept(assign("A1", "A2", 2_000)).getTransferId();
    String w3 = accept(assign("A1", "P1", 3_000)).getTransferId();
    ListWalletTransfersRequest list = ListWalletTransfersRequest.newBuilder().setPsnNo("A1")
        .setRole(BINDING_ROLE_AUTHORIZER).setPageSize(2).build();
    var first = gw.family().listWalletTransfers(list);

    // Newest first: new transfers land at the head, before the page's position.
    accept(assign("A1", "A2", 4_000));
    accept(assign("A1", "P1", 5_000));
    var second = gw.family().listWalletTransfers(list.toBuilder().setPageToken(first.getNextPageToken()).build());

    assertEquals(List.of(w3, w2), first.getTransfersList().stream().map(WalletTransfer::getTransferId).toList());
    assertEquals(List.of(w1), second.getTransfersList().stream().map(WalletTransfer::getTransferId).toList(),
        "with an offset the second page would show " + w2 + " again");
    assertTrue(second.getNextPageToken().isEmpty());
  }

  @Test
  void listWalletTransfers_alteredOrForeignPageToken_invalidArgumentNamingPageToken() throws Exception {
    family();
    open("P1");
    accept(assign("A1", "P1", 1_000));
    accept(assign("A1", "P1", 2_000));
    ListWalletTransfersRequest list = ListWalletTransfersRequest.newBuilder().setPsnNo("A1")
        .setRole(BINDING_ROLE_AUTHORIZER).setPageSize(1).build();
    String token = gw.family().listWalletTransfers(list).getNextPageToken();
    char[] altered = token.toCharArray();
    altered[3] = altered[3] == 'A' ? 'B' : 'A';

    for (String bad : List.of(new String(altered), token + "A", token.substring(1), "bm90LWEtdG9rZW4", "%%%")) {
      Refusal.of(() -> gw.family().listWalletTransfers(list.toBuilder().setPageToken(bad).build()))
          .assertFieldInvalid("page_token");
    }
    Refusal.of(() -> gw.family().listWalletTransfers(list.toBuilder().setPsnNo("P1").setPageToken(token).build()))
        .assertFieldInvalid("page_token");
    assertEquals(1, gw.family().listWalletTransfers(list.toBuilder().setPageToken(token).build()).getTransfersCount());
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** A1 (Lanzhou employee, 5,000 yuan) with an active binding to P1 (Lanzhou resident, their parent). */
  private void family() {
    employee("A1", LANZHOU, 500_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
  }

  private Wallet open(String psnNo) {
    return gw.family().openWallet(OpenWalletRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(psnNo).build());
  }

  private Wallet wallet(String psnNo) {
    return gw.family().getWallet(GetWalletRequest.newBuilder().setPsnNo(psnNo).build());
  }

  private AssignWalletQuotaRequest assignRequest(String from, String to, long amountFen) {
    return AssignWalletQuotaRequest.newBuilder().setRequestId("WQ-" + requests.incrementAndGet())
        .setAuthorizerPsnNo(from).setBeneficiaryPsnNo(to).setAmountFen(amountFen).build();
  }

  private WalletTransfer assign(String from, String to, long amountFen) {
    return gw.family().assignWalletQuota(assignRequest(from, to, amountFen));
  }

  private WalletTransfer accept(WalletTransfer t) {
    return answer(t, t.getBeneficiaryPsnNo(), true);
  }

  private WalletTransfer decline(WalletTransfer t, String by) {
    return answer(t, by, false);
  }

  private WalletTransfer answer(WalletTransfer t, String by, boolean accept) {
    return accept
        ? gw.family().acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId(t.getTransferId())
            .setByPsnNo(by).build())
        : gw.family().declineWalletTransfer(DeclineWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId(t.getTransferId())
            .setByPsnNo(by).build());
  }

  private List<WalletTransfer> transfers(String psnNo, gongji.v1.BindingRole role) {
    return gw.family().listWalletTransfers(ListWalletTransfersRequest.newBuilder().setPsnNo(psnNo).setRole(role)
        .setPageSize(1000).build()).getTransfersList();
  }

  private static long epoch(String beijingTime) {
    return LocalDateTime.parse(beijingTime).toInstant(BEIJING).toEpochMilli();
  }

  /** Moves the clock forward to a Beijing time and lets the ledger see it. */
  private void at(String beijingTime) throws Exception {
    long target = epoch(beijingTime);
    long now = gw.clock().millis();
    assertTrue(target >= now, "the clock does not go back: " + Instant.ofEpochMilli(now));
    gw.clock().advance(Duration.ofMillis(target - now));
    gw.audit(); // any command: the ledger applies what came due (holds, unaccepted transfers) first
  }
}
