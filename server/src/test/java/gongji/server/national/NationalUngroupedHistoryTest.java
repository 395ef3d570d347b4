package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.Node;
import gongji.server.domain.ReconcileGroup;
import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.Result;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.MutableClock;
import gongji.server.testing.RewritingHistoryStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A history store moved up from format 2 holds settlement events without a group: a 3201 or 3202
 * that names a group says how many it could not count (and the whole day still adds them up).
 * Here the store drops the group of the first sale's events, as the upgraded store holds them.
 */
class NationalUngroupedHistoryTest {
  private Node node;
  private NationalService national;
  private int msgids;

  /** History in memory, but T1's settlement-side events arrive as format 2 had them: without a group. */
  private static List<HistoryRecord> firstSaleUngrouped(List<HistoryRecord> records) {
    List<HistoryRecord> out = new ArrayList<>(records.size());
    for (HistoryRecord r : records) {
      if (r instanceof HistoryRecord.Settlement s && s.line().txnId().equals("T1")) {
        Result.ReconcileLine l = s.line();
        r = new HistoryRecord.Settlement(s.institution(), new Result.ReconcileLine(l.txnId(), l.kind(), l.atMillis(),
            l.totalFen(), l.ownFen(), l.aidFen(), l.cashFen(), ReconcileGroup.UNGROUPED));
      }
      out.add(r);
    }
    return out;
  }

  @BeforeEach
  void twoSalesOfLiNa_theFirstRecordedBeforeGroups() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    node = Node.open(GatewayConfig.forTests(), clock, new SimulatedStorage(), new RewritingHistoryStore(new MemoryHistoryStore(),
        NationalUngroupedHistoryTest::firstSaleUngrouped));
    DemoData.load(node.gateway());
    national = new NationalService(node.gateway(), clock, true);
    assertEquals(0, call("2102", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "25.00")).get("infcode").asInt());
    assertEquals(0, call("2102", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "4.00")).get("infcode").asInt());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private JsonNode call(String infno, JsonNode input) throws Exception {
    String msgid = DemoData.PHARMACY + "20260302090000" + String.format("%04d", ++msgids);
    byte[] body = NationalEndpoint.envelope(infno, msgid, DemoData.PHARMACY, "POS01", input).toString()
        .getBytes(StandardCharsets.UTF_8);
    return national.call(ByteBuffer.wrap(body)).get(10, TimeUnit.SECONDS);
  }

  private JsonNode reconcile(String infno, String insutype, String setlOptins, String yuan, int count)
      throws Exception {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode d = input.putObject("data");
    d.put("insutype", insutype);
    d.put("setl_optins", setlOptins);
    d.put("stmt_begndate", "2026-03-02");
    d.put("stmt_enddate", "2026-03-02");
    d.put("medfee_sumamt", yuan);
    d.put("fund_pay_sumamt", "0.00");
    d.put("acct_pay", yuan);
    d.put("fixmedins_setl_cnt", Integer.toString(count));
    JsonNode reply = call(infno, input);
    assertEquals(0, reply.get("infcode").asInt(), reply.toString());
    return reply.get("output");
  }

  @Test
  void reconcile3201_ofAGroup_countsTheUngroupedApart_andSaysSo() throws Exception {
    JsonNode group = reconcile("3201", "310", "620100", "4.00", 1);

    assertEquals("0", group.get("stmtinfo").get("stmt_rslt").asText(), group.toString());
    assertEquals("对账一致（另有1笔结算记录早于分组，未计入本组，见gongji_ungrouped）",
        group.get("stmtinfo").get("stmt_rslt_dscr").asText());
    assertEquals(1, group.get("gongji_ungrouped").get("fixmedins_setl_cnt").asLong(), group.toString());
    assertEquals("25.00", group.get("gongji_ungrouped").get("medfee_sumamt").decimalValue().toPlainString());
  }

  @Test
  void reconcile3201_ofTheWholeDay_addsUpBoth_andListsTheUngroupedAsAGroupOfEmptyCodes() throws Exception {
    JsonNode day = reconcile("3201", null, null, "29.00", 2);

    assertEquals("对账一致", day.get("stmtinfo").get("stmt_rslt_dscr").asText(), day.toString());
    assertEquals(2, day.get("gongji_groups").size(), day.toString());
    assertEquals("310/41/620100", text(day.get("gongji_groups").get(0)));
    assertEquals("//", text(day.get("gongji_groups").get(1)));
    assertEquals(null, day.get("gongji_ungrouped"), "nothing left out of the whole day");
  }

  @Test
  void reconcileDetail3202_ofARegion_leavesTheUngroupedRowsOut_andCountsThem() throws Exception {
    JsonNode rows = reconcile("3202", null, "620100", "4.00", 1);

    assertEquals("0", rows.get("stmt_rslt").asText(), rows.toString());
    assertEquals(1, rows.get("gongji_rows").size(), rows.toString());
    assertEquals(1, rows.get("gongji_ungrouped_rows").asLong(), rows.toString());
  }

  private static String text(JsonNode group) {
    return group.get("insutype").asText() + "/" + group.get("clr_type").asText() + "/"
        + group.get("setl_optins").asText();
  }
}
