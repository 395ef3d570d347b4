package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.v1.Account;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code psn_no} of a request that names a settlement by {@code setl_id} (2103, 2208, 5203) or
 * its request by {@code omsgid} (2601) must be that sale's patient: another patient's number is refused and nothing is given back.
 */
class NationalPatientCheckTest {
  private NationalEndpoint endpoint;
  private String setlId;
  private String settleMsgid;

  @BeforeEach
  void settleASaleForLiNa() throws Exception {
    endpoint = NationalEndpoint.withDemoData();
    settleMsgid = endpoint.msgid(DemoData.PHARMACY);
    JsonNode settled = endpoint.call(NationalEndpoint.envelope("2102", settleMsgid,
        DemoData.PHARMACY, "POS01", NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00")));
    assertEquals(0, settled.get("infcode").asInt(), settled.toString());
    setlId = settled.get("output").get("setlinfo").get("setl_id").asText();
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private JsonNode call(String infno, String psnNo) {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode data = input.putObject("data");
    data.put("setl_id", setlId);
    data.put("mdtrt_id", setlId);
    data.put("psn_no", psnNo);
    return endpoint.call(NationalEndpoint.envelope(infno, endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY,
        "POS01", input));
  }

  private static void refusedAsOtherPatient(JsonNode body) {
    assertEquals(-1, body.get("infcode").asInt(), body.toString());
    assertEquals("PSN_NO_MISMATCH", body.get("gongji_reason").asText(), body.toString());
    assertEquals(true, body.get("err_msg").asText().contains("psn_no"), body.toString());
  }

  @Test
  void cancel_anotherPatientsPsnNo_refusedAndNothingGivenBack() throws Exception {
    Account before = endpoint.gateway().account(DemoData.LI_NA);

    refusedAsOtherPatient(call("2103", DemoData.ZHANG_WEI));
    refusedAsOtherPatient(call("2208", DemoData.ZHAO_LEI));

    assertEquals(before, endpoint.gateway().account(DemoData.LI_NA));
    JsonNode refunded = call("2103", DemoData.LI_NA);
    assertEquals(0, refunded.get("infcode").asInt(), refunded.toString());
    assertEquals("-12.00", refunded.get("output").get("setlinfo").get("acct_pay").asText());
    assertEquals(List.of(), endpoint.gateway().audit());
  }

  @Test
  void reverse_anotherPatientsPsnNo_refusedAndTheSaleStays_ownReversed() throws Exception {
    Account settled = endpoint.gateway().account(DemoData.LI_NA);

    refusedAsOtherPatient(reverse(DemoData.ZHANG_WEI));
    assertEquals(settled, endpoint.gateway().account(DemoData.LI_NA));

    JsonNode reversed = reverse(DemoData.LI_NA);
    assertEquals(0, reversed.get("infcode").asInt(), reversed.toString());
    assertEquals(setlId, reversed.get("output").get("data").get("mdtrt_id").asText());
    assertEquals(List.of(), endpoint.gateway().audit());
  }

  private JsonNode reverse(String psnNo) {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode data = input.putObject("data");
    data.put("psn_no", psnNo);
    data.put("omsgid", settleMsgid);
    data.put("oinfno", "2102");
    return endpoint.call(NationalEndpoint.envelope("2601", endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY,
        "POS01", input));
  }

  @Test
  void lookup_anotherPatientsPsnNo_refused_ownServed() {
    refusedAsOtherPatient(call("5203", DemoData.ZHANG_WEI));

    JsonNode own = call("5203", DemoData.LI_NA);
    assertEquals(0, own.get("infcode").asInt(), own.toString());
    assertEquals(setlId, own.get("output").get("setlinfo").get("setl_id").asText());
  }
}
