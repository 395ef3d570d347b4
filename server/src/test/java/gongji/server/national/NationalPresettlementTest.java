package gongji.server.national;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.v1.Account;
import gongji.v1.ItemCategory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a 2102 finds the hold a 2101 placed: by the {@code mdtrt_id} it returned (which must be the
 * same patient's), or by the same input; and the same purchase made again later is a new sale.
 */
class NationalPresettlementTest {
  private NationalEndpoint endpoint;

  @BeforeEach
  void start() throws Exception {
    endpoint = NationalEndpoint.withDemoData();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      assertEquals(List.of(), endpoint.gateway().audit(), "ledger invariants");
    } finally {
      endpoint.close();
    }
  }

  private JsonNode call(String infno, ObjectNode input) {
    return endpoint.call(NationalEndpoint.envelope(infno, endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY,
        "POS01", input));
  }

  private static ObjectNode naming(ObjectNode input, String mdtrtId, String psnNo) {
    ObjectNode info = (ObjectNode) input.get("druginfo");
    info.put("mdtrt_id", mdtrtId);
    info.put("psn_no", psnNo);
    return input;
  }

  private static JsonNode ok(JsonNode body) {
    assertEquals(0, body.get("infcode").asInt(), body.toString());
    return body.get("output").get("setlinfo");
  }

  private static void refusedAsOtherPatient(JsonNode body) {
    assertEquals(-1, body.get("infcode").asInt(), body.toString());
    assertEquals("PSN_NO_MISMATCH", body.get("gongji_reason").asText(), body.toString());
  }

  @Test
  void settle_mdtrtIdOfAnotherPatientsHold_refusedAndTheHoldStaysForItsOwnPatient() throws Exception {
    String mdtrtId = ok(call("2101", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"))).get("mdtrt_id").asText();
    Account held = endpoint.gateway().account(DemoData.LI_NA);

    refusedAsOtherPatient(call("2102", naming(NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"), mdtrtId,
        DemoData.ZHANG_WEI)));

    assertEquals(held, endpoint.gateway().account(DemoData.LI_NA));
    JsonNode settled = ok(call("2102", naming(NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"), mdtrtId,
        DemoData.LI_NA)));
    assertEquals(mdtrtId, settled.get("setl_id").asText());
  }

  @Test
  void settle_mdtrtIdOfAHoldPlacedElsewhere_patientLookedUpFromTheLedger() throws Exception {
    String mdtrtId = endpoint.gateway().settlement().authorize(authorize("grpc-hold-1",
        terminal(DemoData.PHARMACY, "POS01"), card("SSC-LINA"), item(ItemCategory.ITEM_CATEGORY_DRUG, 1_200)).build())
        .getTransactionId();

    refusedAsOtherPatient(call("2102", naming(NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"), mdtrtId,
        DemoData.ZHAO_LEI)));
    JsonNode settled = ok(call("2102", naming(NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"), mdtrtId,
        DemoData.LI_NA)));

    assertEquals(mdtrtId, settled.get("setl_id").asText());
  }

  @Test
  void settle_samePurchaseAgainWithout2101_aNewSale_notTheSettledHold() throws Exception {
    String first = ok(call("2101", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"))).get("mdtrt_id").asText();
    ok(call("2102", naming(NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"), first, DemoData.LI_NA)));

    JsonNode again = ok(call("2102", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00")));

    assertEquals("SETTLED", again.get("gongji_state").asText());
    assertEquals(false, first.equals(again.get("setl_id").asText()), again.toString());
  }

  @Test
  void settle_sameInputAs2101_settlesItsHold() throws Exception {
    String held = ok(call("2101", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"))).get("mdtrt_id").asText();

    JsonNode settled = ok(call("2102", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00")));

    assertEquals(held, settled.get("setl_id").asText());
  }
}
