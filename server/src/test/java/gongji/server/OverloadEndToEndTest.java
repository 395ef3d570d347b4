package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.byRequestId;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RetryInfo;
import com.google.common.util.concurrent.ListenableFuture;
import gongji.server.testing.Await;
import gongji.server.testing.HeldJournal;
import gongji.server.testing.MutableClock;
import gongji.server.testing.NettyGateways;
import gongji.server.testing.Refusal;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.GetAccountRequest;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CancellationException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's bound on calls in flight on the real server (Netty, 127.0.0.1:0), set to one or two
 * calls: a sale held in the ledger (its journal force waits for the test) fills it, and a further
 * call is refused at once with RESOURCE_EXHAUSTED, reason OVERLOADED, a RetryInfo and the cashier's
 * text, applies nothing and leaves its request id usable; health still answers SERVING meanwhile. A
 * call that goes away while its command waits in the writer keeps its place until the writer is
 * done with that command, so the bound bounds the writer's backlog, not only the calls still waiting
 * for a reply; one that goes away before it reached the ledger gives its place back at once. (The
 * client's cancellation and the next call share one connection, so the server reads the reset
 * before the next call's headers.)
 */
class OverloadEndToEndTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final long SALE_FEN = 1_000;

  private final HeldJournal journal = new HeldJournal();
  private Node node;
  private GatewayServer server;
  private ManagedChannel channel;

  /** Starts the real server with a bound of {@code maxInFlight} calls; each test starts its own. */
  private void start(int maxInFlight) throws Exception {
    GatewayConfig config = GatewayConfig.forTests()
        .withAdmission(AdmissionLimits.off().withMaxInFlightCalls(maxInFlight));
    server = NettyGateways.start(config, MutableClock.atMondayMorning(), journal, true);
    node = server.node();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    journal.released.countDown();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void callOverTheBound_isOverloadedWithRetryInfo_nothingApplied_idUsableAfterwards() throws Exception {
    start(1);
    long heldBefore = heldFen();
    journal.hold = true;
    var first = SettlementServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .authorize(sale("A-1"));
    assertTrue(journal.entered.await(30, TimeUnit.SECONDS), "the first sale reached the journal");
    assertEquals(1, node.callsInFlight().inFlight());

    StatusRuntimeException shed = shed("A-2");
    Refusal r = Refusal.of(shed);
    assertEquals(Code.RESOURCE_EXHAUSTED, r.code());
    assertEquals("OVERLOADED", r.reason());
    assertEquals("1", r.errorInfo().getMetadataOrThrow("max_in_flight"));
    assertTrue(detail(shed, RetryInfo.class).getRetryDelay().getNanos() > 0, "RetryInfo says when to come back");
    assertEquals("zh-CN", detail(shed, LocalizedMessage.class).getLocale());
    assertTrue(detail(shed, LocalizedMessage.class).getMessage().contains("未处理"));
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health is never shed");
    List<String> counted = node.metrics().scrape().lines()
        .filter(l -> l.startsWith("grpc_server_processing_duration_seconds_count{") && l.contains("method=\"Authorize\""))
        .toList();
    assertTrue(counted.stream().anyMatch(l -> l.contains("statusCode=\"RESOURCE_EXHAUSTED\"") && l.endsWith(" 1")),
        "gRPC's metrics count the shed call with its status: " + counted);
    assertTrue(counted.stream().noneMatch(l -> l.contains("statusCode=\"UNKNOWN\"") && !l.endsWith(" 0")), counted.toString());

    journal.released.countDown();
    assertEquals(SALE_FEN, first.get(30, TimeUnit.SECONDS).getBreakdown().getAccountPayFen());
    assertEquals(heldBefore + SALE_FEN, heldFen(), "the shed sale holds nothing");
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND", () -> settlement().getTransaction(byRequestId(POS01, "A-2")));
    AuthorizeResponse again = settlement().authorize(sale("A-2"));
    assertEquals(SALE_FEN, again.getBreakdown().getAccountPayFen(), "the request id stayed usable");
    assertEquals(heldBefore + 2 * SALE_FEN, heldFen());
    String metrics = node.metrics().scrape();
    assertTrue(metrics.contains("gongji_admission_overloaded_total{via=\"grpc\"} 1.0"), metrics);
    assertTrue(metrics.contains("gongji_admission_calls_in_flight_max 1.0"), metrics);
  }

  @Test
  void callsOneAfterAnother_neverShed_placeGivenBackAtEachReply() throws Exception {
    start(1);
    for (int i = 1; i <= 20; i++) {
      settlement().authorize(sale("B-" + i));
      settlement().getTransaction(byRequestId(POS01, "B-" + i));
    }
    assertEquals(0, node.callsInFlight().inFlight());
    assertTrue(node.metrics().scrape().contains("gongji_admission_overloaded_total{via=\"grpc\"} 0.0"));
  }

  @Test
  void callCancelledWhileItsSaleWaitsInTheWriter_keepsItsPlace_untilTheWriterAppliedIt() throws Exception {
    start(2);
    long heldBefore = heldFen();
    journal.hold = true;
    ListenableFuture<AuthorizeResponse> first = future().authorize(sale("C-1"));
    assertTrue(journal.entered.await(30, TimeUnit.SECONDS), "the first sale holds the writer in its journal force");
    ListenableFuture<AuthorizeResponse> second = future().authorize(sale("C-2"));
    Await.until(() -> node.sequencer().queueDepth() == 1 && node.callsInFlight().inFlight() == 2);

    second.cancel(true);
    assertThrows(CancellationException.class, second::get);
    Refusal shed = Refusal.of(shed("C-3"));

    assertEquals("OVERLOADED", shed.reason(), "the cancelled sale still waits in the writer");
    assertEquals(2, node.callsInFlight().inFlight());
    journal.released.countDown();
    assertEquals(SALE_FEN, first.get(30, TimeUnit.SECONDS).getBreakdown().getAccountPayFen());
    Await.until(() -> node.callsInFlight().inFlight() == 0);
    assertEquals(heldBefore + 2 * SALE_FEN, heldFen(), "the cancelled sale had reached the writer: applied");
    assertTrue(settlement().getTransaction(byRequestId(POS01, "C-2")).getRequest().getApplied());
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND", () -> settlement().getTransaction(byRequestId(POS01, "C-3")));
    assertEquals(SALE_FEN, settlement().authorize(sale("C-3")).getBreakdown().getAccountPayFen(),
        "the shed sale's request id stayed usable");
    assertEquals(0, node.callsInFlight().inFlight());
    assertEquals(7, Await.meter(node, "gongji_admission_held_seconds_count{via=\"grpc\"}"),
        "every admitted call (three sales, two reads of the account, two lookups) given back and timed once");
  }

  @Test
  void callWhoseRequestHasNotArrived_holdsNoPlace_andGoingAwayGivesNothingBack() throws Exception {
    start(2);
    journal.hold = true;
    ListenableFuture<AuthorizeResponse> first = future().authorize(sale("D-1"));
    assertTrue(journal.entered.await(30, TimeUnit.SECONDS), "the first sale holds the writer in its journal force");
    // Its headers sent, its request not: a unary call's headers leave with its request; the health
    // check after it, on the same connection, sends them on, and its answer says they were read.
    ClientCall<AuthorizeRequest, AuthorizeResponse> waiting = channel.newCall(SettlementServiceGrpc.getAuthorizeMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    waiting.start(new ClientCall.Listener<>() {}, new Metadata());
    waiting.request(1);
    HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    assertEquals(1, node.callsInFlight().inFlight(), "a call whose request has not arrived takes no place");

    waiting.cancel("the client gave up", null);
    ListenableFuture<AuthorizeResponse> second = future().authorize(sale("D-2"));
    Await.until(() -> node.callsInFlight().inFlight() == 2);

    journal.released.countDown();
    assertEquals(SALE_FEN, first.get(30, TimeUnit.SECONDS).getBreakdown().getAccountPayFen());
    assertEquals(SALE_FEN, second.get(30, TimeUnit.SECONDS).getBreakdown().getAccountPayFen(),
        "the place the waiting call never took was the second sale's");
    Await.until(() -> node.callsInFlight().inFlight() == 0);
  }

  private SettlementServiceGrpc.SettlementServiceFutureStub future() {
    return SettlementServiceGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private StatusRuntimeException shed(String requestId) {
    try {
      settlement().authorize(sale(requestId));
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError(requestId + " was admitted");
  }

  private static AuthorizeRequest sale(String requestId) {
    return authorize(requestId, POS01, card("SSC-ZHANGWEI"), item(ItemCategory.ITEM_CATEGORY_DRUG, SALE_FEN)).build();
  }

  private static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type)
      throws Exception {
    for (Any any : StatusProto.fromThrowable(e).getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + e);
  }

  private long heldFen() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.ZHANG_WEI).build()).getHeldFen();
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }
}
