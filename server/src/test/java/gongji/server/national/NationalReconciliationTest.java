package gongji.server.national;

import gongji.server.testing.InProcessGateway;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListReconcileDetailsResponse;
import gongji.v1.ReconcileGroupTotals;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileResponse;
import gongji.v1.ReconcileTotals;
import gongji.v1.UpsertInsuredRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 3201 per group and 3202 filtered by group, against gRPC {@code Reconcile} of the same day: a
 * pharmacy's day with sales in three groups (Li Na: employee of Lanzhou; 张建国: resident of
 * Lanzhou; 王秀英: employee of Tianshui) and a refund, reconciled group by group as a platform's
 * day-end does.
 */
class NationalReconciliationTest {
  private static final String DAY = "2026-03-02";
  private NationalEndpoint endpoint;

  @BeforeEach
  void aDayOfSalesInThreeGroups() throws Exception {
    endpoint = NationalEndpoint.withDemoData();
    settle(DemoData.LI_NA, "SSC-LINA", "310", "350.00");
    String refunded = settle(DemoData.ZHANG_JIANGUO, "SSC-ZHANGJIANGUO", "390", "80.00");
    settle(DemoData.ZHANG_JIANGUO, "SSC-ZHANGJIANGUO", "390", "15.50");
    settle(DemoData.WANG_XIUYING, "SSC-WANGXIUYING", "310", "42.00");
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    input.putObject("data").put("setl_id", refunded).put("mdtrt_id", refunded).put("psn_no", DemoData.ZHANG_JIANGUO);
    JsonNode refund = endpoint.call(NationalEndpoint.envelope("2103", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input));
    assertEquals(0, refund.get("infcode").asInt(), refund.toString());
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private String settle(String psnNo, String card, String insutype, String yuan) {
    ObjectNode input = NationalEndpoint.liNaDrugSale(psnNo, yuan);
    ((ObjectNode) input.get("druginfo")).put("mdtrt_cert_no", card).put("insutype", insutype);
    JsonNode settled = endpoint.call(NationalEndpoint.envelope("2102", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input));
    assertEquals(0, settled.get("infcode").asInt(), settled.toString());
    return settled.get("output").get("setlinfo").get("setl_id").asText();
  }

  private ReconcileResponse grpcReconcile() {
    return endpoint.gateway().admin().reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(DemoData.PHARMACY)
        .setDate(InProcessGateway.date(DAY)).build());
  }

  /** A 3201 of the day for a group (null fields: all) with the caller's totals {@code t}. */
  private JsonNode reconcile3201(String insutype, String clrType, String setlOptins, boolean refunds,
      ReconcileTotals t) {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode d = input.putObject("data");
    d.put("insutype", insutype);
    d.put("clr_type", clrType);
    d.put("setl_optins", setlOptins);
    d.put("stmt_begndate", DAY);
    d.put("stmt_enddate", DAY);
    d.put("medfee_sumamt", yuan(t.getTotalFen()));
    d.put("fund_pay_sumamt", "0.00");
    d.put("acct_pay", yuan(t.getAccountPayFen() + t.getMutualAidPayFen()));
    d.put("fixmedins_setl_cnt", Long.toString(t.getCount()));
    d.put("refd_setl_flag", refunds ? "1" : "0");
    JsonNode reply = endpoint.call(NationalEndpoint.envelope("3201", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input));
    assertEquals(0, reply.get("infcode").asInt(), reply.toString());
    return reply.get("output");
  }

  private static String yuan(long fen) {
    return BigDecimal.valueOf(fen, 2).toPlainString();
  }

  private static String group(ReconcileGroupTotals g) {
    return g.getInsutype() + "/" + g.getClrType() + "/" + g.getSetlOptins();
  }

  @Test
  void grpcReconcile_groups_areThePatientsInsuranceAndRegion_andAddUpToTheDay() {
    ReconcileResponse day = grpcReconcile();

    assertEquals(List.of("310/41/620100", "310/41/620500", "390/41/620100"),
        day.getGroupsList().stream().map(NationalReconciliationTest::group).toList());
    assertEquals(List.of(1L, 1L, 2L), day.getGroupsList().stream().map(g -> g.getSettlements().getCount()).toList());
    assertEquals(List.of(0L, 0L, 1L), day.getGroupsList().stream().map(g -> g.getRefunds().getCount()).toList());
    assertEquals(day.getSettlements().getTotalFen(),
        day.getGroupsList().stream().mapToLong(g -> g.getSettlements().getTotalFen()).sum());
    assertEquals(day.getSettlements().getCount(), 4);
  }

  @Test
  void reconcile3201_eachGroupWithGrpcsTotals_agrees_andTheWholeDayToo() {
    ReconcileResponse day = grpcReconcile();
    List<String> results = new ArrayList<>();

    for (ReconcileGroupTotals g : day.getGroupsList()) {
      for (boolean refunds : new boolean[] {false, true}) {
        JsonNode out = reconcile3201(g.getInsutype(), g.getClrType(), g.getSetlOptins(), refunds,
            refunds ? g.getRefunds() : g.getSettlements());
        results.add(group(g) + (refunds ? " refunds " : " settlements ") + out.get("stmtinfo").get("stmt_rslt").asText());
      }
    }
    JsonNode whole = reconcile3201(null, null, null, false, day.getSettlements());
    JsonNode wholeRefunds = reconcile3201(null, null, null, true, day.getRefunds());

    assertEquals(List.of("310/41/620100 settlements 0", "310/41/620100 refunds 0", "310/41/620500 settlements 0",
        "310/41/620500 refunds 0", "390/41/620100 settlements 0", "390/41/620100 refunds 0"), results);
    assertEquals("0", whole.get("stmtinfo").get("stmt_rslt").asText(), whole.toString());
    assertEquals("0", wholeRefunds.get("stmtinfo").get("stmt_rslt").asText(), wholeRefunds.toString());
    assertEquals(day.getGroupsCount(), whole.get("gongji_groups").size(), "our groups listed: " + whole);
  }

  @Test
  void reconcile3201_callersTotalsDifferInOneGroupOnly_stmtRslt1ForThatGroupOnly_namingTheDifference() {
    ReconcileResponse day = grpcReconcile();
    List<String> results = new ArrayList<>();
    String differing = null;

    for (ReconcileGroupTotals g : day.getGroupsList()) {
      ReconcileTotals theirs = g.getSettlements();
      if (g.getSetlOptins().equals("620500")) {
        // The HIS booked 王秀英's 42.00 as 41.00 from her account.
        theirs = theirs.toBuilder().setAccountPayFen(theirs.getAccountPayFen() - 100).build();
      }
      JsonNode out = reconcile3201(g.getInsutype(), g.getClrType(), g.getSetlOptins(), false, theirs);
      results.add(group(g) + " " + out.get("stmtinfo").get("stmt_rslt").asText());
      if (g.getSetlOptins().equals("620500")) {
        differing = out.get("stmtinfo").get("stmt_rslt_dscr").asText();
        assertEquals("620500", out.get("stmtinfo").get("setl_optins").asText());
      }
    }

    assertEquals(List.of("310/41/620100 0", "310/41/620500 1", "390/41/620100 0"), results);
    assertEquals("对账不一致：个人账户支付本方42.00，贵方41.00", differing);
  }

  @Test
  void refund_afterThePatientMovedRegion_reconcilesInTheGroupOfTheSale_in3201AndGrpc() {
    String sale = settle(DemoData.LI_NA, "SSC-LINA", "310", "20.00");
    endpoint.gateway().admin().upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId("MOVE-LINA")
        .setInsured(Insured.newBuilder().setPsnNo(DemoData.LI_NA).setName("李娜").setInsuranceType(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC)
        .setStatus(InsuredStatus.INSURED_STATUS_NORMAL).setInsuplcAdmdvs("350100")
        .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
            .setNumber("SSC-LINA"))
        .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_ID_CARD)
            .setNumber("620102198203040022"))).build());
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    input.putObject("data").put("setl_id", sale).put("mdtrt_id", sale).put("psn_no", DemoData.LI_NA);
    JsonNode refund = endpoint.call(NationalEndpoint.envelope("2103", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input));
    assertEquals(0, refund.get("infcode").asInt(), refund.toString());

    ReconcileResponse day = grpcReconcile();
    assertEquals(List.of("310/41/620100", "310/41/620500", "390/41/620100"),
        day.getGroupsList().stream().map(NationalReconciliationTest::group).toList(), "no group of Fuzhou (350100)");
    ReconcileGroupTotals lanzhou = day.getGroups(0);
    assertEquals(2, lanzhou.getSettlements().getCount());
    assertEquals(1, lanzhou.getRefunds().getCount());
    assertEquals(2_000, lanzhou.getRefunds().getTotalFen());
    JsonNode refunds = reconcile3201("310", "41", "620100", true, lanzhou.getRefunds());
    assertEquals("0", refunds.get("stmtinfo").get("stmt_rslt").asText(), refunds.toString());
    JsonNode fuzhou = reconcile3201("310", "41", "350100", true, ReconcileTotals.getDefaultInstance());
    assertEquals("0", fuzhou.get("stmtinfo").get("stmt_rslt").asText(), "nothing in Fuzhou: " + fuzhou);
  }

  @Test
  void grpcListReconcileDetails_byGroup_theRowsOf3202ForThatGroup_pageByPage() {
    List<String> grpc = new ArrayList<>();
    String token = "";
    do {
      ListReconcileDetailsResponse page = endpoint.gateway().admin().listReconcileDetails(
          ListReconcileDetailsRequest.newBuilder().setFixmedinsCode(DemoData.PHARMACY).setDate(InProcessGateway.date(DAY)).setPageSize(1)
              .setPageToken(token).setInsutype("390").setSetlOptins("620100").build());
      page.getDetailsList().forEach(l -> grpc.add(l.getTransactionId() + " " + l.getKind() + " " + l.getInsutype()
          + "/" + l.getClrType() + "/" + l.getSetlOptins()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    input.putObject("data").put("insutype", "390").put("setl_optins", "620100").put("stmt_begndate", DAY)
        .put("stmt_enddate", DAY).put("medfee_sumamt", "15.50").put("fund_pay_sumamt", "0.00")
        .put("fixmedins_setl_cnt", "1");
    JsonNode rows = endpoint.call(NationalEndpoint.envelope("3202", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input)).get("output").get("gongji_rows");
    List<String> national = new ArrayList<>();
    rows.forEach(r -> national.add(r.get("setl_id").asText() + " " + r.get("gongji_kind").asText() + " "
        + r.get("insutype").asText() + "/" + r.get("clr_type").asText() + "/" + r.get("setl_optins").asText()));

    assertEquals(3, grpc.size(), grpc.toString());
    assertEquals(national, grpc);
  }

  @Test
  void grpcListReconcileDetails_malformedGroupCodeOrAnotherGroupsToken_invalidArgumentNamingTheField() {
    io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class, () -> endpoint.gateway().admin().listReconcileDetails(
            ListReconcileDetailsRequest.newBuilder().setFixmedinsCode(DemoData.PHARMACY).setDate(InProcessGateway.date(DAY))
                .setInsutype("31").setSetlOptins("6201").build()));

    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("insutype"), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains("setl_optins"), e.getStatus().toString());
    String residents = endpoint.gateway().admin().listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
        .setFixmedinsCode(DemoData.PHARMACY).setDate(InProcessGateway.date(DAY)).setPageSize(1).setInsutype("390").build()).getNextPageToken();
    io.grpc.StatusRuntimeException other = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class, () -> endpoint.gateway().admin().listReconcileDetails(
            ListReconcileDetailsRequest.newBuilder().setFixmedinsCode(DemoData.PHARMACY).setDate(InProcessGateway.date(DAY)).setPageSize(1)
                .setPageToken(residents).setInsutype("310").build()));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, other.getStatus().getCode(), "a token of another group");
    assertTrue(other.getStatus().getDescription().contains("page_token"), other.getStatus().toString());
  }

  @Test
  void reconcileDetail3202_bySetlOptinsAndInsutype_rowsOfThatGroupOnly_eachWithItsGroup() {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode d = input.putObject("data");
    d.put("setl_optins", "620100");
    d.put("insutype", "390");
    d.put("stmt_begndate", DAY);
    d.put("stmt_enddate", DAY);
    d.put("medfee_sumamt", "15.50");
    d.put("fund_pay_sumamt", "0.00");
    d.put("fixmedins_setl_cnt", "1");
    ObjectNode tianshui = input.deepCopy();
    ((ObjectNode) tianshui.get("data")).put("setl_optins", "620500").put("medfee_sumamt", "42.00").remove("insutype");

    JsonNode resident = endpoint.call(NationalEndpoint.envelope("3202", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", input)).get("output");
    JsonNode other = endpoint.call(NationalEndpoint.envelope("3202", endpoint.msgid(DemoData.PHARMACY),
        DemoData.PHARMACY, "POS01", tianshui)).get("output");

    assertEquals("0", resident.get("stmt_rslt").asText(), resident.toString());
    assertEquals(3, resident.get("gongji_rows").size(), resident.toString());
    for (JsonNode row : resident.get("gongji_rows")) {
      assertEquals("390/41/620100", row.get("insutype").asText() + "/" + row.get("clr_type").asText() + "/"
          + row.get("setl_optins").asText(), row.toString());
    }
    assertEquals("0", other.get("stmt_rslt").asText(), other.toString());
    assertEquals(1, other.get("gongji_rows").size(), other.toString());
    assertEquals("310", other.get("gongji_rows").get(0).get("insutype").asText());
    assertTrue(other.get("gongji_rows").get(0).get("medfee_sumamt").decimalValue().compareTo(new BigDecimal("42")) == 0,
        other.toString());
  }
}
