package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.v1.Account;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The national endpoint with signed callers ({@code national.paas.file}), over real HTTP: the
 * caller's institution (and terminal) come from its signature, and an unsigned, replayed or
 * misdirected request moves no money.
 */
class NationalSignedCallerTest {
  @TempDir Path dir;
  private NationalEndpoint endpoint;
  private int nonce;

  @BeforeEach
  void start() throws Exception {
    endpoint = NationalEndpoint.withDemoDataSigned(TifSignaturesTest.callersFile(dir), Duration.ofSeconds(300), 1000);
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private Map<String, String> headers(String paasId, String token) {
    String timestamp = Long.toString(endpoint.gateway().clock().millis() / 1000);
    String n = "nonce-" + (++nonce);
    return Map.of(TifSignatures.PAASID, paasId, TifSignatures.TIMESTAMP, timestamp, TifSignatures.NONCE, n,
        TifSignatures.SIGNATURE, TifSignatures.sign(timestamp, token, n));
  }

  private Map<String, String> his() {
    return headers("his01", TifSignaturesTest.HIS_TOKEN);
  }

  private ObjectNode personInfo(String institution, String opter) {
    return NationalEndpoint.envelope("1101", endpoint.msgid(institution), institution, opter,
        NationalEndpoint.readJson("{\"data\":{\"mdtrt_cert_type\":\"03\",\"mdtrt_cert_no\":\"SSC-LINA\"}}"));
  }

  private ObjectNode sale(String msgid) {
    return NationalEndpoint.envelope("2102", msgid, DemoData.PHARMACY, "POS01",
        NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "12.00"));
  }

  private static JsonNode ok(HttpResponse<String> response) {
    JsonNode body = NationalEndpoint.readJson(response.body());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(0, body.get("infcode").asInt(), response.body());
    return body;
  }

  private static void refused(HttpResponse<String> response, String reason, String errMsgPart) {
    JsonNode body = NationalEndpoint.readJson(response.body());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(-1, body.get("infcode").asInt(), response.body());
    assertEquals(reason, body.get("gongji_reason").asText(), response.body());
    assertTrue(body.get("err_msg").asText().contains(errMsgPart), response.body());
    assertTrue(body.get("output").isNull(), response.body());
  }

  @Test
  void call_signedByTheInstitutionsHis_served() {
    JsonNode body = ok(endpoint.post(personInfo(DemoData.PHARMACY, "POS01"), his()));

    assertEquals("30.00", body.get("output").get("insuinfo").get(0).get("balc").asText());
  }

  @Test
  void call_unsigned_refusedBeforeTheBodyIsRead() {
    refused(endpoint.post(personInfo(DemoData.PHARMACY, "POS01"), Map.of()), "UNAUTHENTICATED", "x-tif-paasid");
    refused(endpoint.post("{".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "UNAUTHENTICATED", "x-tif-paasid");
  }

  @Test
  void call_anotherInstitutionsCode_refusedAsNotTheSigners() {
    refused(endpoint.post(personInfo(DemoData.HOSPITAL, "HIS01"), his()), "PERMISSION_DENIED", "fixmedins_code");
  }

  @Test
  void call_terminalCredential_mustNameItsOwnTerminal() {
    ok(endpoint.post(personInfo(DemoData.PHARMACY, "POS01"), headers("pos01", TifSignaturesTest.POS_TOKEN)));

    refused(endpoint.post(personInfo(DemoData.PHARMACY, "POS02"), headers("pos01", TifSignaturesTest.POS_TOKEN)),
        "PERMISSION_DENIED", "opter");
  }

  @Test
  void call_replayedHeaders_refusedAndNoMoneyMoves_whileAFreshSignatureGetsTheOriginalOutput() throws Exception {
    String msgid = endpoint.msgid(DemoData.PHARMACY);
    Map<String, String> first = his();
    JsonNode settled = ok(endpoint.post(sale(msgid), first)).get("output");
    Account after = endpoint.gateway().account(DemoData.LI_NA);

    refused(endpoint.post(sale(msgid), first), "NONCE_REUSED", "重放");
    JsonNode resent = ok(endpoint.post(sale(msgid), his())).get("output");

    assertEquals(settled, resent);
    assertEquals(after, endpoint.gateway().account(DemoData.LI_NA));
    assertEquals(java.util.List.of(), endpoint.gateway().audit());
  }
}
