package gongji.server.national;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Sales;
import gongji.v1.Account;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.ItemCategory;
import gongji.v1.LineItem;
import gongji.v1.Terminal;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The money-split scenarios driven twice over the demo family: through gRPC (Authorize, Settle,
 * Refund, Reverse) on one gateway and through the national interface (2101, 2102, 2103, 2601) on
 * another. Every split (own account, mutual aid, cash, balance after) and every balance and hold at
 * the end must be the same: the second door leads down the same path.
 */
class NationalMoneySplitTest {
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");
  private static final List<String> ACCOUNTS = List.of(DemoData.ZHANG_WEI, DemoData.LI_NA, DemoData.WANG_XIUYING,
      DemoData.ZHAO_LEI, DemoData.LIU_GUILAN);

  /** One line: category, yuan, in policy scope. */
  private record Line(ItemCategory category, long fen, boolean inScope) {}

  /** A split as both doors report it, in fen. */
  private record Split(long ownFen, long aidFen, long cashFen, long balanceAfterFen) {
    static Split of(Breakdown b) {
      return new Split(b.getAccountPayFen(), b.getMutualAidPayFen(), b.getCashPayFen(), b.getBalanceAfterFen());
    }

    static Split of(JsonNode setlinfo, boolean mulaidInAcctPay) {
      long own = fen(setlinfo.get("gongji_acct_own_pay"));
      long aid = fen(setlinfo.get("acct_mulaid_pay"));
      assertEquals(mulaidInAcctPay ? own + aid : own, fen(setlinfo.get("acct_pay")), "acct_pay in " + setlinfo);
      return new Split(own, aid, fen(setlinfo.get("psn_cash_pay")), fen(setlinfo.get("balc")));
    }
  }

  private static long fen(JsonNode yuan) {
    BigDecimal v = yuan.decimalValue();
    assertEquals(2, v.scale(), "two decimals: " + yuan);
    return v.movePointRight(2).longValueExact();
  }

  private static Line drug(long fen) {
    return new Line(ItemCategory.ITEM_CATEGORY_DRUG, fen, true);
  }

  @Test
  void scenarios_grpcAndNational_sameSplitsAndBalances() throws Exception {
    scenarios(true);
  }

  @Test
  void scenarios_mulaidBesideAcctPay_sameSplitsAndBalances() throws Exception {
    scenarios(false);
  }

  private void scenarios(boolean mulaidInAcctPay) throws Exception {
    try (InProcessGateway grpc = InProcessGateway.startWithDemoData();
        NationalEndpoint national = NationalEndpoint.withDemoData(mulaidInAcctPay)) {
      Doors doors = new Doors(grpc, national, mulaidInAcctPay);
      // Own account short: spouse (quota 100), then mother (above her 2,000 floor), then cash; cosmetics in cash.
      Sold s1 = doors.sale("SSC-LINA", DemoData.LI_NA, List.of(drug(35_000),
          new Line(ItemCategory.ITEM_CATEGORY_COSMETICS, 2_000, false)), true, true, true, -1);
      assertEquals(new Split(3_000, 20_000, 14_000, 0), s1.split, "the demo split of 李娜's 370.00");
      // Nothing left of her own or her relatives': cash.
      doors.sale("SSC-LINA", DemoData.LI_NA, List.of(drug(5_000)), true, true, false, -1);
      // A resident without an account draws on his son.
      Sold s3 = doors.sale("SSC-ZHANGJIANGUO", DemoData.ZHANG_JIANGUO, List.of(drug(8_000)), true, true, true, -1);
      // acct_used_flag 0: all cash.
      doors.sale("SSC-ZHANGWEI", DemoData.ZHANG_WEI, List.of(drug(10_000)), false, false, false, -1);
      // Own account short, mutual aid declined at the counter.
      doors.sale("SSC-ZHAOLEI", DemoData.ZHAO_LEI, List.of(drug(12_000)), true, false, true, -1);
      // The same purchase again, without a pre-settlement: a new sale, not the earlier hold.
      doors.sale("SSC-ZHAOLEI", DemoData.ZHAO_LEI, List.of(drug(1_000)), true, true, true, -1);
      doors.sale("SSC-ZHAOLEI", DemoData.ZHAO_LEI, List.of(drug(1_000)), true, true, false, -1);
      // Settled for less than pre-settled (2102 with mdtrt_id and a lower medfee_sumamt).
      doors.sale("SSC-ZHANGWEI", DemoData.ZHANG_WEI, List.of(drug(20_000)), true, true, true, 15_000);
      // Above a retained floor.
      doors.sale("SSC-WANGXIUYING", DemoData.WANG_XIUYING, List.of(drug(15_000)), true, true, false, -1);
      // A refund returns every leg to its account; the relatives' money can be drawn again.
      doors.refund(s1);
      doors.sale("SSC-LINA", DemoData.LI_NA, List.of(drug(10_000)), true, true, true, -1);
      // A reversal of a settlement (the terminal never saw the answer).
      doors.reverse(s3);
      doors.sale("SSC-ZHANGJIANGUO", DemoData.ZHANG_JIANGUO, List.of(drug(3_000)), true, true, false, -1);

      List<Account> byGrpc = new ArrayList<>();
      List<Account> byNational = new ArrayList<>();
      for (String psnNo : ACCOUNTS) {
        byGrpc.add(grpc.account(psnNo));
        byNational.add(national.gateway().account(psnNo));
      }
      assertEquals(byGrpc, byNational, "balances and holds after the same scenarios");
      assertEquals(List.of(), grpc.audit());
      assertEquals(List.of(), national.gateway().audit());
    }
  }

  private record Sold(String grpcTxn, String grpcSettleId, String nationalTxn, String nationalMsgid, String psnNo,
      Split split) {}

  /** The same step through both doors, compared. */
  private static final class Doors {
    private final InProcessGateway grpc;
    private final NationalEndpoint national;
    private final boolean mulaidInAcctPay;
    private int ids;

    Doors(InProcessGateway grpc, NationalEndpoint national, boolean mulaidInAcctPay) {
      this.grpc = grpc;
      this.national = national;
      this.mulaidInAcctPay = mulaidInAcctPay;
    }

    /** Authorize and settle ({@code finalFen} -1: the whole bill); {@code twoStep}: 2101 then 2102. */
    Sold sale(String cardNo, String psnNo, List<Line> lines, boolean useAccount, boolean useAid, boolean twoStep,
        long finalFen) {
      List<LineItem> items = new ArrayList<>();
      for (Line l : lines) {
        items.add(Sales.item(l.category(), l.fen(), l.inScope()));
      }
      String id = "grpc-" + (++ids);
      AuthorizeResponse held = grpc.settlement().authorize(authorize(id, POS, card(cardNo), items.toArray(LineItem[]::new))
          .setSkipPersonalAccount(!useAccount).setSkipMutualAid(!useAid).build());
      Breakdown settled = (finalFen < 0 ? grpc.settlement().settle(settle(id + "-s", POS, held.getTransactionId()))
          : grpc.settlement().settle(settle(id + "-s", POS, held.getTransactionId(), finalFen))).getBreakdown();

      long total = lines.stream().mapToLong(Line::fen).sum();
      JsonNode held2101 = null;
      if (twoStep || finalFen >= 0) {
        held2101 = ok(national.call(envelope("2101", psnNo, cardNo, lines, total, useAccount, useAid, null)));
        assertEquals(Split.of(held.getBreakdown()), Split.of(held2101.get("setlinfo"), mulaidInAcctPay), "2101 split");
      }
      List<Line> settledLines = finalFen < 0 ? lines : List.of(drug(finalFen));
      String mdtrtId = finalFen < 0 ? null : held2101.get("setlinfo").get("mdtrt_id").asText();
      ObjectNode e = envelope("2102", psnNo, cardNo, settledLines, finalFen < 0 ? total : finalFen, useAccount, useAid,
          mdtrtId);
      JsonNode out = ok(national.call(e));
      Split split = Split.of(out.get("setlinfo"), mulaidInAcctPay);
      assertEquals(Split.of(settled), split, "2102 split of " + lines);
      assertEquals(e.get("msgid").asText(), out.get("setlinfo").get("medins_setl_id").asText());
      return new Sold(held.getTransactionId(), id + "-s", out.get("setlinfo").get("setl_id").asText(),
          e.get("msgid").asText(), psnNo, split);
    }

    void refund(Sold s) {
      Breakdown b = grpc.settlement().refund(Sales.refund("grpc-" + (++ids), POS, s.grpcTxn())).getBreakdown();
      ObjectNode input = NationalEndpoint.JSON.createObjectNode();
      input.putObject("data").put("setl_id", s.nationalTxn()).put("mdtrt_id", s.nationalTxn()).put("psn_no", s.psnNo());
      JsonNode out = ok(national.call(NationalEndpoint.envelope("2103", national.msgid(DemoData.PHARMACY),
          DemoData.PHARMACY, "POS01", input)));
      Split back = Split.of(out.get("setlinfo"), mulaidInAcctPay);
      assertEquals(new Split(-b.getAccountPayFen(), -b.getMutualAidPayFen(), -b.getCashPayFen(), b.getBalanceAfterFen()),
          back, "2103 refund");
    }

    void reverse(Sold s) {
      grpc.settlement().reverse(Sales.reverse(POS, s.grpcSettleId()));
      ObjectNode input = NationalEndpoint.JSON.createObjectNode();
      input.putObject("data").put("psn_no", s.psnNo()).put("omsgid", s.nationalMsgid()).put("oinfno", "2102");
      JsonNode out = ok(national.call(NationalEndpoint.envelope("2601", national.msgid(DemoData.PHARMACY),
          DemoData.PHARMACY, "POS01", input)));
      assertEquals("REVERSED", out.get("data").get("gongji_reversal").asText());
    }

    private ObjectNode envelope(String infno, String psnNo, String cardNo, List<Line> lines, long totalFen,
        boolean useAccount, boolean useAid, String mdtrtId) {
      ObjectNode input = NationalEndpoint.JSON.createObjectNode();
      ObjectNode info = input.putObject("druginfo");
      info.put("psn_no", psnNo);
      info.put("mdtrt_cert_type", "03");
      info.put("mdtrt_cert_no", cardNo);
      info.put("medfee_sumamt", BigDecimal.valueOf(totalFen, 2));
      info.put("acct_used_flag", useAccount ? "1" : "0");
      info.put("med_type", "41");
      if (!useAid) {
        info.put("gongji_use_mulaid", "0");
      }
      if (mdtrtId != null) {
        info.put("mdtrt_id", mdtrtId);
      }
      ArrayNode detail = input.putArray("drugdetail");
      int sn = 0;
      for (Line l : lines) {
        ObjectNode d = detail.addObject();
        d.put("feedetl_sn", Integer.toString(++sn));
        d.put("med_list_codg", "X" + sn);
        d.put("det_item_fee_sumamt", BigDecimal.valueOf(l.fen(), 2).toPlainString());
        d.put("gongji_item_category", l.category().name().substring("ITEM_CATEGORY_".length()));
        d.put("gongji_in_scope", l.inScope() ? "1" : "0");
      }
      return NationalEndpoint.envelope(infno, national.msgid(DemoData.PHARMACY), DemoData.PHARMACY, "POS01", input);
    }

    private static JsonNode ok(JsonNode response) {
      assertEquals(0, response.get("infcode").asInt(), response.toString());
      return response.get("output");
    }
  }
}
