package gongji.server.national;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.GatewayConfig;
import gongji.server.testing.InProcessGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real national endpoint over HTTP on 127.0.0.1 (any free port) in front of an
 * {@link InProcessGateway}, and a client that posts envelopes to it. Close it after each test.
 */
public final class NationalEndpoint implements AutoCloseable {
  /** Numbers as BigDecimal, so that a test sees "350.00" as the server wrote it. */
  static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final InProcessGateway gateway;
  private final NationalServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
  private final URI uri;
  private final AtomicInteger seq = new AtomicInteger();

  private NationalEndpoint(InProcessGateway gateway, NationalService service) throws Exception {
    this(gateway, service, new gongji.server.gateway.CallsInFlight(Integer.MAX_VALUE,
        gongji.server.gateway.CallsInFlight.Observer.NONE));
  }

  private NationalEndpoint(InProcessGateway gateway, NationalService service, gongji.server.gateway.CallsInFlight calls)
      throws Exception {
    this.gateway = gateway;
    try {
      this.server = NationalServer.start(service, "127.0.0.1", 0, GatewayConfig.DEFAULT_NATIONAL_PATH, calls);
    } catch (Exception e) {
      gateway.close();
      throw e;
    }
    this.uri = URI.create("http://127.0.0.1:" + server.port() + GatewayConfig.DEFAULT_NATIONAL_PATH);
  }

  /** The demo data set behind the endpoint; {@code acct_pay} includes {@code acct_mulaid_pay}. */
  static NationalEndpoint withDemoData() throws Exception {
    InProcessGateway g = InProcessGateway.startWithDemoData();
    return new NationalEndpoint(g, g.node().national());
  }

  /** The demo data set behind an endpoint whose requests each hold a place of {@code calls} until answered. */
  static NationalEndpoint withDemoData(gongji.server.gateway.CallsInFlight calls) throws Exception {
    InProcessGateway g = InProcessGateway.startWithDemoData();
    return new NationalEndpoint(g, g.node().national(), calls);
  }

  /** The demo data set behind an endpoint that writes its calls to {@code audit}. */
  static NationalEndpoint withDemoDataAudited(gongji.server.audit.AuditLog audit) throws Exception {
    InProcessGateway g = InProcessGateway.startWithDemoData();
    return new NationalEndpoint(g, g.node().national().auditedBy(audit));
  }

  /** The demo data set, with the province's {@code acct_pay} convention given. */
  static NationalEndpoint withDemoData(boolean mulaidInAcctPay) throws Exception {
    InProcessGateway g = InProcessGateway.startWithDemoData();
    return new NationalEndpoint(g, new NationalService(g.node().gateway(), g.clock(), mulaidInAcctPay));
  }

  /** The demo data set behind an endpoint that takes only requests signed by the callers in {@code callersFile}. */
  static NationalEndpoint withDemoDataSigned(Path callersFile, Duration maxSkew, int maxNonces)
      throws Exception {
    InProcessGateway g = InProcessGateway.startWithDemoData();
    try {
      return new NationalEndpoint(g, g.node().national().signedBy(
          TifSignatures.fromFile(callersFile, maxSkew, maxNonces, g.clock())));
    } catch (Exception e) {
      g.close();
      throw e;
    }
  }

  InProcessGateway gateway() {
    return gateway;
  }

  URI uri() {
    return uri;
  }

  /** A new msgid of {@code institution}: code (12) + yyyyMMddHHmmss (14) + sequence (4). */
  String msgid(String institution) {
    return institution + "20260302090000" + String.format("%04d", seq.incrementAndGet());
  }

  /** An envelope from the pharmacy's terminal POS01. */
  public static ObjectNode envelope(String infno, String msgid, String institution, String opter, JsonNode input) {
    ObjectNode e = JSON.createObjectNode();
    e.put("infno", infno);
    e.put("msgid", msgid);
    e.put("mdtrtarea_admvs", "620100");
    e.put("insuplc_admdvs", "620100");
    e.put("recer_sys_code", "YBXT");
    e.put("dev_no", "");
    e.put("dev_safe_info", "");
    e.put("cainfo", "");
    e.put("signtype", "");
    e.put("infver", "V1.0");
    e.put("opter_type", "1");
    e.put("opter", opter);
    e.put("opter_name", "收银员王芳");
    e.put("inf_time", "2026-03-02 09:00:00");
    e.put("fixmedins_code", institution);
    e.put("fixmedins_name", "兰州惠民大药房(城关店)");
    e.put("sign_no", "");
    e.set("input", input);
    return e;
  }

  /**
   * The {@code input} of a 2101/2102 for Li Na by her social security card: one in-scope drug line
   * of {@code yuan}, accounts and mutual aid allowed.
   */
  static ObjectNode liNaDrugSale(String psnNo, String yuan) {
    ObjectNode input = JSON.createObjectNode();
    ObjectNode info = input.putObject("druginfo");
    info.put("psn_no", psnNo);
    info.put("mdtrt_cert_type", "03");
    info.put("mdtrt_cert_no", "SSC-LINA");
    info.put("medfee_sumamt", yuan);
    info.put("insutype", "310");
    info.put("acct_used_flag", "1");
    info.put("med_type", "41");
    ObjectNode line = input.putArray("drugdetail").addObject();
    line.put("feedetl_sn", "1");
    line.put("med_list_codg", "XJ01CRA040A001010104459");
    line.put("det_item_fee_sumamt", yuan);
    return input;
  }

  /** Posts a tree; the response envelope. */
  JsonNode call(JsonNode envelope) {
    return readJson(post(envelope.toString().getBytes(StandardCharsets.UTF_8)).body());
  }

  /** Posts bytes as they are; the HTTP response. */
  HttpResponse<String> post(byte[] body) {
    return send(HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /** Posts a tree with these headers (the x-tif-* signature); the HTTP response. */
  HttpResponse<String> post(JsonNode envelope, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
        .header("Content-Type", "application/json;charset=UTF-8");
    headers.forEach(b::header);
    return send(b.POST(HttpRequest.BodyPublishers.ofByteArray(envelope.toString().getBytes(StandardCharsets.UTF_8)))
        .build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      gateway.close();
    }
  }
}
