package gongji.server.metrics;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.testing.Refusal;
import gongji.v1.AuthorizeResponse;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status.Code;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus endpoint of a real gateway (Netty on 127.0.0.1:0, a data directory with snapshots)
 * scraped over HTTP: Micrometer's binders and the ledger's own figures are all there, with values.
 */
class MetricsEndToEndTest {
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withSnapshots(5, Duration.ofHours(1));

  @TempDir
  Path dir;
  private GatewayServer server;
  private ManagedChannel channel;
  private int metricsPort;

  private void start() throws Exception {
    Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir));
    try {
      if (!DemoData.loaded(node.gateway())) {
        DemoData.load(node.gateway());
      }
      server = GatewayServer.startNetty(node, CONFIG);
      metricsPort = node.metrics().serve("127.0.0.1", 0);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The value of the one sample whose line starts with {@code prefix} (name and labels). */
  private static double sample(String scrape, String prefix) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + "[^ ]* ([-0-9.E]+)$").matcher(scrape);
    assertTrue(m.find(), "no sample " + prefix + " in\n" + scrape);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void scrape_afterSalesAndAnImpersonation_showsEveryBinderAndTheLedgersFigures() throws Exception {
    start();
    AuthorizeResponse a = settlement().authorize(authorize("M-1", POS, card("SSC-LINA"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 35_000), item(ItemCategory.ITEM_CATEGORY_COSMETICS, 2_000, false)).build());
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> settlement().identify(
        identify(POS, card("SSC-ZHANGWEI")).toBuilder().setPsnNo(DemoData.LI_NA).build()));

    String open = scrape();
    // 30.00 own account + 200.00 mutual aid held; the 140.00 cash is not.
    assertEquals(23_000, sample(open, "gongji_ledger_holds_outstanding_fen"));
    assertEquals(1, sample(open, "gongji_ledger_sales_open"));
    assertEquals(1, sample(open, "gongji_ledger_alerts_total{kind=\"IMPERSONATION\""));
    assertEquals(0, sample(open, "gongji_ledger_alerts_total{kind=\"MUTUAL_AID_LIMIT_EXCEEDED\""));
    // Micrometer's gRPC interceptor: a histogram per method and status code.
    assertTrue(sample(open, "grpc_server_processing_duration_seconds_bucket{method=\"Authorize\","
        + "methodType=\"UNARY\",service=\"gongji.v1.SettlementService\",statusCode=\"OK\",le=\"+Inf\"") >= 1, open);
    assertEquals(1, sample(open, "grpc_server_processing_duration_seconds_count{method=\"Identify\","
        + "methodType=\"UNARY\",service=\"gongji.v1.SettlementService\",statusCode=\"PERMISSION_DENIED\""));
    // Caffeine's binder on the reference caches; JVM and process binders.
    assertTrue(sample(open, "cache_gets_total{cache=\"credential_owners\",result=\"hit\"") >= 1, open);
    for (String meter : List.of("cache_size{cache=\"insured\"", "cache_evictions_total{cache=\"institutions\"",
        "jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
        "jvm_classes_loaded_classes", "process_cpu_usage", "system_cpu_count", "process_uptime_seconds",
        "process_files_open_files", "gongji_ledger_recovery_seconds")) {
      sample(open, meter);
    }

    settlement().settle(settle("M-2", POS, a.getTransactionId()));
    String settled = scrape();
    assertEquals(0, sample(settled, "gongji_ledger_holds_outstanding_fen"));
    assertEquals(0, sample(settled, "gongji_ledger_sales_open"));
  }

  @Test
  void scrape_afterRestart_countsSnapshotsButNotTheAlertsReplayed() throws Exception {
    start();
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> settlement().identify(
        identify(POS, card("SSC-ZHANGWEI")).toBuilder().setPsnNo(DemoData.LI_NA).build()));
    // The demo's load made more than 5 journaled commands: a snapshot is on its way.
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sample(scrape(), "gongji_ledger_snapshot_write_seconds_count") < 1 && System.nanoTime() < waitUntil) {
      Thread.sleep(20);
    }
    assertTrue(sample(scrape(), "gongji_ledger_snapshot_write_seconds_count") >= 1, "a snapshot was written");
    assertEquals(1, sample(scrape(), "gongji_ledger_snapshot_off_writer"), "made by the follower");
    sample(scrape(), "gongji_ledger_snapshot_follower_lag_commands");
    assertEquals(0, sample(scrape(), "gongji_ledger_snapshot_follower_reseeds_total"), "none given up");
    stop();

    start();
    String again = scrape();
    assertEquals(0, sample(again, "gongji_ledger_alerts_total{kind=\"IMPERSONATION\""), "replayed, not raised");
    assertTrue(sample(again, "gongji_ledger_recovery_seconds") > 0, again);
  }
}
