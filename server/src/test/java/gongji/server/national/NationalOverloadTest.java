package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.server.DemoData;
import gongji.server.gateway.CallsInFlight;
import gongji.v1.Account;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The national interface behind the gateway's bound on calls in flight, set to one call, on the real
 * HTTP server: while the one place is taken (here by the test itself, standing for a call held in
 * the ledger), a sale is answered HTTP 503 with {@code Retry-After} and the envelope's refusal
 * (infcode -1, a Chinese err_msg, gongji_reason OVERLOADED), applies nothing, and its msgid settles
 * the sale once the place is free.
 */
class NationalOverloadTest {
  private final List<String> shed = new ArrayList<>();
  private final CallsInFlight calls = new CallsInFlight(1, shed::add);
  private NationalEndpoint endpoint;

  @BeforeEach
  void start() throws Exception {
    endpoint = NationalEndpoint.withDemoData(calls);
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  @Test
  void saleOverTheBound_503WithTheEnvelopesRefusal_nothingApplied_msgidSettlesAfterwards() {
    Account before = endpoint.gateway().account(DemoData.LI_NA);
    byte[] sale = NationalEndpoint.envelope("2102", endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY, "POS01",
        NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "20.00")).toString().getBytes(StandardCharsets.UTF_8);
    assertTrue(calls.tryEnter("test"), "the one place, taken as by a call in flight");

    HttpResponse<String> refused = endpoint.post(sale);

    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("1", refused.headers().firstValue("retry-after").orElse(""));
    JsonNode body = NationalEndpoint.readJson(refused.body());
    assertEquals(-1, body.get("infcode").asInt());
    assertEquals("OVERLOADED", body.get("gongji_reason").asText());
    assertTrue(body.get("err_msg").asText().contains("系统繁忙"), body.toString());
    assertEquals(List.of("national"), shed);
    assertEquals(before, endpoint.gateway().account(DemoData.LI_NA), "nothing applied");

    calls.exit();
    HttpResponse<String> again = endpoint.post(sale);

    assertEquals(200, again.statusCode(), again.body());
    assertEquals(0, NationalEndpoint.readJson(again.body()).get("infcode").asInt(), again.body());
    assertTrue(endpoint.gateway().account(DemoData.LI_NA).getBalanceFen() < before.getBalanceFen(),
        "the same msgid settled the sale");
    assertEquals(List.of("national"), shed);
  }
}
