package gongji.server.grpc;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.testing.InProcessGateway;
import gongji.v1.Account;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.BindingState;
import gongji.v1.Breakdown;
import gongji.v1.Credential;
import gongji.v1.IdentifyResponse;
import gongji.v1.LineItem;
import gongji.v1.PaymentLeg;
import gongji.v1.RegionPolicy;
import gongji.v1.SettleResponse;
import gongji.v1.Terminal;
import gongji.v1.UsageRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The world the family scenario tests run in: a real gateway on an in-process server, with regions
 * that differ in exactly the settings the rules depend on, and institutions in three provinces.
 * Every scenario ends with the ledger audit.
 *
 * <p>The Lanzhou pharmacy is the one of DOMAIN.md ({@code P62010200017}): its area code is the
 * Chengguan district (620102), inside the Lanzhou pooling region (620100) whose policy is set.
 */
abstract class FamilyScenarioSupport {
  /** Lanzhou: no floor, near relatives, quotas, cross-province on, vaccines payable. */
  static final String LANZHOU = "620100";
  /** Tianshui (Gansu): a 2,000-yuan retained floor, core relatives only, no quotas, cross-province on. */
  static final String TIANSHUI = "620500";
  /** Jiuquan (Gansu): cross-province off. */
  static final String JIUQUAN = "620900";
  /** Fuzhou (Fujian): no floor, near relatives, quotas, cross-province on, no optional categories. */
  static final String FUZHOU = "350100";
  /** Shenzhen (Guangdong): cross-province off. */
  static final String SHENZHEN = "440300";

  static final long TIANSHUI_FLOOR_FEN = 200_000;

  static final String PHARMACY = "P62010200017";
  static final String HOSPITAL = "H62010200001";
  static final String FUZHOU_PHARMACY = "P35010200003";
  static final String SHENZHEN_PHARMACY = "P44030400001";

  static final Terminal POS = terminal(PHARMACY, "POS01");
  static final Terminal HIS = terminal(HOSPITAL, "HIS01");
  static final Terminal FUZHOU_POS = terminal(FUZHOU_PHARMACY, "POS01");
  static final Terminal SHENZHEN_POS = terminal(SHENZHEN_PHARMACY, "POS01");

  InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
    gw.policy(policy(LANZHOU).setName("兰州市").addOptionalCategoriesAllowed(ITEM_CATEGORY_NON_PROGRAMME_VACCINE).build());
    gw.policy(policy(TIANSHUI).setName("天水市").setRetainedFloorFen(TIANSHUI_FLOOR_FEN)
        .setExtendedRelativesAllowed(false).setQuotaAllowed(false).build());
    gw.policy(policy(JIUQUAN).setName("酒泉市").setCrossProvinceEnabled(false).build());
    gw.policy(policy(FUZHOU).setName("福州市").build());
    gw.policy(policy(SHENZHEN).setName("深圳市").setCrossProvinceEnabled(false).build());
    gw.institution(PHARMACY, "POS01", "POS02");
    gw.institution(HOSPITAL, "HIS01");
    gw.institution(FUZHOU_PHARMACY, "POS01");
    gw.institution(SHENZHEN_PHARMACY, "POS01");
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit(), "ledger audit after the scenario");
    } finally {
      gw.close();
    }
  }

  /** A region with the national baseline a province would start from; tests change what they need. */
  static RegionPolicy.Builder policy(String admdvs) {
    return RegionPolicy.newBuilder()
        .setAdmdvs(admdvs)
        .setName("region " + admdvs)
        .setRetainedFloorFen(0)
        .setExtendedRelativesAllowed(true)
        .setQuotaAllowed(true)
        .setCrossProvinceEnabled(true)
        .setHoldTtlSeconds(1800);
  }

  // ---- people -------------------------------------------------------------------------------

  /** An employee (with a personal account) whose card is "SSC-" + psnNo, credited with {@code ownFen}. */
  void employee(String psnNo, String admdvs, long ownFen) {
    gw.employee(psnNo, "职工" + psnNo, admdvs, "SSC-" + psnNo);
    if (ownFen > 0) {
      gw.credit(psnNo, ownFen);
    }
  }

  /** A resident-insured person: no personal account. */
  void resident(String psnNo, String admdvs) {
    gw.resident(psnNo, "居民" + psnNo, admdvs, "SSC-" + psnNo);
  }

  static Credential cardOf(String psnNo) {
    return card("SSC-" + psnNo);
  }

  // ---- sales --------------------------------------------------------------------------------

  /** A sale at a counter by the patient with their own card, accounts and mutual aid allowed. */
  AuthorizeResponse authorizeAt(Terminal terminal, String requestId, String psnNo, LineItem... items) {
    return gw.settlement().authorize(authorize(requestId, terminal, cardOf(psnNo), items).build());
  }

  AuthorizeResponse authorizeAt(String requestId, String psnNo, LineItem... items) {
    return authorizeAt(POS, requestId, psnNo, items);
  }

  /** Authorizes and settles in full at the Lanzhou pharmacy. */
  SettleResponse buy(String requestId, String psnNo, LineItem... items) {
    return buyAt(POS, requestId, psnNo, items);
  }

  SettleResponse buyAt(Terminal terminal, String requestId, String psnNo, LineItem... items) {
    AuthorizeResponse a = authorizeAt(terminal, requestId, psnNo, items);
    return gw.settlement().settle(settle(requestId + "-S", terminal, a.getTransactionId()));
  }

  // ---- reading the results ------------------------------------------------------------------

  /** The legs as "SOURCE [binding] amount", in drawing order. */
  static List<String> legs(Breakdown b) {
    List<String> out = new ArrayList<>();
    for (PaymentLeg leg : b.getLegsList()) {
      String source = leg.getSource().name().substring("FUND_SOURCE_".length());
      out.add(source + (leg.getBindingId().isEmpty() ? "" : " " + leg.getBindingId()) + " " + leg.getAmountFen());
    }
    return out;
  }

  /** The mutual-aid sources Identify shows, as "binding available". */
  static List<String> sources(IdentifyResponse who) {
    return who.getMutualAidSourcesList().stream().map(s -> s.getBindingId() + " " + s.getAvailableFen()).toList();
  }

  static void assertSplit(Breakdown b, long totalFen, long accountFen, long mutualAidFen, long cashFen) {
    assertEquals(List.of(totalFen, accountFen, mutualAidFen, cashFen),
        List.of(b.getTotalFen(), b.getAccountPayFen(), b.getMutualAidPayFen(), b.getCashPayFen()),
        "total, own account, mutual aid, cash");
  }

  void assertAccount(String psnNo, long balanceFen, long heldFen) {
    Account a = gw.account(psnNo);
    assertEquals(List.of(balanceFen, heldFen, balanceFen - heldFen),
        List.of(a.getBalanceFen(), a.getHeldFen(), a.getAvailableFen()), "balance, held, available of " + psnNo);
  }

  /** A binding as its authorizer's list shows it. */
  Binding bindingOf(String authorizer, String bindingId) {
    return gw.binding(authorizer, bindingId);
  }

  void assertState(BindingState expected, String authorizer, String bindingId) {
    assertEquals(expected, bindingOf(authorizer, bindingId).getState(), "state of binding " + bindingId);
  }

  /** Every usage record of a person in a role, as "KIND authorizer->beneficiary binding amount". */
  List<String> usage(String psnNo, BindingRole role) {
    return gw.usage(psnNo, role, 0, 0, 1000).stream().map(FamilyScenarioSupport::usage).toList();
  }

  static String usage(UsageRecord u) {
    return u.getKind() + " " + u.getAuthorizerPsnNo() + "->" + u.getBeneficiaryPsnNo() + " " + u.getBindingId() + " "
        + u.getAmountFen();
  }
}
