package gongji.server.grpc;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.byRequestId;
import static gongji.server.testing.Sales.byTransactionId;
import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.reverse;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_COSMETICS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DAILY_GOODS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_FITNESS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_MEDICAL_SERVICE;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_PUBLIC_HEALTH;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_WELLNESS;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static gongji.v1.TransactionState.TRANSACTION_STATE_AUTHORIZED;
import static gongji.v1.TransactionState.TRANSACTION_STATE_CANCELLED;
import static gongji.v1.TransactionState.TRANSACTION_STATE_EXPIRED;
import static gongji.v1.TransactionState.TRANSACTION_STATE_REFUNDED;
import static gongji.v1.TransactionState.TRANSACTION_STATE_SETTLED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Masking;
import gongji.server.ledger.Result;
import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Refusal;
import gongji.v1.Account;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.CancelResponse;
import gongji.v1.Credential;
import gongji.v1.GetTransactionResponse;
import gongji.v1.IdentifyRequest;
import gongji.v1.IdentifyResponse;
import gongji.v1.InsuranceType;
import gongji.v1.InsuredStatus;
import gongji.v1.MutualAidSource;
import gongji.v1.PaymentLeg;
import gongji.v1.RefundResponse;
import gongji.v1.RequestKind;
import gongji.v1.ReverseResponse;
import gongji.v1.ReversalOutcome;
import gongji.v1.SettleResponse;
import gongji.v1.Terminal;
import gongji.v1.Transaction;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The domain rules of the settlement service, one test per rule, through the real gRPC service on
 * an in-process server. Every test ends with a ledger audit (money conserved, holds consistent).
 */
class SettlementGrpcServiceTest {
  private static final String LANZHOU = "620100";
  private static final String TIANSHUI = "620500";
  private static final String FUZHOU = "350100";
  private static final String PHARMACY = "P62010200017";
  private static final String HOSPITAL = "H62010200001";
  private static final Terminal POS = terminal(PHARMACY, "POS01");
  private static final Terminal HIS = terminal(HOSPITAL, "HIS01");
  private static final long HOLD_TTL_SECONDS = 1800;

  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
    // Lanzhou: no floor, quotas allowed, vaccines payable. Tianshui: 2,000 yuan floor, no quotas.
    // Fuzhou: the national baseline, no optional categories.
    gw.region(LANZHOU, 0, true, (int) HOLD_TTL_SECONDS, ITEM_CATEGORY_NON_PROGRAMME_VACCINE);
    gw.region(TIANSHUI, 200_000, false, (int) HOLD_TTL_SECONDS);
    gw.region(FUZHOU, 0, true, (int) HOLD_TTL_SECONDS);
    gw.institution(PHARMACY, "POS01", "POS02");
    gw.institution(HOSPITAL, "HIS01");
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit(), "ledger audit after the test");
    } finally {
      gw.close();
    }
  }

  // ---- who pays what --------------------------------------------------------------------------

  @Test
  void authorize_ownAccountShort_drawsOnFamilyInBindingOrder() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 2_000);
    employee("PSN0003", "王秀英", LANZHOU, 5_000);
    // Bound first is the poorer one: the order is the binding order, not the size of the balance.
    String first = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    String second = gw.bind("PSN0003", "PSN0001", RELATIONSHIP_CHILD, 0);

    AuthorizeResponse r = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 5_000), item(ITEM_CATEGORY_MEDICAL_SERVICE, 1_000),
        item(ITEM_CATEGORY_DRUG, 700, false)).build());

    assertEquals(TRANSACTION_STATE_AUTHORIZED, r.getState());
    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + first + " 2000", "MUTUAL_AID " + second + " 3000",
        "CASH 700"), legs(r.getBreakdown()));
    assertSplit(r.getBreakdown(), 6_700, 6_000, 1_000, 5_000, 700);
    assertEquals(0, r.getBreakdown().getBalanceAfterFen());
    assertAccount("PSN0001", 1_000, 1_000);
    assertAccount("PSN0002", 2_000, 2_000);
    assertAccount("PSN0003", 5_000, 3_000);
  }

  @Test
  void authorize_ownAccountEnough_drawsOnNobodyElse() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    employee("PSN0002", "张伟", LANZHOU, 10_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);

    AuthorizeResponse r = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 4_000)).build());

    assertEquals(List.of("OWN_ACCOUNT 4000"), legs(r.getBreakdown()));
    assertEquals(6_000, r.getBreakdown().getBalanceAfterFen());
    assertAccount("PSN0002", 10_000, 0);
  }

  @Test
  void authorize_retainedFloor_sharesOnlyTheExcess() {
    employee("PSN0001", "王秀英", TIANSHUI, 250_000);
    resident("PSN0002", "李娜", LANZHOU);
    String binding = gw.bind("PSN0001", "PSN0002", RELATIONSHIP_CHILD, 0);

    assertEquals(List.of(binding + " 50000"), sources(gw.settlement().identify(identify(POS, cardOf("PSN0002")))));
    AuthorizeResponse r = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 80_000)).build());

    assertEquals(List.of("MUTUAL_AID " + binding + " 50000", "CASH 30000"), legs(r.getBreakdown()));
    assertAccount("PSN0001", 250_000, 50_000);
    // At the floor, nothing more is shared.
    AuthorizeResponse more = gw.settlement().authorize(
        authorize("A-2", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 100)).build());
    assertEquals(List.of("CASH 100"), legs(more.getBreakdown()));
  }

  @Test
  void authorize_authorizerOwnPurchase_mayUseTheRetainedFloor() {
    employee("PSN0001", "王秀英", TIANSHUI, 250_000);

    AuthorizeResponse r = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 240_000)).build());

    assertEquals(List.of("OWN_ACCOUNT 240000"), legs(r.getBreakdown()));
  }

  @Test
  void authorize_quota_capsMutualAid() {
    employee("PSN0001", "张伟", LANZHOU, 500_000);
    resident("PSN0002", "张建国", LANZHOU);
    String binding = gw.bind("PSN0001", "PSN0002", RELATIONSHIP_PARENT, 10_000);

    AuthorizeResponse first = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 6_000)).build());
    // Held funds count against the quota as well as settled ones.
    AuthorizeResponse second = gw.settlement().authorize(
        authorize("A-2", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 6_000)).build());
    gw.settlement().settle(settle("S-1", POS, first.getTransactionId()));
    gw.settlement().settle(settle("S-2", POS, second.getTransactionId()));
    AuthorizeResponse third = gw.settlement().authorize(
        authorize("A-3", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 25_000)).build());

    assertEquals(List.of("MUTUAL_AID " + binding + " 6000"), legs(first.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + binding + " 4000", "CASH 2000"), legs(second.getBreakdown()));
    assertEquals(List.of("CASH 25000"), legs(third.getBreakdown()));
    assertAccount("PSN0001", 490_000, 0);
  }

  @Test
  void authorize_residentBeneficiary_paidByRelativeOnly() {
    resident("PSN0001", "张建国", LANZHOU);
    employee("PSN0002", "张伟", LANZHOU, 3_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_PARENT, 0);

    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    AuthorizeResponse r = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 5_000)).build());

    assertEquals(InsuranceType.INSURANCE_TYPE_RESIDENT_BASIC, who.getInsuranceType());
    assertFalse(who.getHasPersonalAccount());
    assertEquals(0, who.getBalanceFen());
    assertEquals(List.of("MUTUAL_AID " + binding + " 3000", "CASH 2000"), legs(r.getBreakdown()));
    assertSplit(r.getBreakdown(), 5_000, 5_000, 0, 3_000, 2_000);
    Refusal.expect(Code.FAILED_PRECONDITION, "NO_PERSONAL_ACCOUNT", () -> gw.account("PSN0001"));
  }

  @Test
  void authorize_forbiddenCategoryAndOutOfScope_goToCash() {
    employee("PSN0001", "李娜", LANZHOU, 400);
    employee("PSN0002", "张伟", LANZHOU, 1_000_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);

    // Forbidden categories stay in cash even when the terminal marks them in policy scope.
    AuthorizeResponse r = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 1_000),
        item(ITEM_CATEGORY_DRUG, 2_000, false),
        item(ITEM_CATEGORY_COSMETICS, 500),
        item(ITEM_CATEGORY_FITNESS, 300),
        item(ITEM_CATEGORY_DAILY_GOODS, 200),
        item(ITEM_CATEGORY_WELLNESS, 100),
        item(ITEM_CATEGORY_PUBLIC_HEALTH, 50)).build());

    assertEquals(List.of("OWN_ACCOUNT 400", "MUTUAL_AID " + binding + " 600", "CASH 3150"), legs(r.getBreakdown()));
    assertSplit(r.getBreakdown(), 4_150, 1_000, 400, 600, 3_150);
  }

  @Test
  void authorize_optionalCategory_onlyWhereRegionAllows() {
    // The patient's region (Fuzhou) does not allow vaccines; the authorizer's (Lanzhou) does;
    // nobody's allows health check-ups.
    employee("PSN0001", "林芳", FUZHOU, 10_000);
    employee("PSN0002", "林强", LANZHOU, 10_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);

    AuthorizeResponse withAid = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 1_000), item(ITEM_CATEGORY_NON_PROGRAMME_VACCINE, 3_000),
        item(ITEM_CATEGORY_HEALTH_CHECKUP, 500)).build());
    AuthorizeResponse ownOnly = gw.settlement().authorize(authorize("A-2", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 1_000), item(ITEM_CATEGORY_NON_PROGRAMME_VACCINE, 3_000),
        item(ITEM_CATEGORY_HEALTH_CHECKUP, 500)).setSkipMutualAid(true).build());
    AuthorizeResponse lanzhouOwn = gw.settlement().authorize(authorize("A-3", POS, cardOf("PSN0002"),
        item(ITEM_CATEGORY_NON_PROGRAMME_VACCINE, 3_000)).build());

    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + binding + " 3000", "CASH 500"),
        legs(withAid.getBreakdown()));
    assertEquals(4_000, withAid.getBreakdown().getInScopeFen());
    assertEquals(List.of("OWN_ACCOUNT 1000", "CASH 3500"), legs(ownOnly.getBreakdown()));
    assertEquals(1_000, ownOnly.getBreakdown().getInScopeFen());
    assertEquals(List.of("OWN_ACCOUNT 3000"), legs(lanzhouOwn.getBreakdown()));
  }

  @Test
  void authorize_bareRequestWithNoFlagSet_ownAccountThenMutualAid() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 10_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    AuthorizeRequest bare = AuthorizeRequest.newBuilder().setRequestId("A-1").setTerminal(POS)
        .setCredential(cardOf("PSN0001")).setMedicalType(gongji.v1.MedicalType.MEDICAL_TYPE_PHARMACY)
        .addItems(item(ITEM_CATEGORY_DRUG, 3_000)).build();

    AuthorizeResponse r = gw.settlement().authorize(bare);

    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID 2000"), legs(r.getBreakdown()).stream()
        .map(l -> l.replaceAll(" B[0-9A-Z]+", "")).toList());
  }

  @Test
  void authorize_skipPersonalAccount_paysAllInCash() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    employee("PSN0002", "张伟", LANZHOU, 10_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);

    AuthorizeResponse r = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 3_000)).setSkipPersonalAccount(true).build());

    assertEquals(List.of("CASH 3000"), legs(r.getBreakdown()));
    // The bill is still in policy scope; the patient chose not to use accounts.
    assertSplit(r.getBreakdown(), 3_000, 3_000, 0, 0, 3_000);
    assertAccount("PSN0001", 10_000, 0);
    assertAccount("PSN0002", 10_000, 0);
  }

  @Test
  void authorize_skipMutualAid_ownAccountThenCash() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 10_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);

    AuthorizeResponse r = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 3_000)).setSkipMutualAid(true).build());

    assertEquals(List.of("OWN_ACCOUNT 1000", "CASH 2000"), legs(r.getBreakdown()));
    assertAccount("PSN0002", 10_000, 0);
  }

  // ---- who may pay at all ---------------------------------------------------------------------

  @Test
  void authorize_insuredSuspended_refused() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    gw.status("PSN0001", InsuredStatus.INSURED_STATUS_SUSPENDED);

    Refusal r = Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE", () -> gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build()));

    assertEquals("A-1", r.errorInfo().getMetadataOrDefault("request_id", ""));
    assertAccount("PSN0001", 10_000, 0);
  }

  @Test
  void authorize_authorizerSuspended_bindingPaysNothing() {
    employee("PSN0001", "李娜", LANZHOU, 0);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    gw.status("PSN0002", InsuredStatus.INSURED_STATUS_SUSPENDED);

    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    AuthorizeResponse suspended = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 2_000)).build());
    gw.status("PSN0002", InsuredStatus.INSURED_STATUS_NORMAL);
    AuthorizeResponse normal = gw.settlement().authorize(
        authorize("A-2", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 2_000)).build());

    assertEquals(List.of(), who.getMutualAidSourcesList());
    assertEquals(List.of("CASH 2000"), legs(suspended.getBreakdown()));
    assertEquals(List.of("MUTUAL_AID " + binding + " 2000"), legs(normal.getBreakdown()));
  }

  @Test
  void authorize_someoneElsesCredential_refusedAsImpersonation() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    employee("PSN0002", "赵磊", LANZHOU, 10_000);

    // 赵磊's card presented as 李娜.
    Refusal r = Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 3_000)).setPsnNo("PSN0001").build()));
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().identify(
        IdentifyRequest.newBuilder().setTerminal(POS).setCredential(cardOf("PSN0002")).setPsnNo("PSN0001").build()));
    GetTransactionResponse recorded = gw.settlement().getTransaction(byRequestId(POS, "A-1"));
    AuthorizeResponse own = gw.settlement().authorize(
        authorize("A-2", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 3_000)).setPsnNo("PSN0002").build());

    // The claimed number masked: the same text is the alert, which others review.
    assertTrue(r.message().contains("psn_no " + Masking.psnNo("PSN0001")) && !r.message().contains("PSN0001"),
        r.message());
    assertFalse(recorded.getRequest().getApplied());
    assertEquals("IMPERSONATION", recorded.getRequest().getReason());
    assertFalse(recorded.hasTransaction());
    assertAccount("PSN0001", 10_000, 0);
    assertEquals(List.of("OWN_ACCOUNT 3000"), legs(own.getBreakdown()));
    assertTrue(gw.node().metrics().scrape().contains("kind=\"IMPERSONATION\""), "the fraud alert is counted");
  }

  @Test
  void impersonationAlerts_atAuthorizeAndIdentify_nameTheClaimedPersonAndTheOwnerMaskedTheTerminalAndOperator() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    employee("PSN0002", "赵磊", LANZHOU, 10_000);
    Terminal cashier = POS.toBuilder().setOperatorId("cashier-7").build();

    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().authorize(
        authorize("A-1", cashier, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 3_000)).setPsnNo("PSN0001").build()));
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> gw.settlement().identify(
        IdentifyRequest.newBuilder().setTerminal(cashier).setCredential(cardOf("PSN0002")).setPsnNo("PSN0001").build()));

    List<gongji.v1.Alert> alerts = gw.alerts();
    assertEquals(2, alerts.size(), alerts::toString);
    for (gongji.v1.Alert a : alerts) {
      assertEquals(List.of("IMPERSONATION", Masking.psnNo("PSN0001"), Masking.psnNo("PSN0002"), "POS01", "cashier-7"),
          List.of(a.getKind(), a.getClaimedPsnNoMasked(), a.getOwnerPsnNoMasked(), a.getTerminalId(),
              a.getOperatorId()), a::toString);
      assertFalse(a.toString().contains("PSN0002"), "the owner only masked: " + a);
    }
  }

  @Test
  void metrics_exportTheLedgersSheddingDeadlinesAndWhatItKeeps() {
    String scrape = gw.node().metrics().scrape();
    for (String meter : List.of("gongji_ledger_shed_total", "gongji_ledger_deadlines_passed_total",
        "gongji_ledger_recalled_again_total", "gongji_ledger_sweeps_total", "gongji_ledger_sales_kept",
        "gongji_ledger_requests_kept", "gongji_ledger_transfers_kept")) {
      assertTrue(scrape.contains(meter), meter);
    }
  }

  @Test
  void authorize_unknownCredential_notFound() {
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND", () -> gw.settlement().authorize(
        authorize("A-1", POS, card("SSC-NOBODY"), item(ITEM_CATEGORY_DRUG, 3_000)).build()));
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND",
        () -> gw.settlement().identify(identify(POS, card("SSC-NOBODY"))));
  }

  @Test
  void authorize_unknownInstitutionOrTerminal_refused() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);

    Refusal.expect(Code.NOT_FOUND, "INSTITUTION_NOT_FOUND", () -> gw.settlement().authorize(
        authorize("A-1", terminal("P99999999999", "POS01"), cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 1)).build()));
    Refusal.expect(Code.PERMISSION_DENIED, "TERMINAL_NOT_REGISTERED", () -> gw.settlement().authorize(
        authorize("A-2", terminal(PHARMACY, "POS99"), cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 1)).build()));
    Refusal.expect(Code.NOT_FOUND, "TRANSACTION_NOT_FOUND",
        () -> gw.settlement().settle(settle("S-1", POS, "T999")));
  }

  // ---- the life of a sale ---------------------------------------------------------------------

  @Test
  void identify_afterSettle_isAnsweredWithoutTheWriterAndShowsWhatTheSettleDid() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    // The first Identify of a person is the writer's; it takes them into the view.
    assertEquals(List.of(binding + " 5000"), sources(gw.settlement().identify(identify(POS, cardOf("PSN0001")))));
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));

    // The settle's reply has come back: the view, read without the writer, already shows it.
    Result.Identity seen = (Result.Identity) gw.node().sequencer().identityView().answer("PSN0001", PHARMACY);
    assertNotNull(seen, "the view answers for a person the writer identified");
    assertEquals(0, seen.balanceFen());
    assertEquals(3_000, seen.aidSources().get(0).availableFen());
    IdentifyResponse after = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    assertEquals(0, after.getBalanceFen());
    assertEquals(0, after.getAvailableFen());
    assertEquals(List.of(binding + " 3000"), sources(after));
  }

  @Test
  void authorize_holdExpired_releasesFundsAndSettleIsRefused() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    assertEquals(gw.clock().millis() + HOLD_TTL_SECONDS * 1000,
        a.getExpireTime().getSeconds() * 1000 + a.getExpireTime().getNanos() / 1_000_000);

    gw.clock().advance(Duration.ofSeconds(HOLD_TTL_SECONDS - 1));
    IdentifyResponse before = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    gw.clock().advance(Duration.ofSeconds(1));
    IdentifyResponse after = gw.settlement().identify(identify(POS, cardOf("PSN0001")));

    assertEquals(0, before.getAvailableFen());
    assertEquals(List.of(binding + " 3000"), sources(before));
    assertEquals(1_000, after.getAvailableFen());
    assertEquals(List.of(binding + " 5000"), sources(after));
    assertAccount("PSN0002", 5_000, 0);
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId())));
    assertEquals(TRANSACTION_STATE_EXPIRED,
        gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction().getState());
  }

  @Test
  void settle_full_paysTheHeldLegs() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 4_000), item(ITEM_CATEGORY_COSMETICS, 250)).build());

    SettleResponse s = gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));

    assertEquals(TRANSACTION_STATE_SETTLED, s.getState());
    assertEquals(a.getTransactionId(), s.getTransactionId());
    assertEquals("S-1", s.getRequestId());
    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + binding + " 3000", "CASH 250"), legs(s.getBreakdown()));
    assertSplit(s.getBreakdown(), 4_250, 4_000, 1_000, 3_000, 250);
    assertAccount("PSN0001", 0, 0);
    assertAccount("PSN0002", 2_000, 0);
  }

  @Test
  void settle_lowerFinalTotal_shrinksMutualAidFirst() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 2_000);
    employee("PSN0003", "王秀英", LANZHOU, 5_000);
    String first = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    String second = gw.bind("PSN0003", "PSN0001", RELATIONSHIP_CHILD, 0);
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 6_000), item(ITEM_CATEGORY_DRUG, 1_000, false)).build());
    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + first + " 2000", "MUTUAL_AID " + second + " 3000",
        "CASH 1000"), legs(a.getBreakdown()));

    // 25.00 yuan less: it all comes off the last-bound relative; the own account and cash stay.
    SettleResponse s = gw.settlement().settle(settle("S-1", POS, a.getTransactionId(), 4_500));

    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + first + " 2000", "MUTUAL_AID " + second + " 500",
        "CASH 1000"), legs(s.getBreakdown()));
    // In scope: what the accounts still pay; the 10.00 yuan of cash is the out-of-scope line.
    assertSplit(s.getBreakdown(), 4_500, 3_500, 1_000, 2_500, 1_000);
    assertAccount("PSN0001", 0, 0);
    assertAccount("PSN0002", 0, 0);
    assertAccount("PSN0003", 4_500, 0);
  }

  @Test
  void settle_finalTotalBelowAccountLegs_takesCashDownLast() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 2_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 3_000), item(ITEM_CATEGORY_DRUG, 1_000, false)).build());

    SettleResponse s = gw.settlement().settle(settle("S-1", POS, a.getTransactionId(), 400));

    assertEquals(List.of("CASH 400"), legs(s.getBreakdown()));
    // Accounts shrink first: the 4.00 yuan left is taken as the out-of-scope line, paid in cash.
    assertSplit(s.getBreakdown(), 400, 0, 0, 0, 400);
    assertAccount("PSN0001", 1_000, 0);
    assertAccount("PSN0002", 2_000, 0);
  }

  @Test
  void settle_aboveAuthorized_refused() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());

    Refusal r = Refusal.expect(Code.INVALID_ARGUMENT, "AMOUNT_EXCEEDS_AUTHORIZED",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId(), 3_001)));
    SettleResponse exact = gw.settlement().settle(settle("S-2", POS, a.getTransactionId(), 3_000));

    assertEquals(List.of("final_total_fen"), r.violatedFields());
    assertEquals(List.of("OWN_ACCOUNT 3000"), legs(exact.getBreakdown()));
  }

  @Test
  void settle_otherInstitutionsTransaction_notFound() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());

    Refusal.expect(Code.NOT_FOUND, "TRANSACTION_NOT_FOUND",
        () -> gw.settlement().settle(settle("S-1", HIS, a.getTransactionId())));
    Refusal.expect(Code.NOT_FOUND, "TRANSACTION_NOT_FOUND",
        () -> gw.settlement().getTransaction(byTransactionId(HIS, a.getTransactionId())));
    assertAccount("PSN0001", 10_000, 3_000);
  }

  @Test
  void cancel_authorized_restoresBalancesExactly() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 2_500);
    List<Account> before = List.of(gw.account("PSN0001"), gw.account("PSN0002"));
    IdentifyResponse identifiedBefore = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());

    CancelResponse c = gw.settlement().cancel(cancel("C-1", POS, a.getTransactionId()));

    assertEquals(TRANSACTION_STATE_CANCELLED, c.getState());
    assertEquals(1_000, c.getBalanceAfterFen());
    assertEquals(before, List.of(gw.account("PSN0001"), gw.account("PSN0002")));
    assertEquals(identifiedBefore, gw.settlement().identify(identify(POS, cardOf("PSN0001"))));
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId())));
  }

  @Test
  void cancel_settled_refusedToBeRefunded() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));

    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().cancel(cancel("C-1", POS, a.getTransactionId())));
    assertAccount("PSN0001", 7_000, 0);
  }

  @Test
  void refund_settled_restoresEveryAccountExactly() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 2_000);
    employee("PSN0003", "王秀英", TIANSHUI, 203_000);
    String first = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 1_500);
    String second = gw.bind("PSN0003", "PSN0001", RELATIONSHIP_CHILD, 0);
    List<Account> before = accounts("PSN0001", "PSN0002", "PSN0003");
    IdentifyResponse identifiedBefore = gw.settlement().identify(identify(POS, cardOf("PSN0001")));
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 6_000), item(ITEM_CATEGORY_DAILY_GOODS, 800)).build());
    SettleResponse s = gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));
    assertEquals(List.of("OWN_ACCOUNT 1000", "MUTUAL_AID " + first + " 1500", "MUTUAL_AID " + second + " 3000",
        "CASH 1300"), legs(s.getBreakdown()));

    RefundResponse r = gw.settlement().refund(refund("R-1", POS, a.getTransactionId()));

    assertEquals(TRANSACTION_STATE_REFUNDED, r.getState());
    assertEquals(legs(s.getBreakdown()), legs(r.getBreakdown()));
    assertEquals(before, accounts("PSN0001", "PSN0002", "PSN0003"));
    assertEquals(identifiedBefore, gw.settlement().identify(identify(POS, cardOf("PSN0001"))));
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().refund(refund("R-2", POS, a.getTransactionId())));
  }

  @Test
  void refund_afterSettlement_restoresQuotaUsage() {
    employee("PSN0001", "张伟", LANZHOU, 500_000);
    resident("PSN0002", "张建国", LANZHOU);
    String binding = gw.bind("PSN0001", "PSN0002", RELATIONSHIP_PARENT, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 10_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));
    assertEquals(List.of(binding + " 0"), sources(gw.settlement().identify(identify(POS, cardOf("PSN0002")))));

    gw.settlement().refund(refund("R-1", POS, a.getTransactionId()));
    AuthorizeResponse again = gw.settlement().authorize(
        authorize("A-2", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 12_000)).build());

    assertEquals(List.of("MUTUAL_AID " + binding + " 10000", "CASH 2000"), legs(again.getBreakdown()));
  }

  @Test
  void settle_lowerFinalTotal_usesOnlyThePaidPartOfTheQuota() {
    employee("PSN0001", "张伟", LANZHOU, 500_000);
    resident("PSN0002", "张建国", LANZHOU);
    String binding = gw.bind("PSN0001", "PSN0002", RELATIONSHIP_PARENT, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0002"), item(ITEM_CATEGORY_DRUG, 8_000)).build());

    gw.settlement().settle(settle("S-1", POS, a.getTransactionId(), 5_000));

    assertEquals(List.of(binding + " 5000"), sources(gw.settlement().identify(identify(POS, cardOf("PSN0002")))));
    assertAccount("PSN0001", 495_000, 0);
  }

  // ---- idempotency ----------------------------------------------------------------------------

  @Test
  void authorize_sameRequestIdSameContent_returnsIdenticalResponseChargedOnce() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeRequest req = authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build();

    AuthorizeResponse first = gw.settlement().authorize(req);
    AuthorizeResponse again = gw.settlement().authorize(req);
    assertAccount("PSN0001", 10_000, 3_000);
    SettleResponse settled = gw.settlement().settle(settle("S-1", POS, first.getTransactionId()));
    SettleResponse settledAgain = gw.settlement().settle(settle("S-1", POS, first.getTransactionId()));
    AuthorizeResponse afterSettle = gw.settlement().authorize(req);

    assertEquals(first, again);
    assertEquals(settled, settledAgain);
    assertEquals(first, afterSettle);
    assertAccount("PSN0001", 7_000, 0);
  }

  @Test
  void authorize_replayAfterThePatientWasSuspended_returnsTheOriginalResult() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeRequest req = authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build();
    AuthorizeResponse first = gw.settlement().authorize(req);

    gw.status("PSN0001", InsuredStatus.INSURED_STATUS_SUSPENDED);

    // The gateway refuses a new sale at once, but an earlier request with the same id and content wins.
    assertEquals(first, gw.settlement().authorize(req));
    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE",
        () -> gw.settlement().authorize(req.toBuilder().setRequestId("A-2").build()));
    assertAccount("PSN0001", 10_000, 3_000);
  }

  @Test
  void authorize_sameRequestIdOtherContent_refusedAsReused() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse first = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());

    Refusal r = Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED", () -> gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_001)).build()));
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED",
        () -> gw.settlement().settle(settle("A-1", POS, first.getTransactionId())));

    assertEquals("A-1", r.errorInfo().getMetadataOrDefault("request_id", ""));
    assertAccount("PSN0001", 10_000, 3_000);
  }

  @Test
  void authorize_failedRequestId_staysFailedAfterTheCauseIsFixed() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    gw.status("PSN0001", InsuredStatus.INSURED_STATUS_SUSPENDED);
    AuthorizeRequest req = authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build();
    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE", () -> gw.settlement().authorize(req));

    gw.status("PSN0001", InsuredStatus.INSURED_STATUS_NORMAL);

    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE", () -> gw.settlement().authorize(req));
    AuthorizeResponse fresh = gw.settlement().authorize(req.toBuilder().setRequestId("A-2").build());
    assertEquals(List.of("OWN_ACCOUNT 3000"), legs(fresh.getBreakdown()));
  }

  @Test
  void settle_failedRequestId_staysFailed() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().cancel(cancel("C-1", POS, a.getTransactionId()));
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId())));

    Refusal again = Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId())));

    assertEquals("S-1", again.errorInfo().getMetadataOrDefault("request_id", ""));
    GetTransactionResponse recorded = gw.settlement().getTransaction(byRequestId(POS, "S-1"));
    assertFalse(recorded.getRequest().getApplied());
    assertEquals("TRANSACTION_STATE_CONFLICT", recorded.getRequest().getReason());
  }

  // ---- reversal -------------------------------------------------------------------------------

  @Test
  void reverse_beforeTheOriginal_leavesATombstone() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);

    ReverseResponse rev = gw.settlement().reverse(reverse(POS, "A-LATE"));
    Refusal.expect(Code.FAILED_PRECONDITION, "REQUEST_ID_REVERSED", () -> gw.settlement().authorize(
        authorize("A-LATE", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build()));
    ReverseResponse revAgain = gw.settlement().reverse(reverse(POS, "A-LATE"));
    GetTransactionResponse recorded = gw.settlement().getTransaction(byRequestId(POS, "A-LATE"));

    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_NOT_RECEIVED, rev.getOutcome());
    assertEquals("A-LATE", rev.getOriginalRequestId());
    assertEquals(rev, revAgain);
    assertEquals(RequestKind.REQUEST_KIND_REVERSAL_TOMBSTONE, recorded.getRequest().getKind());
    assertFalse(recorded.getRequest().getApplied());
    assertEquals("REQUEST_ID_REVERSED", recorded.getRequest().getReason());
    assertAccount("PSN0001", 10_000, 0);
  }

  @Test
  void reverse_afterAuthorize_releasesTheHolds() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 0);
    AuthorizeRequest req = authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build();
    AuthorizeResponse a = gw.settlement().authorize(req);

    ReverseResponse rev = gw.settlement().reverse(reverse(POS, "A-1"));

    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_REVERSED, rev.getOutcome());
    assertEquals(a.getTransactionId(), rev.getTransactionId());
    assertAccount("PSN0001", 1_000, 0);
    assertAccount("PSN0002", 5_000, 0);
    assertEquals(TRANSACTION_STATE_CANCELLED,
        gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction().getState());
    Refusal.expect(Code.FAILED_PRECONDITION, "REQUEST_ID_REVERSED", () -> gw.settlement().authorize(req));
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().settle(settle("S-1", POS, a.getTransactionId())));
    assertEquals(rev, gw.settlement().reverse(reverse(POS, "A-1")));
    GetTransactionResponse recorded = gw.settlement().getTransaction(byRequestId(POS, "A-1"));
    assertTrue(recorded.getRequest().getReversed());
    assertFalse(recorded.getRequest().getApplied());
  }

  @Test
  void reverse_afterSettle_returnsTheMoneyToTheAccounts() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 5_000);
    String binding = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 4_000);
    List<Account> before = accounts("PSN0001", "PSN0002");
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));
    assertAccount("PSN0002", 3_000, 0);

    ReverseResponse rev = gw.settlement().reverse(reverse(POS, "S-1"));

    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_REVERSED, rev.getOutcome());
    assertEquals(before, accounts("PSN0001", "PSN0002"));
    assertEquals(List.of(binding + " 4000"), sources(gw.settlement().identify(identify(POS, cardOf("PSN0001")))));
    assertEquals(TRANSACTION_STATE_CANCELLED,
        gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction().getState());
    Refusal.expect(Code.FAILED_PRECONDITION, "TRANSACTION_STATE_CONFLICT",
        () -> gw.settlement().refund(refund("R-1", POS, a.getTransactionId())));
  }

  @Test
  void reverse_afterRefund_takesTheRefundBack() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));
    gw.settlement().refund(refund("R-1", POS, a.getTransactionId()));

    ReverseResponse rev = gw.settlement().reverse(reverse(POS, "R-1"));

    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_REVERSED, rev.getOutcome());
    assertAccount("PSN0001", 7_000, 0);
    assertEquals(TRANSACTION_STATE_SETTLED,
        gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction().getState());
  }

  @Test
  void reverse_failedOriginal_reportsOriginalFailed() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    gw.status("PSN0001", InsuredStatus.INSURED_STATUS_SUSPENDED);
    Refusal.expect(Code.FAILED_PRECONDITION, "INSURED_NOT_ACTIVE", () -> gw.settlement().authorize(
        authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build()));

    ReverseResponse rev = gw.settlement().reverse(reverse(POS, "A-1"));

    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_ORIGINAL_FAILED, rev.getOutcome());
  }

  @Test
  void reverse_otherInstitutionsRequest_isNotSeenAndChangesNothing() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeRequest req = authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build();
    AuthorizeResponse a = gw.settlement().authorize(req);

    ReverseResponse rev = gw.settlement().reverse(reverse(HIS, "A-1"));

    // Request ids are the institution's own: the hospital's "A-1" is another request, never sent.
    assertEquals(ReversalOutcome.REVERSAL_OUTCOME_NOT_RECEIVED, rev.getOutcome());
    assertEquals("", rev.getTransactionId());
    assertAccount("PSN0001", 10_000, 3_000);
    assertEquals(a, gw.settlement().authorize(req), "the pharmacy's request still answers as the first time");
  }

  @Test
  void reverse_ofAnIdAnotherInstitutionHasNotUsedYet_doesNotBlockIt() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    gw.settlement().reverse(reverse(HIS, "A-SQUAT"));

    AuthorizeResponse a = gw.settlement().authorize(
        authorize("A-SQUAT", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());

    assertEquals(TRANSACTION_STATE_AUTHORIZED, a.getState());
    assertAccount("PSN0001", 10_000, 3_000);
    Refusal.expect(Code.FAILED_PRECONDITION, "REQUEST_ID_REVERSED", () -> gw.settlement().authorize(
        authorize("A-SQUAT", HIS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build()));
  }

  @Test
  void authorize_sameRequestIdAtTwoInstitutions_isTwoRequestsAndTellsNeitherOfTheOther() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);

    AuthorizeResponse atPharmacy = gw.settlement().authorize(
        authorize("A-SAME", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 3_000)).build());
    AuthorizeResponse atHospital = gw.settlement().authorize(
        authorize("A-SAME", HIS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 2_000)).build());

    assertNotEquals(atPharmacy.getTransactionId(), atHospital.getTransactionId());
    assertAccount("PSN0001", 10_000, 5_000);
    assertEquals(atHospital.getTransactionId(),
        gw.settlement().getTransaction(byRequestId(HIS, "A-SAME")).getTransaction().getTransactionId());
    assertEquals(atPharmacy.getTransactionId(),
        gw.settlement().getTransaction(byRequestId(POS, "A-SAME")).getTransaction().getTransactionId());
  }

  // ---- lookups --------------------------------------------------------------------------------

  @Test
  void getTransaction_byTransactionId_returnsTheSaleAndItsSplits() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 3_000)).build());
    Transaction authorized = gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction();
    SettleResponse s = gw.settlement().settle(settle("S-1", POS, a.getTransactionId(), 2_000));

    Transaction settled = gw.settlement().getTransaction(byTransactionId(POS, a.getTransactionId())).getTransaction();

    assertEquals(TRANSACTION_STATE_AUTHORIZED, authorized.getState());
    assertFalse(authorized.hasSettled());
    assertEquals(a.getBreakdown(), authorized.getAuthorized());
    assertEquals(TRANSACTION_STATE_SETTLED, settled.getState());
    assertEquals(PHARMACY, settled.getFixmedinsCode());
    assertEquals("PSN0001".length(), settled.getPsnNoMasked().length());
    assertFalse(settled.getPsnNoMasked().contains("PSN0001"));
    assertEquals(a.getBreakdown(), settled.getAuthorized());
    assertEquals(s.getBreakdown(), settled.getSettled());
    assertEquals(a.getExpireTime(), settled.getExpireTime());
  }

  @Test
  void getTransaction_byRequestId_returnsTheRequestAndItsSale() {
    employee("PSN0001", "李娜", LANZHOU, 10_000);
    AuthorizeResponse a = gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"),
        item(ITEM_CATEGORY_DRUG, 3_000)).build());
    gw.settlement().settle(settle("S-1", POS, a.getTransactionId()));

    GetTransactionResponse byAuthorize = gw.settlement().getTransaction(byRequestId(POS, "A-1"));
    GetTransactionResponse bySettle = gw.settlement().getTransaction(byRequestId(POS, "S-1"));

    assertEquals(RequestKind.REQUEST_KIND_AUTHORIZE, byAuthorize.getRequest().getKind());
    assertTrue(byAuthorize.getRequest().getApplied());
    assertEquals("", byAuthorize.getRequest().getReason());
    assertEquals(a.getTransactionId(), byAuthorize.getTransaction().getTransactionId());
    assertEquals(RequestKind.REQUEST_KIND_SETTLE, bySettle.getRequest().getKind());
    assertEquals(TRANSACTION_STATE_SETTLED, bySettle.getTransaction().getState());
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND",
        () -> gw.settlement().getTransaction(byRequestId(POS, "NEVER-SENT")));
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND",
        () -> gw.settlement().getTransaction(byRequestId(HIS, "A-1")));
  }

  @Test
  void identify_returnsBalanceAndMutualAidSourcesWithAvailableAmounts() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);
    employee("PSN0002", "张伟", LANZHOU, 2_000);
    employee("PSN0003", "王秀英", TIANSHUI, 250_000);
    String first = gw.bind("PSN0002", "PSN0001", RELATIONSHIP_SPOUSE, 1_500);
    String second = gw.bind("PSN0003", "PSN0001", RELATIONSHIP_CHILD, 0);
    gw.settlement().authorize(authorize("A-1", POS, cardOf("PSN0001"), item(ITEM_CATEGORY_DRUG, 300)).build());

    IdentifyResponse who = gw.settlement().identify(identify(POS, cardOf("PSN0001")));

    assertEquals("PSN0001", who.getPsnNo());
    assertEquals("李*", who.getNameMasked());
    assertEquals(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC, who.getInsuranceType());
    assertEquals(InsuredStatus.INSURED_STATUS_NORMAL, who.getInsuredStatus());
    assertEquals(LANZHOU, who.getInsuplcAdmdvs());
    assertTrue(who.getHasPersonalAccount());
    assertEquals(1_000, who.getBalanceFen());
    assertEquals(700, who.getAvailableFen());
    assertEquals(List.of(first + " 1500", second + " 50000"), sources(who));
    MutualAidSource husband = who.getMutualAidSources(0);
    assertEquals(gongji.v1.Relationship.RELATIONSHIP_SPOUSE, husband.getRelationship());
    assertTrue(husband.getAuthorizerMasked().startsWith("张* "), husband.getAuthorizerMasked());
    assertFalse(husband.getAuthorizerMasked().contains("PSN0002"), husband.getAuthorizerMasked());
    // The binding says 李娜 is 王秀英's child; to 李娜, 王秀英 is a parent.
    assertEquals(gongji.v1.Relationship.RELATIONSHIP_PARENT, who.getMutualAidSources(1).getRelationship());
  }

  @Test
  void identify_claimedPsnNoMatchingTheCard_isServed() {
    employee("PSN0001", "李娜", LANZHOU, 1_000);

    IdentifyResponse who = gw.settlement().identify(
        IdentifyRequest.newBuilder().setTerminal(POS).setCredential(cardOf("PSN0001")).setPsnNo("PSN0001").build());

    assertEquals(1_000, who.getAvailableFen());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void employee(String psnNo, String name, String admdvs, long ownFen) {
    gw.employee(psnNo, name, admdvs, "SSC-" + psnNo);
    if (ownFen > 0) {
      gw.credit(psnNo, ownFen);
    }
  }

  private void resident(String psnNo, String name, String admdvs) {
    gw.resident(psnNo, name, admdvs, "SSC-" + psnNo);
  }

  private static Credential cardOf(String psnNo) {
    return card("SSC-" + psnNo);
  }

  private void assertAccount(String psnNo, long balanceFen, long heldFen) {
    Account a = gw.account(psnNo);
    assertEquals(List.of(balanceFen, heldFen, balanceFen - heldFen),
        List.of(a.getBalanceFen(), a.getHeldFen(), a.getAvailableFen()), "balance, held, available of " + psnNo);
  }

  private List<Account> accounts(String... psnNos) {
    List<Account> out = new ArrayList<>();
    for (String p : psnNos) {
      out.add(gw.account(p));
    }
    return out;
  }

  /** The legs as "SOURCE [binding] amount", in order. */
  static List<String> legs(Breakdown b) {
    List<String> out = new ArrayList<>();
    for (PaymentLeg leg : b.getLegsList()) {
      String source = leg.getSource().name().substring("FUND_SOURCE_".length());
      out.add(source + (leg.getBindingId().isEmpty() ? "" : " " + leg.getBindingId()) + " " + leg.getAmountFen());
    }
    return out;
  }

  /** The mutual-aid sources as "binding available". */
  static List<String> sources(IdentifyResponse who) {
    return who.getMutualAidSourcesList().stream().map(s -> s.getBindingId() + " " + s.getAvailableFen()).toList();
  }

  static void assertSplit(Breakdown b, long totalFen, long inScopeFen, long accountFen, long mutualAidFen, long cashFen) {
    assertEquals(List.of(totalFen, inScopeFen, accountFen, mutualAidFen, cashFen),
        List.of(b.getTotalFen(), b.getInScopeFen(), b.getAccountPayFen(), b.getMutualAidPayFen(), b.getCashPayFen()),
        "total, in scope, account, mutual aid, cash");
  }
}
