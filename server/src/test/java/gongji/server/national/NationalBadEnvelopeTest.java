package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.v1.Account;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Envelopes the adapter must refuse: each gets {@code infcode -1} with a clear Chinese
 * {@code err_msg} and our reason, or an HTTP 4xx; never a stack trace; and no money moves.
 */
class NationalBadEnvelopeTest {
  private static final List<String> ACCOUNTS = List.of(DemoData.ZHANG_WEI, DemoData.LI_NA, DemoData.WANG_XIUYING,
      DemoData.ZHAO_LEI, DemoData.LIU_GUILAN);

  private NationalEndpoint endpoint;
  private List<Account> before;

  @BeforeEach
  void start() throws Exception {
    endpoint = NationalEndpoint.withDemoData();
    before = ACCOUNTS.stream().map(p -> endpoint.gateway().account(p)).toList();
  }

  @AfterEach
  void noMoneyMoved() throws Exception {
    try {
      assertEquals(before, ACCOUNTS.stream().map(p -> endpoint.gateway().account(p)).toList(), "balances and holds");
      assertEquals(List.of(), endpoint.gateway().audit(), "ledger invariants");
    } finally {
      endpoint.close();
    }
  }

  /** A 2102 that would settle 350.00 for Li Na (own account, then mutual aid, then cash). */
  private ObjectNode sale() {
    return NationalEndpoint.envelope("2102", endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY, "POS01",
        NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "350.00"));
  }

  private static void refused(HttpResponse<String> response, String reason, String errMsgPart) {
    assertEquals(200, response.statusCode(), response.body());
    noStackTrace(response.body());
    JsonNode body = NationalEndpoint.readJson(response.body());
    assertEquals(-1, body.get("infcode").asInt(), response.body());
    assertEquals(reason, body.get("gongji_reason").asText(), response.body());
    assertTrue(body.get("err_msg").asText().contains(errMsgPart), body.get("err_msg").asText());
    assertTrue(body.get("output").isNull(), response.body());
    assertTrue(body.get("inf_refmsgid").asText().matches("[0-9]{30}"), response.body());
  }

  private static void noStackTrace(String body) {
    for (String sign : List.of("Exception", "\tat ", "at gongji.", "java.", "com.fasterxml")) {
      assertFalse(body.contains(sign), "response shows \"" + sign + "\": " + body);
    }
  }

  private HttpResponse<String> post(JsonNode envelope) {
    return endpoint.post(envelope.toString().getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> post(String text) {
    return endpoint.post(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void call_malformedJson_refusedAsNotJson() {
    refused(post("{\"infno\":\"2102\",\"msgid\":"), "MALFORMED_JSON", "不是合法的JSON");
    refused(post(""), "MALFORMED_JSON", "JSON");
    refused(post("null"), "MALFORMED_JSON", "JSON");
    refused(post("[1,2,3]"), "MALFORMED_JSON", "JSON对象");
    refused(post(sale().toString() + " {}"), "MALFORMED_JSON", "不是合法的JSON");
  }

  @Test
  void call_duplicateKey_refusedRatherThanGuessingWhichCounts() {
    String twice = sale().toString().replace("\"infno\":\"2102\",", "\"infno\":\"2102\",\"infno\":\"2101\",");
    refused(post(twice), "MALFORMED_JSON", "不是合法的JSON");
  }

  @Test
  void call_deepNesting_refused() {
    refused(post("{\"a\":".repeat(200) + "1" + "}".repeat(200)), "MALFORMED_JSON", "不是合法的JSON");
  }

  @Test
  void call_notUtf8_refusedAsNotUtf8() {
    byte[] gbk = sale().toString().getBytes(Charset.forName("GBK"));
    refused(endpoint.post(gbk), "NOT_UTF8", "UTF-8");
  }

  @Test
  void call_tenMegabyteBody_refusedWith413() {
    StringBuilder big = new StringBuilder(10 << 20);
    big.append("{\"infno\":\"2102\",\"pad\":\"");
    while (big.length() < 10 << 20) {
      big.append("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
    big.append("\"}");
    HttpResponse<String> response = post(big.toString());
    assertEquals(413, response.statusCode());
    noStackTrace(response.body());
    tooLarge(response);
  }

  /**
   * Refused before it is sent, when the client asks first (curl does for large bodies): the same
   * answer, and the body is never read. Over a socket of its own: JDK 17's HttpClient waits forever
   * for a 100 that a refusal never sends (JDK-8286171).
   */
  @Test
  void call_tenMegabyteBodyAnnouncedWithExpectContinue_refusedWith413BeforeItIsSent() throws Exception {
    java.net.URI uri = endpoint.uri();
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
          + "\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: " + (10 << 20)
          + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("HTTP/1.1 413 Request Entity Too Large", in.readLine());
      int length = -1;
      for (String h; !(h = in.readLine()).isEmpty(); ) {
        if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(h.substring("content-length:".length()).trim());
        }
      }
      assertTrue(length > 0, "a body");
      char[] body = new char[NationalServer.TOO_LARGE_JSON.length()];
      int n = 0;
      while (n < body.length) {
        n += in.read(body, n, body.length - n);
      }
      assertEquals(NationalServer.TOO_LARGE_JSON, new String(body, 0, n));
    }
  }

  private static void tooLarge(HttpResponse<String> response) {
    JsonNode body = NationalEndpoint.readJson(response.body());
    assertEquals(-1, body.get("infcode").asInt(), response.body());
    assertEquals("BODY_TOO_LARGE", body.get("gongji_reason").asText(), response.body());
    assertTrue(body.get("err_msg").asText().contains("请求报文过大"), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
  }

  @Test
  void call_missingField_namesTheField() {
    ObjectNode e = sale();
    e.remove("msgid");
    refused(post(e), "FIELD_MISSING", "msgid");
    e = sale();
    e.remove("fixmedins_code");
    refused(post(e), "FIELD_MISSING", "fixmedins_code");
    e = sale();
    e.remove("input");
    refused(post(e), "FIELD_MISSING", "input");
    e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).remove("medfee_sumamt");
    refused(post(e), "FIELD_MISSING", "medfee_sumamt");
    e = sale();
    ((ObjectNode) e.get("input")).remove("drugdetail");
    refused(post(e), "FIELD_MISSING", "drugdetail");
  }

  @Test
  void call_overLongField_refusedWithTheLimit() {
    ObjectNode e = sale();
    e.put("msgid", e.get("msgid").asText() + "1");
    refused(post(e), "FIELD_TOO_LONG", "最长30位");
    e = sale();
    e.put("opter_name", "王".repeat(51));
    refused(post(e), "FIELD_TOO_LONG", "opter_name");
    e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).put("psn_no", "6".repeat(31));
    refused(post(e), "FIELD_TOO_LONG", "psn_no");
    e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).put("expContent", "x".repeat(20_000));
    ((ObjectNode) e.get("input").get("druginfo")).put("dise_name", "x".repeat(20_000));
    refused(post(e), "FIELD_TOO_LONG", "input");
  }

  @Test
  void call_malformedField_refused() {
    ObjectNode e = sale();
    e.put("fixmedins_code", "X62010200017");
    refused(post(e), "FIELD_INVALID", "fixmedins_code");
    e = sale();
    e.put("infno", "21O2");
    refused(post(e), "FIELD_INVALID", "infno");
    e = sale();
    e.put("input", "not an object");
    refused(post(e), "FIELD_INVALID", "input");
    e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).put("mdtrt_cert_type", "07");
    refused(post(e), "FIELD_INVALID", "mdtrt_cert_type");
    e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).put("med_type", "21");
    refused(post(e), "FIELD_INVALID", "med_type");
  }

  @Test
  void call_unknownInfno_refused() {
    ObjectNode e = sale();
    e.put("infno", "9999");
    refused(post(e), "INFNO_UNKNOWN", "不支持的交易编号");
    e = sale();
    e.put("infno", "1312");
    refused(post(e), "INFNO_NOT_SERVED", "省级医保平台");
  }

  @Test
  void call_outpatientStepsBefore2206_refusedSayingToUse2206And2207() {
    for (String infno : List.of("2201", "2202", "2203", "2203A", "2204", "2205")) {
      ObjectNode e = sale();
      e.put("infno", infno);
      refused(post(e), "INFNO_NOT_NEEDED", "2206");
    }
  }

  @Test
  void call_badMoney_refusedWithTheValue() {
    for (String bad : List.of("350.001", "-350.00", "abc", "1E+999999999", "1e-999999999", "NaN",
        "1000000000000000.00")) {
      ObjectNode e = sale();
      ((ObjectNode) e.get("input").get("druginfo")).put("medfee_sumamt", bad);
      refused(post(e), "FIELD_INVALID", "medfee_sumamt");
    }
    ObjectNode e = sale();
    ((ObjectNode) e.get("input").get("druginfo")).put("medfee_sumamt", "340.00");
    refused(post(e), "FIELD_INVALID", "与明细合计");
    String literal = sale().toString().replace("\"det_item_fee_sumamt\":\"350.00\"", "\"det_item_fee_sumamt\":1e400");
    refused(post(literal), "FIELD_INVALID", "det_item_fee_sumamt");
  }

  @Test
  void call_wrongPathOrMethod_http4xx() {
    HttpResponse<String> wrongPath = endpoint.send(HttpRequest.newBuilder(endpoint.uri().resolve("/fsi/api/other"))
        .POST(HttpRequest.BodyPublishers.ofString(sale().toString())).build());
    assertEquals(404, wrongPath.statusCode());
    HttpResponse<String> get = endpoint.send(HttpRequest.newBuilder(endpoint.uri()).GET().build());
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("allow").orElse(""));
  }

  @Test
  void call_validAfterRefusals_stillServed() {
    refused(post("{"), "MALFORMED_JSON", "JSON");
    JsonNode ok = endpoint.call(NationalEndpoint.envelope("1101", endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY,
        "POS01", NationalEndpoint.readJson("{\"data\":{\"mdtrt_cert_type\":\"03\",\"mdtrt_cert_no\":\"SSC-LINA\"}}")));
    assertEquals(0, ok.get("infcode").asInt(), ok.toString());
    assertEquals("30.00", ok.get("output").get("insuinfo").get(0).get("balc").asText());
  }
}
