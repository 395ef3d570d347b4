package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.server.AdmissionLimits;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.Node;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.server.testing.Await;
import gongji.server.testing.HeldJournal;
import gongji.server.testing.MutableClock;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The national interface's places in the gateway's bound on calls in flight (set to one) on the real
 * HTTP server, with a journal whose force the test holds or fails: a sale whose connection closes
 * while it waits in the writer keeps its place until the writer has applied it, and every other way a
 * request ends (bad envelope, refusal, a poisoned ledger) gives its place back once, timed in
 * {@code gongji_admission_held_seconds{via="national"}}.
 */
class NationalCallsInFlightTest {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final String HELD_NATIONAL = "gongji_admission_held_seconds_count{via=\"national\"}";

  private final HeldJournal journal = new HeldJournal();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
  private Node node;
  private NationalServer server;
  private URI uri;
  private int seq;

  @BeforeEach
  void start() throws Exception {
    node = new Node(GatewayConfig.forTests().withAdmission(AdmissionLimits.off().withMaxInFlightCalls(1)),
        MutableClock.atMondayMorning(), journal);
    DemoData.load(node.gateway());
    server = NationalServer.start(node.national(), "127.0.0.1", 0, GatewayConfig.DEFAULT_NATIONAL_PATH,
        node.callsInFlight());
    uri = URI.create("http://127.0.0.1:" + server.port() + GatewayConfig.DEFAULT_NATIONAL_PATH);
  }

  @AfterEach
  void stop() throws Exception {
    journal.released.countDown();
    if (server != null) {
      server.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void connectionClosedWhileTheSaleWaitsInTheWriter_placeKept_untilTheWriterAppliedIt() throws Exception {
    long before = balance();
    journal.hold = true;
    byte[] sale = sale("POS01");
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + GatewayConfig.DEFAULT_NATIONAL_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json;charset=UTF-8\r\nContent-Length: " + sale.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(sale);
      out.flush();
      assertTrue(journal.entered.await(30, TimeUnit.SECONDS), "the sale reached the writer");
    }
    assertEquals(1, node.callsInFlight().inFlight());

    HttpResponse<String> shed = post(sale("POS01"));

    assertEquals(503, shed.statusCode(), "the closed connection's sale still holds the one place: " + shed.body());
    journal.released.countDown();
    Await.until(() -> node.callsInFlight().inFlight() == 0);
    assertTrue(balance() < before, "the sale of the closed connection was applied");
    assertEquals(1, Await.meter(node, HELD_NATIONAL), "its place was given back once, and timed");
  }

  @Test
  void badEnvelope_refusal_andAPoisonedLedger_eachGiveThePlaceBackOnce() throws Exception {
    assertEquals(200, post("{not json".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(0, node.callsInFlight().inFlight());

    JsonNode refused = NationalEndpoint.readJson(post(sale("POS99")).body());
    assertEquals(-1, refused.get("infcode").asInt(), refused.toString());
    assertEquals(0, node.callsInFlight().inFlight());

    journal.fail = true;
    JsonNode poisoned = NationalEndpoint.readJson(post(sale("POS01")).body());
    assertEquals("LEDGER_UNAVAILABLE", poisoned.get("gongji_reason").asText(), poisoned.toString());
    assertEquals(0, node.callsInFlight().inFlight());
    JsonNode after = NationalEndpoint.readJson(post(sale("POS01")).body());
    assertEquals("LEDGER_UNAVAILABLE", after.get("gongji_reason").asText(), after.toString());

    assertEquals(0, node.callsInFlight().inFlight());
    assertEquals(4, Await.meter(node, HELD_NATIONAL), "four places taken and given back, each once");
  }

  private byte[] sale(String terminal) {
    String msgid = DemoData.PHARMACY + "20260302090000" + String.format("%04d", ++seq);
    return NationalEndpoint.envelope("2102", msgid, DemoData.PHARMACY, terminal,
        NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "20.00")).toString().getBytes(StandardCharsets.UTF_8);
  }

  private HttpResponse<String> post(byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private long balance() {
    Result r = node.gateway().admin(new Command.GetAccount(DemoData.LI_NA)).join();
    return ((Result.Account) r).balanceFen();
  }
}
