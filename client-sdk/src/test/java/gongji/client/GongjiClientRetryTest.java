package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.LI_NA_SPLIT;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.legs;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.client.testing.ServerFault;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.Status;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway that is UNAVAILABLE for a moment: the client retries with the same request id, and the
 * patient is charged once. The faults are injected by a server interceptor in front of the real
 * service.
 */
class GongjiClientRetryTest {
  private TestGateway gateway;
  private GongjiClient client;

  private void start(ServerFault fault, int maxAttempts) throws Exception {
    gateway = TestGateway.inProcess(fault);
    client = GongjiClient.create(options(POS).maxAttempts(maxAttempts).build(), gateway.channelBuilder());
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  @Test
  void authorize_unavailableTwiceBeforeTheGatewaySawIt_retriedWithTheSameIdAndHeldOnce() throws Exception {
    ServerFault fault = ServerFault.firstCalls(2, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    start(fault, 3);

    Sale sale = client.authorize(basket(LI_NA).build());

    assertEquals(2, fault.injected());
    assertEquals(Collections.nCopies(3, sale.requestId()), fault.requestIds(), "every attempt carried the same id");
    assertEquals(LI_NA_SPLIT, legs(sale.split()));
    assertHeldOnce();
  }

  @Test
  void settle_replyLostAfterTheGatewayApplied_retryGetsTheOriginalAndChargesOnce() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, SettlementServiceGrpc.getSettleMethod(),
        ServerFault.Kind.REPLY_LOST_AS_UNAVAILABLE);
    start(fault, 3);
    Sale held = client.authorize(basket(LI_NA).build());

    Sale paid = client.settle(held.transactionId());

    assertEquals(List.of(Status.Code.OK), fault.handlerStatuses().stream().map(Status::getCode).toList(),
        "the first attempt was applied; only its reply was lost");
    assertEquals(Collections.nCopies(2, paid.requestId()), fault.requestIds(), "the retry carried the same id");
    assertEquals(Sale.State.SETTLED, paid.state());
    assertEquals(LI_NA_SPLIT, legs(paid.split()));
    assertEquals(List.of(0L, 490_000L, 200_000L), balances(), "charged once");
  }

  @Test
  void authorize_unavailableOnEveryAttempt_resolvedAsNotAppliedAndTheIdIsRefusedLater() throws Exception {
    ServerFault fault = ServerFault.firstCalls(2, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    start(fault, 2);
    String id = client.newRequestId();

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> client.authorize(basket(LI_NA).requestId(id).build()));
    GongjiRejectedException late = assertThrows(GongjiRejectedException.class,
        () -> client.authorize(basket(LI_NA).requestId(id).build()));

    assertEquals(Collections.nCopies(3, id), fault.requestIds(), "2 attempts, then the same id once more");
    assertEquals(RejectionReason.NOT_APPLIED, e.reason());
    assertEquals(id, e.metadata().get("request_id"));
    assertEquals(RejectionReason.REQUEST_ID_REVERSED, late.reason());
    assertEquals(List.of(0L, 0L, 0L), held());
  }

  @Test
  void authorize_maxAttemptsOne_triedOnceAndTheIdToResendIsInTheException() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    gateway = TestGateway.inProcess(fault);
    client = GongjiClient.create(options(POS).maxAttempts(1).resolveUnknownOutcomes(false).build(),
        gateway.channelBuilder());

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.authorize(basket(LI_NA).build()));

    assertEquals(1, fault.requestIds().size());
    assertEquals("UNAVAILABLE", e.statusCode());
    assertEquals(fault.requestIds().get(0), e.metadata().get("request_id"), "the id to resend is in the exception");
    assertEquals(List.of(0L, 0L, 0L), held());
  }

  private void assertHeldOnce() {
    assertEquals(List.of(3_000L, 10_000L, 10_000L), held(), "held once");
  }

  private List<Long> held() {
    return List.of(gateway.account(DemoData.LI_NA).getHeldFen(), gateway.account(DemoData.ZHANG_WEI).getHeldFen(),
        gateway.account(DemoData.WANG_XIUYING).getHeldFen());
  }

  private List<Long> balances() {
    return List.of(gateway.account(DemoData.LI_NA).getBalanceFen(), gateway.account(DemoData.ZHANG_WEI).getBalanceFen(),
        gateway.account(DemoData.WANG_XIUYING).getBalanceFen());
  }
}
