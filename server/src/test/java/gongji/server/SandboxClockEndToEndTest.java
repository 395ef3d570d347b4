package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.byTransactionId;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import gongji.server.ledger.Journal;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.testing.Refusal;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Clock;
import gongji.v1.GetClockRequest;
import gongji.v1.ItemCategory;
import gongji.v1.MoveClockRequest;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.TransactionState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status.Code;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test clocks: a sandbox gateway's clock moves forward by an admin call, journaled; a real one refuses. */
class SandboxClockEndToEndTest {
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");
  private static final long DAY_SECONDS = 24 * 3600;

  @TempDir
  Path dir;
  private GatewayServer server;
  private ManagedChannel channel;

  private void start(Node node) throws Exception {
    try {
      if (!DemoData.loaded(node.gateway())) {
        DemoData.load(node.gateway());
      }
      server = GatewayServer.startNetty(node, GatewayConfig.forTests());
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
      channel = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void moveClock_retriedWithTheSameId_movesOnce() throws Exception {
    start(Node.open(GatewayConfig.forTests().asSandbox(), InstantSource.system(), new FileStorage(dir)));
    MoveClockRequest move = MoveClockRequest.newBuilder().setRequestId("MOVE-1").setAdvanceSeconds(DAY_SECONDS).build();

    Clock first = admin().moveClock(move);
    Clock retry = admin().moveClock(move);
    Refusal reused = Refusal.of(() -> admin().moveClock(move.toBuilder().setAdvanceSeconds(60).build()));

    assertTrue(retry.getOffsetSeconds() < 2 * DAY_SECONDS - 3600, "moved once: " + first + " then " + retry);
    assertEquals(first.getOffsetSeconds(), retry.getOffsetSeconds());
    assertEquals("REQUEST_ID_REUSED", reused.reason());
  }

  @Test
  void moveClock_aDayAhead_expiresTheHoldAndARestartKeepsTheTime() throws Exception {
    GatewayConfig sandbox = GatewayConfig.forTests().asSandbox();
    start(Node.open(sandbox, InstantSource.system(), new FileStorage(dir)));
    AuthorizeResponse held = settlement().authorize(authorize("C-1", POS, card("SSC-LINA"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 1_000)).build());

    Clock moved = admin().moveClock(MoveClockRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAdvanceSeconds(DAY_SECONDS).build());
    TransactionState after = settlement().getTransaction(byTransactionId(POS, held.getTransactionId()))
        .getTransaction().getState();
    stop();
    start(Node.open(sandbox, InstantSource.system(), new FileStorage(dir)));
    Clock again = admin().getClock(GetClockRequest.getDefaultInstance());

    assertTrue(moved.getSandbox());
    assertTrue(moved.getOffsetSeconds() >= DAY_SECONDS, moved.toString());
    assertEquals(TransactionState.TRANSACTION_STATE_EXPIRED, after, "the hold expired at the new time");
    assertTrue(again.getNow().getSeconds() >= moved.getNow().getSeconds(), "not back after a restart: " + again);
    assertEquals(TransactionState.TRANSACTION_STATE_EXPIRED, settlement().getTransaction(
        byTransactionId(POS, held.getTransactionId())).getTransaction().getState(), "replayed the same");
  }

  @Test
  void moveClock_badRequests_refusedNamingTheField() throws Exception {
    start(Node.open(GatewayConfig.forTests().asSandbox(), InstantSource.system(), new FileStorage(dir)));
    long nowSeconds = admin().getClock(GetClockRequest.getDefaultInstance()).getNow().getSeconds();

    Refusal.of(() -> admin().moveClock(MoveClockRequest.newBuilder().setRequestId("R1").build())).assertFieldInvalid("advance_seconds");
    Refusal.of(() -> admin().moveClock(MoveClockRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAdvanceSeconds(-5).build()))
        .assertFieldInvalid("advance_seconds");
    Refusal.of(() -> admin().moveClock(MoveClockRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setToTime(Timestamp.newBuilder().setSeconds(nowSeconds - 60)).build())).assertFieldInvalid("to_time");
    Clock to = admin().moveClock(MoveClockRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setToTime(Timestamp.newBuilder().setSeconds(nowSeconds + 3600)).build());
    assertTrue(to.getNow().getSeconds() >= nowSeconds + 3600, to.toString());
  }

  @Test
  void moveClock_onARealGateway_refusedSandboxOnly() throws Exception {
    start(new Node(GatewayConfig.forTests(), InstantSource.system(), Journal.NONE));

    Refusal.expect(Code.FAILED_PRECONDITION, "SANDBOX_ONLY",
        () -> admin().moveClock(MoveClockRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAdvanceSeconds(60).build()));
    Clock clock = admin().getClock(GetClockRequest.getDefaultInstance());

    assertFalse(clock.getSandbox());
    assertEquals(0, clock.getOffsetSeconds());
  }
}
