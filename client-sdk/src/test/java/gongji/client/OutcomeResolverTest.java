package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.LI_NA_SPLIT;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.legs;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import gongji.client.testing.CallRecorder;
import gongji.client.testing.ClientFault;
import gongji.client.testing.ServerFault;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.AuthorizeRequest;
import gongji.v1.SettleRequest;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Unknown outcomes become definite ones: a call whose deadline passed is looked up by its request
 * id and answered "applied" (with its result, charged once) or "not applied" (reversed by id, so
 * that the original is refused should it still arrive).
 */
class OutcomeResolverTest {
  /**
   * Short, so that a held reply makes the client give up soon; long enough for any call that is
   * not held (the look-ups have the same deadline).
   */
  private static final long DEADLINE_MILLIS = 1_500;

  private TestGateway gateway;
  private CallRecorder recorder;
  private GongjiClient client;

  /** The gateway behind {@code serverFaults}, and a client whose calls pass the recorder, then {@code clientFaults}. */
  private void start(ClientOptions options, List<ClientInterceptor> clientFaults, ServerInterceptor... serverFaults)
      throws Exception {
    gateway = TestGateway.inProcess(serverFaults);
    recorder = new CallRecorder();
    List<ClientInterceptor> interceptors = new ArrayList<>(clientFaults);
    interceptors.add(recorder);  // the last added runs first
    client = GongjiClient.create(options, gateway.channelBuilder().intercept(interceptors));
    client.identify(LI_NA);  // the first call of a JVM loads classes: not while a deadline is short
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      client.close();
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  @Test
  void settle_deadlinePassedAfterTheGatewayApplied_resolvedAsAppliedWithoutASecondCharge() throws Exception {
    ServerFault held = ServerFault.firstCalls(1, SettlementServiceGrpc.getSettleMethod(),
        ServerFault.Kind.REPLY_HELD_UNTIL_CLIENT_GIVES_UP);
    start(options(POS).defaultDeadlineMillis(DEADLINE_MILLIS).build(), List.of(), held);
    Sale authorized = client.authorize(basket(LI_NA).build());

    CompletableFuture<Sale> settling = client.settleAsync(authorized.transactionId(), RequestOptions.DEFAULTS);
    assertTrue(held.awaitHandlerReplied(10, TimeUnit.SECONDS), "the gateway applied the settle");
    Sale paid = Form.await(settling);

    assertEquals(List.of(Status.Code.OK), held.handlerStatuses().stream().map(Status::getCode).toList());
    assertEquals(List.of(paid.requestId()), held.requestIds(), "the settle reached the gateway once, never resent");
    assertEquals(List.of("Identify", "Authorize", "Settle", "GetTransaction"), shortNames(), "looked up, not reversed");
    assertEquals(Sale.State.SETTLED, paid.state());
    assertEquals(authorized.transactionId(), paid.transactionId());
    assertEquals(LI_NA_SPLIT, legs(paid.split()));
    assertEquals(List.of(0L, 490_000L, 200_000L), balances(), "charged once");
    assertEquals(List.of(0L, 0L, 0L), held());
  }

  @Test
  void settle_deadlinePassedBeforeItWasSent_notAppliedAndTheOriginalIsRefusedWhenItArrives() throws Exception {
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getSettleMethod());
    start(options(POS).build(), List.of(fault));
    Sale authorized = client.authorize(basket(LI_NA).build());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> client.settle(authorized.transactionId()));

    SettleRequest original = fault.withheld(SettlementServiceGrpc.getSettleMethod()).get(0);
    assertEquals(RejectionReason.NOT_APPLIED, e.reason());
    assertEquals(original.getRequestId(), e.metadata().get("request_id"));
    assertEquals(List.of("Identify", "Authorize", "Settle", "GetTransaction", "Reverse"), shortNames(),
        "looked up, not found, reversed");
    assertRefusedAsReversed(() -> gateway.settlement().settle(original));
    assertEquals(Sale.State.AUTHORIZED, client.getTransaction(authorized.transactionId()).state());
    assertEquals(List.of(3_000L, 10_000L, 10_000L), held(), "still held, not paid");
    // "Send it again with a new request id": the sale goes through, once.
    assertEquals(Sale.State.SETTLED, client.settle(authorized.transactionId()).state());
    assertEquals(List.of(0L, 490_000L, 200_000L), balances());
  }

  @Test
  void authorize_deadlinePassedBeforeItWasSent_notAppliedAndNothingHeld() throws Exception {
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getAuthorizeMethod());
    start(options(POS).build(), List.of(fault));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> Form.await(client.authorizeAsync(basket(LI_NA).build())));

    AuthorizeRequest original = fault.withheld(SettlementServiceGrpc.getAuthorizeMethod()).get(0);
    assertEquals(RejectionReason.NOT_APPLIED, e.reason());
    assertEquals(original.getRequestId(), e.metadata().get("request_id"));
    assertRefusedAsReversed(() -> gateway.settlement().authorize(original));
    assertEquals(List.of(0L, 0L, 0L), held());
  }

  @Test
  void refund_deadlinePassedAfterTheGatewayApplied_resolvedAsRefundedOnce() throws Exception {
    ServerFault heldReply = ServerFault.firstCalls(1, SettlementServiceGrpc.getRefundMethod(),
        ServerFault.Kind.REPLY_HELD_UNTIL_CLIENT_GIVES_UP);
    start(options(POS).defaultDeadlineMillis(DEADLINE_MILLIS).build(), List.of(), heldReply);
    Sale authorized = client.authorize(basket(LI_NA).build());
    client.settle(authorized.transactionId());

    Sale refunded = client.refund(authorized.transactionId());

    assertEquals(Sale.State.REFUNDED, refunded.state());
    assertEquals(LI_NA_SPLIT, legs(refunded.split()));
    assertEquals(1, heldReply.requestIds().size());
    assertEquals(List.of(3_000L, 500_000L, 210_000L), balances(), "refunded once");
  }

  @Test
  void settle_resolvingTurnedOff_outcomeUnknownWithTheIdToResend() throws Exception {
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getSettleMethod());
    start(options(POS).resolveUnknownOutcomes(false).build(), List.of(fault));
    Sale authorized = client.authorize(basket(LI_NA).build());

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.settle(authorized.transactionId()));

    String id = fault.withheld(SettlementServiceGrpc.getSettleMethod()).get(0).getRequestId();
    assertEquals(RejectionReason.OUTCOME_UNKNOWN, e.reason());
    assertEquals("DEADLINE_EXCEEDED", e.statusCode());
    assertEquals(id, e.metadata().get("request_id"));
    assertEquals(List.of("Identify", "Authorize", "Settle"), shortNames(), "no look-up");
    // Resending with the same id is safe: it settles once.
    assertEquals(Sale.State.SETTLED, Form.await(client.settleAsync(authorized.transactionId(), RequestOptions.requestId(id))).state());
    assertEquals(List.of(0L, 490_000L, 200_000L), balances());
  }

  @Test
  void settle_clientClosedWhileTheGatewayIsUnreachable_endsAsOutcomeUnknownInsteadOfHanging() throws Exception {
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getSettleMethod());
    ServerFault lookupsFail = ServerFault.firstCalls(Integer.MAX_VALUE, SettlementServiceGrpc.getGetTransactionMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    // One attempt a look-up: each fails at once, and the resolver spends its time waiting between
    // look-ups (a few hundred ms by the fourth), which is when the client is closed.
    start(options(POS).maxAttempts(1).build(), List.of(fault), lookupsFail);
    Sale authorized = client.authorize(basket(LI_NA).build());
    CompletableFuture<Sale> settling = client.settleAsync(authorized.transactionId(), RequestOptions.DEFAULTS);
    assertTrue(lookupsFail.awaitInjected(4, 10, TimeUnit.SECONDS), "the resolver made 4 look-ups");

    client.close();

    ExecutionException e = assertThrows(ExecutionException.class, () -> settling.get(10, TimeUnit.SECONDS));
    GongjiRetryableException unknown = assertInstanceOf(GongjiRetryableException.class, e.getCause());
    assertEquals(RejectionReason.OUTCOME_UNKNOWN, unknown.reason());
    assertEquals(fault.withheld(SettlementServiceGrpc.getSettleMethod()).get(0).getRequestId(),
        unknown.metadata().get("request_id"));
  }

  private static void assertRefusedAsReversed(Runnable sendOriginal) {
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, sendOriginal::run);
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    ErrorInfo info = StatusProto.fromThrowable(refused).getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(any -> {
          try {
            return any.unpack(ErrorInfo.class);
          } catch (com.google.protobuf.InvalidProtocolBufferException x) {
            throw new AssertionError(x);
          }
        })
        .findFirst().orElseThrow();
    assertEquals("REQUEST_ID_REVERSED", info.getReason());
  }

  private List<String> shortNames() {
    return recorder.calls().stream().map(CallRecorder.Call::shortName).toList();
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
