package gongji.server.grpc;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.DemoData;
import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Refusal;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.Account;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.AuthorizeRequest;
import gongji.v1.CancelRequest;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.Credential;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetTransactionRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.IdentifyRequest;
import gongji.v1.Institution;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.ItemCategory;
import gongji.v1.LineItem;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.OpenWalletRequest;
import gongji.v1.RefundRequest;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.Relationship;
import gongji.v1.ReverseRequest;
import gongji.v1.SettleRequest;
import gongji.v1.Terminal;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input never reaches the ledger: every malformed field gives INVALID_ARGUMENT with reason
 * FIELD_INVALID and a google.rpc.BadRequest violation naming the field; unknown things give
 * NOT_FOUND; nothing gives INTERNAL. Runs against the demo data, which bad input must not change.
 */
class RequestValidationTest {
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");
  private static final String LONG_65 = "A".repeat(65);

  private InProcessGateway gw;
  private Account liNaBefore;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.startWithDemoData();
    liNaBefore = gw.account(DemoData.LI_NA);
  }

  @AfterEach
  void nothingChangedThenClose() throws Exception {
    try {
      assertEquals(liNaBefore, gw.account(DemoData.LI_NA), "bad input must not touch an account");
      assertEquals(List.of(), gw.audit());
    } finally {
      gw.close();
    }
  }

  private static AuthorizeRequest.Builder validAuthorize() {
    return authorize("A-1", POS, card("SSC-LINA"), item(ItemCategory.ITEM_CATEGORY_DRUG, 1_000));
  }

  private static UnaryOperator<AuthorizeRequest.Builder> item0(UnaryOperator<LineItem.Builder> change) {
    return b -> b.setItems(0, change.apply(b.getItems(0).toBuilder()));
  }

  private static Arguments bad(String what, UnaryOperator<AuthorizeRequest.Builder> change, String field) {
    return Arguments.of(what, change, field);
  }

  static Stream<Arguments> badAuthorizeRequests() {
    return Stream.of(
        bad("negative amount_fen", item0(i -> i.setAmountFen(-1)), "items[0].amount_fen"),
        bad("amount_fen above one million yuan", item0(i -> i.setAmountFen(100_000_001)), "items[0].amount_fen"),
        bad("amount_fen Long.MAX_VALUE", item0(i -> i.setAmountFen(Long.MAX_VALUE)), "items[0].amount_fen"),
        bad("amount_fen Long.MIN_VALUE", item0(i -> i.setAmountFen(Long.MIN_VALUE)), "items[0].amount_fen"),
        bad("no items", AuthorizeRequest.Builder::clearItems, "items"),
        bad("201 items", b -> {
          for (int i = 0; i < 200; i++) {
            b.addItems(item(ItemCategory.ITEM_CATEGORY_DRUG, 1));
          }
          return b;
        }, "items"),
        bad("unknown category number", item0(i -> i.setCategoryValue(999)), "items[0].category"),
        bad("category number between the ranges", item0(i -> i.setCategoryValue(7)), "items[0].category"),
        bad("unspecified category", item0(i -> i.setCategoryValue(0)), "items[0].category"),
        bad("negative category number", item0(i -> i.setCategoryValue(-1)), "items[0].category"),
        bad("unknown medical type", b -> b.setMedicalTypeValue(999), "medical_type"),
        bad("unspecified medical type", b -> b.setMedicalTypeValue(0), "medical_type"),
        bad("unknown credential type", b -> b.setCredential(b.getCredential().toBuilder().setTypeValue(999)),
            "credential.type"),
        bad("unspecified credential type", b -> b.setCredential(b.getCredential().toBuilder().setTypeValue(0)),
            "credential.type"),
        bad("no credential", AuthorizeRequest.Builder::clearCredential, "credential"),
        bad("no terminal", AuthorizeRequest.Builder::clearTerminal, "terminal"),
        bad("empty credential number", b -> b.setCredential(b.getCredential().toBuilder().setNumber("")),
            "credential.number"),
        bad("credential number of 65 characters", b -> b.setCredential(b.getCredential().toBuilder().setNumber(LONG_65)),
            "credential.number"),
        bad("credential number with a space", b -> b.setCredential(b.getCredential().toBuilder().setNumber("SSC LINA")),
            "credential.number"),
        bad("credential number not ASCII", b -> b.setCredential(b.getCredential().toBuilder().setNumber("社保卡")),
            "credential.number"),
        bad("empty item code", item0(i -> i.setCode("")), "items[0].code"),
        bad("item code of 51 characters", item0(i -> i.setCode("C".repeat(51))), "items[0].code"),
        bad("item code of 100,000 characters", item0(i -> i.setCode("C".repeat(100_000))), "items[0].code"),
        bad("item name of 101 characters", item0(i -> i.setName("药".repeat(101))), "items[0].name"),
        bad("operator_id with a forged log line", b -> b.setTerminal(POS.toBuilder()
            .setOperatorId("op-7\nSEVERE: ledger poisoned")), "terminal.operator_id"),
        bad("operator_id with a tab", b -> b.setTerminal(POS.toBuilder().setOperatorId("op\t7")), "terminal.operator_id"),
        bad("item code with a carriage return", item0(i -> i.setCode("X1\r")), "items[0].code"),
        bad("item code with NUL", item0(i -> i.setCode("X\u0000")), "items[0].code"),
        bad("item name with a newline", item0(i -> i.setName("阿莫西林\nSEVERE: ledger poisoned")), "items[0].name"),
        bad("item name with DEL", item0(i -> i.setName("药\u007f")), "items[0].name"),
        bad("item name with a C1 control", item0(i -> i.setName("药\u0085")), "items[0].name"),
        bad("item name with a line separator", item0(i -> i.setName("药\u2028")), "items[0].name"),
        bad("quantity 0", item0(i -> i.setQuantity(0)), "items[0].quantity"),
        bad("negative quantity", item0(i -> i.setQuantity(-3)), "items[0].quantity"),
        bad("quantity above a million", item0(i -> i.setQuantity(1_000_001)), "items[0].quantity"),
        bad("fixmedins_code lower case", b -> b.setTerminal(POS.toBuilder().setFixmedinsCode("p62010200017")),
            "terminal.fixmedins_code"),
        bad("fixmedins_code of 11 characters", b -> b.setTerminal(POS.toBuilder().setFixmedinsCode("P6201020001")),
            "terminal.fixmedins_code"),
        bad("fixmedins_code of 13 characters", b -> b.setTerminal(POS.toBuilder().setFixmedinsCode("P620102000170")),
            "terminal.fixmedins_code"),
        bad("fixmedins_code not H or P", b -> b.setTerminal(POS.toBuilder().setFixmedinsCode("X62010200017")),
            "terminal.fixmedins_code"),
        bad("fixmedins_code with letters", b -> b.setTerminal(POS.toBuilder().setFixmedinsCode("P6201020001A")),
            "terminal.fixmedins_code"),
        bad("empty terminal_id", b -> b.setTerminal(POS.toBuilder().setTerminalId("")), "terminal.terminal_id"),
        bad("terminal_id of 33 characters", b -> b.setTerminal(POS.toBuilder().setTerminalId("T".repeat(33))),
            "terminal.terminal_id"),
        bad("operator_id of 33 characters", b -> b.setTerminal(POS.toBuilder().setOperatorId("o".repeat(33))),
            "terminal.operator_id"),
        bad("empty request_id", b -> b.setRequestId(""), "request_id"),
        bad("request_id of 65 characters", b -> b.setRequestId(LONG_65), "request_id"),
        bad("request_id with a space", b -> b.setRequestId("A 1"), "request_id"),
        bad("request_id with a slash", b -> b.setRequestId("A/1"), "request_id"),
        bad("request_id not ASCII", b -> b.setRequestId("请求1"), "request_id"),
        bad("psn_no of 31 characters", b -> b.setPsnNo("6".repeat(31)), "psn_no"),
        bad("psn_no with a dash", b -> b.setPsnNo("6201-001"), "psn_no"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAuthorizeRequests")
  void authorize_badInput_invalidArgumentNamingTheField(String what, UnaryOperator<AuthorizeRequest.Builder> change,
      String field) {
    AuthorizeRequest req = change.apply(validAuthorize()).build();

    Refusal r = Refusal.of(() -> gw.settlement().authorize(req));

    r.assertFieldInvalid(field);
    for (var v : r.badRequest().getFieldViolationsList()) {
      assertTrue(v.getDescription().length() < 200, () -> "description too long to show: " + v.getDescription().length());
    }
  }

  @Test
  void authorize_severalBadFields_reportsThemAllAtOnce() {
    AuthorizeRequest req = validAuthorize()
        .setRequestId("")
        .setMedicalTypeValue(0)
        .setItems(0, item(ItemCategory.ITEM_CATEGORY_DRUG, -5))
        .build();

    Refusal r = Refusal.of(() -> gw.settlement().authorize(req));

    assertEquals(List.of("request_id", "medical_type", "items[0].amount_fen"), r.violatedFields());
  }

  @Test
  void authorize_validAfterBadInput_isServed() {
    Refusal.of(() -> gw.settlement().authorize(validAuthorize().setMedicalTypeValue(999).build()));

    // The bad request left no trace: the same id with valid content is a new request.
    var ok = gw.settlement().authorize(validAuthorize().build());
    gw.settlement().cancel(CancelRequest.newBuilder().setRequestId("C-1").setTerminal(POS)
        .setTransactionId(ok.getTransactionId()).build());
  }

  static Stream<Arguments> badTerminalCalls() {
    SettleRequest settle = SettleRequest.newBuilder().setRequestId("S-1").setTerminal(POS).setTransactionId("T1").build();
    CancelRequest cancel = CancelRequest.newBuilder().setRequestId("C-1").setTerminal(POS).setTransactionId("T1").build();
    RefundRequest refund = RefundRequest.newBuilder().setRequestId("R-1").setTerminal(POS).setTransactionId("T1").build();
    ReverseRequest reverse = ReverseRequest.newBuilder().setTerminal(POS).setOriginalRequestId("A-1").build();
    GetTransactionRequest lookup = GetTransactionRequest.newBuilder().setTerminal(POS).setTransactionId("T1").build();
    IdentifyRequest identify = IdentifyRequest.newBuilder().setTerminal(POS).setCredential(card("SSC-LINA")).build();
    return Stream.of(
        call("settle: empty transaction_id", s -> s.settle(settle.toBuilder().setTransactionId("").build()), "transaction_id"),
        call("settle: lower-case transaction_id", s -> s.settle(settle.toBuilder().setTransactionId("t1").build()),
            "transaction_id"),
        call("settle: transaction_id of 22 characters",
            s -> s.settle(settle.toBuilder().setTransactionId("T" + "1".repeat(21)).build()), "transaction_id"),
        call("settle: negative final_total_fen", s -> s.settle(settle.toBuilder().setFinalTotalFen(-1).build()),
            "final_total_fen"),
        call("settle: final_total_fen Long.MAX_VALUE",
            s -> s.settle(settle.toBuilder().setFinalTotalFen(Long.MAX_VALUE).build()), "final_total_fen"),
        call("settle: request_id of 65 characters", s -> s.settle(settle.toBuilder().setRequestId(LONG_65).build()),
            "request_id"),
        call("settle: no terminal", s -> s.settle(settle.toBuilder().clearTerminal().build()), "terminal"),
        call("cancel: bad transaction_id", s -> s.cancel(cancel.toBuilder().setTransactionId("X1").build()),
            "transaction_id"),
        call("cancel: empty request_id", s -> s.cancel(cancel.toBuilder().setRequestId("").build()), "request_id"),
        call("refund: bad transaction_id", s -> s.refund(refund.toBuilder().setTransactionId("T-1").build()),
            "transaction_id"),
        call("refund: bad fixmedins_code",
            s -> s.refund(refund.toBuilder().setTerminal(POS.toBuilder().setFixmedinsCode("H123")).build()),
            "terminal.fixmedins_code"),
        call("reverse: empty original_request_id",
            s -> s.reverse(reverse.toBuilder().setOriginalRequestId("").build()), "original_request_id"),
        call("reverse: original_request_id with a space",
            s -> s.reverse(reverse.toBuilder().setOriginalRequestId("A 1").build()), "original_request_id"),
        call("reverse: no terminal", s -> s.reverse(reverse.toBuilder().clearTerminal().build()), "terminal"),
        call("getTransaction: no key", s -> s.getTransaction(lookup.toBuilder().clearKey().build()), "key"),
        call("getTransaction: bad request_id", s -> s.getTransaction(lookup.toBuilder().setRequestId("a b").build()),
            "request_id"),
        call("getTransaction: bad transaction_id",
            s -> s.getTransaction(lookup.toBuilder().setTransactionId("B1").build()), "transaction_id"),
        call("identify: psn_no of 31 characters", s -> s.identify(identify.toBuilder().setPsnNo("1".repeat(31)).build()),
            "psn_no"),
        call("identify: no credential", s -> s.identify(identify.toBuilder().clearCredential().build()), "credential"),
        call("identify: unknown credential type", s -> s.identify(identify.toBuilder()
            .setCredential(Credential.newBuilder().setTypeValue(999).setNumber("SSC-LINA")).build()), "credential.type"));
  }

  /** A call on the settlement stub, expected to be refused for {@code field}. */
  interface SettlementCall {
    Object on(gongji.v1.SettlementServiceGrpc.SettlementServiceBlockingStub stub);
  }

  private static Arguments call(String what, SettlementCall call, String field) {
    return Arguments.of(what, call, field);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTerminalCalls")
  void terminalCall_badInput_invalidArgumentNamingTheField(String what, SettlementCall call, String field) {
    Refusal.of(() -> call.on(gw.settlement())).assertFieldInvalid(field);
  }

  static Stream<Arguments> badAdminCalls() {
    Insured person = Insured.newBuilder().setPsnNo("PSN9").setName("测试").setInsuranceType(
        InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC).setStatus(InsuredStatus.INSURED_STATUS_NORMAL)
        .setInsuplcAdmdvs("620100").addCredentials(card("SSC-9")).build();
    RegionPolicy policy = RegionPolicy.newBuilder().setAdmdvs("620100").setName("兰州").setHoldTtlSeconds(1800).build();
    CreditAccountRequest credit = CreditAccountRequest.newBuilder().setRequestId("K-1").setPsnNo(DemoData.LI_NA)
        .setAmountFen(100).build();
    CreateBindingRequest binding = CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo(DemoData.ZHAO_LEI)
        .setBeneficiaryPsnNo(DemoData.LI_NA).setRelationship(Relationship.RELATIONSHIP_SIBLING).build();
    return Stream.of(
        admin("credit: zero", a -> a.creditAccount(credit.toBuilder().setAmountFen(0).build()), "amount_fen"),
        admin("credit: negative", a -> a.creditAccount(credit.toBuilder().setAmountFen(-100).build()), "amount_fen"),
        admin("credit: Long.MAX_VALUE", a -> a.creditAccount(credit.toBuilder().setAmountFen(Long.MAX_VALUE).build()),
            "amount_fen"),
        admin("credit: bad request_id", a -> a.creditAccount(credit.toBuilder().setRequestId("").build()), "request_id"),
        admin("credit: bad psn_no", a -> a.creditAccount(credit.toBuilder().setPsnNo("62-01").build()), "psn_no"),
        admin("getAccount: empty psn_no", a -> a.getAccount(GetAccountRequest.getDefaultInstance()), "psn_no"),
        admin("binding: unknown relationship", a -> a.createBinding(binding.toBuilder().setRelationshipValue(999).build()),
            "relationship"),
        admin("binding: unspecified relationship",
            a -> a.createBinding(binding.toBuilder().setRelationshipValue(0).build()), "relationship"),
        admin("binding: negative quota", a -> a.createBinding(binding.toBuilder().setQuotaFen(-1).build()), "quota_fen"),
        admin("insured: unknown status", a -> a.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
            .setInsured(person.toBuilder().setStatusValue(999)).build()), "insured.status"),
        admin("insured: unspecified insurance type", a -> a.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
            .setInsured(person.toBuilder().setInsuranceTypeValue(0)).build()), "insured.insurance_type"),
        admin("insured: admdvs of 5 digits", a -> a.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
            .setInsured(person.toBuilder().setInsuplcAdmdvs("62010")).build()), "insured.insuplc_admdvs"),
        admin("insured: no credentials", a -> a.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
            .setInsured(person.toBuilder().clearCredentials()).build()), "insured.credentials"),
        admin("insured: name of 51 characters", a -> a.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
            .setInsured(person.toBuilder().setName("名".repeat(51))).build()), "insured.name"),
        admin("policy: DRUG as an optional category", a -> a.updateRegionPolicy(InProcessGateway.replacing(policy.toBuilder().addOptionalCategoriesAllowed(ItemCategory.ITEM_CATEGORY_DRUG).build())),
            "policy.optional_categories_allowed[0]"),
        admin("policy: unknown optional category", a -> a.updateRegionPolicy(InProcessGateway.replacing(policy.toBuilder().addOptionalCategoriesAllowedValue(999).build())),
            "policy.optional_categories_allowed[0]"),
        admin("policy: hold of 59 seconds", a -> a.updateRegionPolicy(InProcessGateway.replacing(policy.toBuilder().setHoldTtlSeconds(59).build())), "policy.hold_ttl_seconds"),
        admin("policy: negative floor", a -> a.updateRegionPolicy(InProcessGateway.replacing(policy.toBuilder().setRetainedFloorFen(-1).build())), "policy.retained_floor_fen"),
        policy("policy: -1 wallet transfers a day", p -> p.setWalletMaxTransfersPerDay(-1),
            "policy.wallet_max_transfers_per_day", "-1"),
        policy("policy: 101 wallet transfers a day", p -> p.setWalletMaxTransfersPerDay(101),
            "policy.wallet_max_transfers_per_day", "101"),
        policy("policy: negative wallet transfer cap", p -> p.setWalletMaxTransferFen(-1),
            "policy.wallet_max_transfer_fen", "-1"),
        policy("policy: wallet transfer cap above a million yuan", p -> p.setWalletMaxTransferFen(100_000_001),
            "policy.wallet_max_transfer_fen", "100000001"),
        policy("policy: wallet quiet from hour -1", p -> p.setWalletQuietFromHour(-1), "policy.wallet_quiet_from_hour",
            "-1"),
        policy("policy: wallet quiet from hour 24", p -> p.setWalletQuietFromHour(24), "policy.wallet_quiet_from_hour",
            "24"),
        policy("policy: wallet quiet until hour -1", p -> p.setWalletQuietUntilHour(-1),
            "policy.wallet_quiet_until_hour", "-1"),
        policy("policy: wallet quiet until hour 24", p -> p.setWalletQuietUntilHour(24),
            "policy.wallet_quiet_until_hour", "24"),
        policy("policy: unknown mutual_aid_order", p -> p.setMutualAidOrderValue(99), "policy.mutual_aid_order", "99"),
        policy("policy: negative mutual_aid_order", p -> p.setMutualAidOrderValue(-1), "policy.mutual_aid_order", "-1"),
        admin("institution: bad code", a -> a.registerInstitution(RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
                .setInstitution(Institution.newBuilder().setFixmedinsCode("Q1").setName("x").addTerminalIds("T1")).build()),
            "institution.fixmedins_code"),
        admin("institution: no terminals", a -> a.registerInstitution(RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
                .setInstitution(Institution.newBuilder().setFixmedinsCode("P62010200099").setName("x")).build()),
            "institution.terminal_ids"));
  }

  /** UpdateRegionPolicy of every setting with one change to a valid policy, expected to be refused for {@code field} showing {@code value}. */
  private static Arguments policy(String what, UnaryOperator<RegionPolicy.Builder> change, String field, String value) {
    RegionPolicy valid = RegionPolicy.newBuilder().setAdmdvs("620100").setName("兰州").setHoldTtlSeconds(1800).build();
    return Arguments.of(what, (AdminCall) a -> a.updateRegionPolicy(InProcessGateway.replacing(change.apply(valid.toBuilder()).build())), field, value);
  }

  /** A call on the admin stub, expected to be refused for {@code field}. */
  interface AdminCall {
    Object on(gongji.v1.AdminServiceGrpc.AdminServiceBlockingStub stub);
  }

  private static Arguments admin(String what, AdminCall call, String field) {
    return Arguments.of(what, call, field, "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAdminCalls")
  void adminCall_badInput_invalidArgumentNamingTheField(String what, AdminCall call, String field, String value) {
    Refusal r = Refusal.of(() -> call.on(gw.admin()));
    if (value.isEmpty()) {
      r.assertFieldInvalid(field);
    } else {
      r.assertFieldInvalid(field, value);
    }
  }

  static Stream<Arguments> badFamilyCalls() {
    UpdateBindingQuotaRequest quota = UpdateBindingQuotaRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setBindingId("B1")
        .setByPsnNo(DemoData.ZHANG_WEI).setQuotaFen(20_000).build();
    AssignWalletQuotaRequest assign = AssignWalletQuotaRequest.newBuilder().setRequestId("WA-1")
        .setAuthorizerPsnNo(DemoData.ZHANG_WEI).setBeneficiaryPsnNo(DemoData.LI_NA).setAmountFen(10_000).build();
    AcceptWalletTransferRequest accept = AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId("W1")
        .setByPsnNo(DemoData.LI_NA).build();
    DeclineWalletTransferRequest decline = DeclineWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId("W1")
        .setByPsnNo(DemoData.LI_NA).build();
    ListWalletTransfersRequest list = ListWalletTransfersRequest.newBuilder().setRole(gongji.v1.BindingRole.BINDING_ROLE_EITHER).setPsnNo(DemoData.LI_NA).build();
    return Stream.of(
        family("quota: empty binding_id", f -> f.updateBindingQuota(quota.toBuilder().setBindingId("").build()),
            "binding_id", "\"\""),
        family("quota: lower-case binding_id", f -> f.updateBindingQuota(quota.toBuilder().setBindingId("b1").build()),
            "binding_id", "\"b1\""),
        family("quota: a transfer id as binding_id",
            f -> f.updateBindingQuota(quota.toBuilder().setBindingId("W1").build()), "binding_id", "\"W1\""),
        family("quota: by_psn_no with a dash",
            f -> f.updateBindingQuota(quota.toBuilder().setByPsnNo("6201-001").build()), "by_psn_no", "\"6201-001\""),
        family("quota: negative quota_fen", f -> f.updateBindingQuota(quota.toBuilder().setQuotaFen(-1).build()),
            "quota_fen", "-1"),
        family("quota: quota_fen above a million yuan",
            f -> f.updateBindingQuota(quota.toBuilder().setQuotaFen(100_000_001).build()), "quota_fen", "100000001"),
        family("openWallet: empty psn_no", f -> f.openWallet(OpenWalletRequest.newBuilder().setRequestId("R1").build()), "psn_no", "\"\""),
        family("openWallet: psn_no of 31 characters",
            f -> f.openWallet(OpenWalletRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo("6".repeat(31)).build()), "psn_no",
            "6".repeat(31)),
        family("getWallet: psn_no not ASCII",
            f -> f.getWallet(GetWalletRequest.newBuilder().setPsnNo("李娜").build()), "psn_no", "\"李娜\""),
        family("assign: empty request_id", f -> f.assignWalletQuota(assign.toBuilder().setRequestId("").build()),
            "request_id", "\"\""),
        family("assign: request_id of 65 characters",
            f -> f.assignWalletQuota(assign.toBuilder().setRequestId(LONG_65).build()), "request_id", "AAAA"),
        family("assign: bad authorizer_psn_no",
            f -> f.assignWalletQuota(assign.toBuilder().setAuthorizerPsnNo("").build()), "authorizer_psn_no", "\"\""),
        family("assign: bad beneficiary_psn_no",
            f -> f.assignWalletQuota(assign.toBuilder().setBeneficiaryPsnNo("62 01").build()), "beneficiary_psn_no",
            "\"62 01\""),
        family("assign: amount_fen 0", f -> f.assignWalletQuota(assign.toBuilder().setAmountFen(0).build()),
            "amount_fen", "0 (expected: 1..100000000)"),
        family("assign: negative amount_fen", f -> f.assignWalletQuota(assign.toBuilder().setAmountFen(-5).build()),
            "amount_fen", "-5"),
        family("assign: amount_fen above a million yuan",
            f -> f.assignWalletQuota(assign.toBuilder().setAmountFen(100_000_001).build()), "amount_fen", "100000001"),
        family("assign: amount_fen Long.MAX_VALUE",
            f -> f.assignWalletQuota(assign.toBuilder().setAmountFen(Long.MAX_VALUE).build()), "amount_fen",
            String.valueOf(Long.MAX_VALUE)),
        family("accept: empty transfer_id", f -> f.acceptWalletTransfer(accept.toBuilder().setTransferId("").build()),
            "transfer_id", "\"\""),
        family("accept: lower-case transfer_id",
            f -> f.acceptWalletTransfer(accept.toBuilder().setTransferId("w1").build()), "transfer_id", "\"w1\""),
        family("accept: a binding id as transfer_id",
            f -> f.acceptWalletTransfer(accept.toBuilder().setTransferId("B1").build()), "transfer_id", "\"B1\""),
        family("accept: transfer_id of 22 characters",
            f -> f.acceptWalletTransfer(accept.toBuilder().setTransferId("W" + "1".repeat(21)).build()), "transfer_id",
            "W" + "1".repeat(21)),
        family("accept: bad by_psn_no", f -> f.acceptWalletTransfer(accept.toBuilder().setByPsnNo("").build()),
            "by_psn_no", "\"\""),
        family("decline: transfer_id with a dash",
            f -> f.declineWalletTransfer(decline.toBuilder().setTransferId("W-1").build()), "transfer_id", "\"W-1\""),
        family("decline: bad by_psn_no",
            f -> f.declineWalletTransfer(decline.toBuilder().setByPsnNo("6".repeat(31)).build()), "by_psn_no",
            "6".repeat(31)),
        family("listTransfers: empty psn_no",
            f -> f.listWalletTransfers(list.toBuilder().setPsnNo("").build()), "psn_no", "\"\""),
        family("listTransfers: unknown role",
            f -> f.listWalletTransfers(list.toBuilder().setRoleValue(7).build()), "role", "7"),
        family("listTransfers: no role", f -> f.listWalletTransfers(list.toBuilder().clearRole().build()), "role", "0"),
        family("listBindings: no role", f -> f.listBindings(gongji.v1.ListBindingsRequest.newBuilder()
            .setPsnNo(DemoData.LI_NA).build()), "role", "0"),
        family("listUsageRecords: no role", f -> f.listUsageRecords(gongji.v1.ListUsageRecordsRequest.newBuilder()
            .setPsnNo(DemoData.LI_NA).build()), "role", "0"),
        family("listTransfers: negative page_size",
            f -> f.listWalletTransfers(list.toBuilder().setPageSize(-1).build()), "page_size", "-1"),
        family("listTransfers: a made-up page_token",
            f -> f.listWalletTransfers(list.toBuilder().setPageToken("bm90LWEtdG9rZW4").build()), "page_token",
            "\"bm90LWEtdG9rZW4\""));
  }

  /** A call on the family stub, expected to be refused for {@code field} with a description showing {@code value}. */
  interface FamilyCall {
    Object on(gongji.v1.FamilyServiceGrpc.FamilyServiceBlockingStub stub);
  }

  private static Arguments family(String what, FamilyCall call, String field, String value) {
    return Arguments.of(what, call, field, value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFamilyCalls")
  void familyCall_badInput_invalidArgumentNamingTheFieldAndValue(String what, FamilyCall call, String field,
      String value) {
    Refusal.of(() -> call.on(gw.family())).assertFieldInvalid(field, value);
  }

  @Test
  void adminCall_unknownPerson_notFound() {
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND",
        () -> gw.admin().getAccount(GetAccountRequest.newBuilder().setPsnNo("NOBODY").build()));
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND", () -> gw.admin().creditAccount(
        CreditAccountRequest.newBuilder().setRequestId("K-1").setPsnNo("NOBODY").setAmountFen(1).build()));
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND", () -> gw.admin().createBinding(CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setAuthorizerPsnNo(DemoData.ZHAO_LEI).setBeneficiaryPsnNo("NOBODY")
        .setRelationship(Relationship.RELATIONSHIP_SPOUSE).build()));
  }

  @Test
  void adminCall_bindingOutsideRegionScope_refused() {
    // 王秀英's region (Tianshui) allows only core relatives and no quota.
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED", () -> gw.admin().createBinding(
        CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo(DemoData.WANG_XIUYING).setBeneficiaryPsnNo(DemoData.ZHAO_LEI)
            .setRelationship(Relationship.RELATIONSHIP_SIBLING).build()));
    Refusal.expect(Code.FAILED_PRECONDITION, "QUOTA_NOT_ALLOWED", () -> gw.admin().createBinding(
        CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo(DemoData.WANG_XIUYING).setBeneficiaryPsnNo(DemoData.ZHAO_LEI)
            .setRelationship(Relationship.RELATIONSHIP_CHILD).setQuotaFen(100).build()));
    // A resident has no account to share.
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED", () -> gw.admin().createBinding(
        CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo(DemoData.ZHANG_JIANGUO).setBeneficiaryPsnNo(DemoData.ZHAO_LEI)
            .setRelationship(Relationship.RELATIONSHIP_CHILD).build()));
  }

  @Test
  void adminCall_credentialOfAnotherPerson_alreadyExists() {
    Refusal.expect(Code.ALREADY_EXISTS, "CREDENTIAL_IN_USE", () -> gw.admin().upsertInsured(
        UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setInsured(Insured.newBuilder().setPsnNo("PSN9").setName("冒用")
            .setInsuranceType(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC).setStatus(InsuredStatus.INSURED_STATUS_NORMAL)
            .setInsuplcAdmdvs("620100").addCredentials(card("SSC-LINA"))).build()));
  }

  /**
   * Seeded fuzzing of Authorize: random edge values in random fields. Whatever comes back is a
   * reply or a mapped error with ErrorInfo; never INTERNAL or UNKNOWN.
   */
  @Test
  void authorize_randomMalformedRequests_neverInternal() {
    long seed = Long.getLong("gongji.seed", 20260302L);
    SplittableRandom random = new SplittableRandom(seed);
    long[] amounts = {Long.MIN_VALUE, -1, 0, 1, 99_999_999, 100_000_000, 100_000_001, Long.MAX_VALUE};
    int[] enums = {-1, 0, 1, 2, 5, 6, 7, 99, 100, 104, 105, 999, Integer.MAX_VALUE};
    String[] strings = {"", " ", "A", "SSC-LINA", "请求", "P62010200017", "\u0000", "A".repeat(64), "A".repeat(65),
        "\uD83D\uDE00", DemoData.LI_NA, DemoData.ZHAO_LEI, "T1"};
    for (int i = 0; i < 300; i++) {
      AuthorizeRequest.Builder b = validAuthorize().setRequestId("F-" + i);
      int changes = 1 + random.nextInt(4);
      for (int c = 0; c < changes; c++) {
        String s = strings[random.nextInt(strings.length)];
        int e = enums[random.nextInt(enums.length)];
        switch (random.nextInt(10)) {
          case 0 -> b.setItems(0, b.getItems(0).toBuilder().setAmountFen(amounts[random.nextInt(amounts.length)]));
          case 1 -> b.setItems(0, b.getItems(0).toBuilder().setCategoryValue(e));
          case 2 -> b.setMedicalTypeValue(e);
          case 3 -> b.setCredential(b.getCredential().toBuilder().setTypeValue(e));
          case 4 -> b.setCredential(b.getCredential().toBuilder().setNumber(s));
          case 5 -> b.setPsnNo(s);
          case 6 -> b.setTerminal(b.getTerminal().toBuilder().setFixmedinsCode(s));
          case 7 -> b.setTerminal(b.getTerminal().toBuilder().setTerminalId(s));
          case 8 -> b.addItems(b.getItems(0).toBuilder().setQuantity(e).setCode(s.isEmpty() ? "X" : s));
          default -> b.setRequestId(s);
        }
      }
      AuthorizeRequest req = b.build();
      String where = "seed " + seed + " (-Dgongji.seed=" + seed + "), request " + i + ": " + req;
      try {
        var ok = gw.settlement().authorize(req);
        gw.settlement().cancel(CancelRequest.newBuilder().setRequestId("FC-" + i).setTerminal(req.getTerminal())
            .setTransactionId(ok.getTransactionId()).build());
      } catch (StatusRuntimeException e) {
        Refusal r = Refusal.of(e);
        assertNotEquals(Code.INTERNAL, r.code(), where);
        assertNotEquals(Code.UNKNOWN, r.code(), where);
        if (r.code() == Code.INVALID_ARGUMENT) {
          assertTrue(!r.violatedFields().isEmpty() || r.reason().equals("AMOUNT_EXCEEDS_AUTHORIZED"), where);
        }
      }
    }
  }

  @Test
  void authorize_longValuesWithEmoji_errorTextsCutBetweenCharacters() {
    // 63 ASCII characters, then an emoji (two chars): a cut at 64 chars would split the emoji.
    String id = "A".repeat(63) + "\uD83D\uDE00" + "\nmore";
    Refusal r = Refusal.of(() -> gw.settlement().authorize(validAuthorize().setRequestId(id)
        .setItems(0, validAuthorize().getItems(0).toBuilder().setName("药".repeat(63) + "\uD83D\uDE00".repeat(40)))
        .build()));

    r.assertFieldInvalid("request_id");
    List<String> texts = new java.util.ArrayList<>(List.of(r.message(), r.errorInfo().getMetadataOrThrow("request_id")));
    r.badRequest().getFieldViolationsList().forEach(v -> texts.add(v.getDescription()));
    for (String text : texts) {
      assertTrue(wellFormed(text), () -> "a split surrogate pair in: " + text);
      assertTrue(text.indexOf('\n') < 0, () -> "a raw newline in: " + text);
    }
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(++i)))) {
        return false;
      }
      if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
