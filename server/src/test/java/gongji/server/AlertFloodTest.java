package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.Journal;
import gongji.server.testing.MutableClock;
import gongji.server.testing.Refusal;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Alert;
import gongji.v1.ItemCategory;
import gongji.v1.ListAlertsRequest;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fraud alerts limited per terminal (burst 20, then 10 a minute): ten thousand fake impersonation
 * attempts from one terminal are all refused, but cost the alert history twenty records and one
 * summary, so the real alert another terminal raises is on the first page of ListAlerts; the left-out
 * ones are counted in {@code gongji_alerts_suppressed_total} and in one ALERTS_SUPPRESSED alert.
 */
class AlertFloodTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final Terminal HIS01 = terminal(DemoData.HOSPITAL, "HIS01");
  private static final int FAKES = 10_000;
  private static final int BURST = 20;

  private final MutableClock clock = MutableClock.atMondayMorning();
  private Node node;
  private GatewayServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    GatewayConfig config = GatewayConfig.forTests().withAdmission(new AdmissionLimits(0, 1, 0, 1, 1_000, 10, BURST, 2_048, 200));
    node = new Node(config, clock, Journal.NONE);
    String name = InProcessServerBuilder.generateName();
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.start(node, InProcessServerBuilder.forName(name).directExecutor(), Duration.ofSeconds(5));
    } catch (Exception e) {
      node.close();
      throw e;
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void tenThousandFakesFromOneTerminal_allRefused_theRealAlertStaysOnTheFirstPage_theRestCounted() {
    for (int i = 0; i < FAKES; i++) {
      int n = i;
      Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> settlement().authorize(
          authorize("FAKE-" + n, POS01, card("SSC-LINA"), item(ItemCategory.ITEM_CATEGORY_DRUG, 100))
              .setPsnNo(DemoData.ZHANG_WEI).build()));
    }
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> settlement().identify(
        identify(HIS01, card("SSC-ZHAOLEI")).toBuilder().setPsnNo(DemoData.LI_NA).build()));
    clock.advance(Duration.ofMinutes(1));
    Refusal.expect(Code.PERMISSION_DENIED, "IMPERSONATION", () -> settlement().identify(
        identify(POS01, card("SSC-LINA")).toBuilder().setPsnNo(DemoData.ZHANG_WEI).build()));

    List<Alert> alerts = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .listAlerts(ListAlertsRequest.newBuilder().setPageSize(100).build()).getAlertsList();

    assertEquals(BURST + 3, alerts.size(), () -> "the burst, the hospital's, the summary, the one after: " + alerts);
    assertTrue(alerts.stream().anyMatch(a -> a.getFixmedinsCode().equals(DemoData.HOSPITAL)), "the real alert");
    List<Alert> summaries = alerts.stream().filter(a -> a.getKind().equals("ALERTS_SUPPRESSED")).toList();
    assertEquals(1, summaries.size(), alerts::toString);
    int leftOut = FAKES - BURST;
    assertTrue(summaries.get(0).getDetail().startsWith(leftOut + " IMPERSONATION alerts from terminal "
        + DemoData.PHARMACY + "/POS01"), summaries.get(0)::getDetail);
    assertTrue(node.metrics().scrape().contains(
        "gongji_alerts_suppressed_total{kind=\"IMPERSONATION\"} " + leftOut + ".0"), "the metric counts them");
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
