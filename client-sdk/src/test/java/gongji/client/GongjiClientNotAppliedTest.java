package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.LI_NA_SPLIT;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.legs;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.CallRecorder;
import gongji.client.testing.ServerFault;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.ManagedChannelBuilder;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call that provably never reached the gateway's ledger ends as not applied at once, without the
 * look-up and reversal an unknown outcome needs; one that reached it stays unknown until resolved.
 */
class GongjiClientNotAppliedTest {
  private TestGateway gateway;
  private GongjiClient client;
  private final CallRecorder recorder = new CallRecorder();

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private List<String> methodsCalled() {
    return recorder.calls().stream().map(CallRecorder.Call::shortName).toList();
  }

  @Test
  void authorize_connectionRefused_notAppliedWithoutALookUp() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    client = GongjiClient.create(options(POS).maxAttempts(3).build(),
        ManagedChannelBuilder.forAddress("127.0.0.1", closedPort).usePlaintext().intercept(recorder));

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.authorize(basket(LI_NA).build()));

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), e.getMessage());
    assertTrue(e.notApplied(), e.getMessage());
    assertEquals("UNAVAILABLE", e.statusCode());
    assertTrue(e.metadata().containsKey("request_id"), "the id that may be sent again");
    assertEquals(List.of("Authorize"), methodsCalled(), "nothing looked up, nothing reversed");
  }

  @Test
  void authorize_shedAtAdmission_notAppliedAndTheSameIdWorksLater() throws Exception {
    GongjiRetryableException e = failFirstThenSendAgain(ServerFault.Kind.SHED_BEFORE_HANDLER);

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), e.getMessage());
    assertTrue(e.notApplied());
    assertEquals("RESOURCE_EXHAUSTED", e.statusCode());
  }

  @Test
  void authorize_overloaded_notAppliedWithTheRetryDelayWithoutALookUp_andTheSameIdWorksLater() throws Exception {
    GongjiRetryableException e = failFirstThenSendAgain(ServerFault.Kind.OVERLOADED_BEFORE_HANDLER);

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), e.getMessage());
    assertTrue(e.notApplied(), "a known outcome, not OUTCOME_UNKNOWN");
    assertFalse(OutcomeResolver.unknown(e));
    assertEquals("RESOURCE_EXHAUSTED", e.statusCode());
    assertEquals(100, e.retryDelayMillis());
    assertEquals("系统繁忙，本次请求未处理，请稍后使用相同请求号重试", e.cashierMessage());
  }

  @Test
  void authorize_gatewaySaysNotApplied_notAppliedWithoutALookUpAndTheSameIdWorksLater() throws Exception {
    GongjiRetryableException e = failFirstThenSendAgain(ServerFault.Kind.NOT_APPLIED_BEFORE_HANDLER);

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), e.getMessage());
    assertTrue(e.notApplied(), "a known outcome, not OUTCOME_UNKNOWN");
    assertFalse(OutcomeResolver.unknown(e));
    assertEquals("DEADLINE_EXCEEDED", e.statusCode());
    assertEquals(100, e.retryDelayMillis());
    assertEquals("请求超时未处理，未生效，请使用相同请求号重新提交", e.cashierMessage());
  }

  @Test
  void authorize_overloadedTwice_sentAgainAfterTheRetryDelay_appliedOnce() throws Exception {
    gateway = TestGateway.inProcess(ServerFault.firstCalls(2, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.OVERLOADED_BEFORE_HANDLER));
    client = GongjiClient.create(options(POS).build(), gateway.channelBuilder().intercept(recorder));
    String id = client.newRequestId();

    Sale sale = client.authorize(basket(LI_NA).requestId(id).build());

    assertEquals(List.of("Authorize", "Authorize", "Authorize"), methodsCalled(), "two shed, the third applied");
    assertEquals(LI_NA_SPLIT, legs(sale.split()));
    assertEquals(id, sale.requestId());
  }

  @Test
  void authorize_requestBodyTimedOut_notAppliedWithoutALookUp_andTheSameIdWorksLater() throws Exception {
    GongjiRetryableException e = failFirstThenSendAgain(ServerFault.Kind.BODY_TIMEOUT_BEFORE_HANDLER);

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), e.getMessage());
    assertTrue(e.notApplied(), "a known outcome, not OUTCOME_UNKNOWN");
    assertFalse(OutcomeResolver.unknown(e));
    assertEquals("UNAVAILABLE", e.statusCode());
  }

  @Test
  void authorize_overloadedOnEveryAttempt_notAppliedAfterMaxAttempts() throws Exception {
    gateway = TestGateway.inProcess(ServerFault.firstCalls(3, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.OVERLOADED_BEFORE_HANDLER));
    client = GongjiClient.create(options(POS).build(), gateway.channelBuilder().intercept(recorder));

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.authorize(basket(LI_NA).build()));

    assertTrue(e.notApplied(), e.getMessage());
    assertEquals(List.of("Authorize", "Authorize", "Authorize"), methodsCalled(), "3 attempts, nothing looked up");
    assertEquals(0, gateway.account(DemoData.LI_NA).getHeldFen(), "nothing held");
  }

  @Test
  void authorize_overloadedWithARetryDelayPastTheDeadline_notSentAgain() throws Exception {
    gateway = TestGateway.inProcess(ServerFault.firstCalls(1, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.OVERLOADED_FOR_A_MINUTE_BEFORE_HANDLER));
    client = GongjiClient.create(options(POS).build(), gateway.channelBuilder().intercept(recorder));

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.authorize(basket(LI_NA).build()));

    assertTrue(e.notApplied(), e.getMessage());
    assertEquals(List.of("Authorize"), methodsCalled(), "a retry after a minute would be past the deadline");
  }

  /**
   * Authorizes under one id whose first call meets {@code fault} (one attempt only, so that a shed
   * call is not sent again by the client), checks that nothing was held, nothing looked up or
   * reversed, and that the same id then authorizes; returns the first failure.
   */
  private GongjiRetryableException failFirstThenSendAgain(ServerFault.Kind fault) throws Exception {
    gateway = TestGateway.inProcess(ServerFault.firstCalls(1, SettlementServiceGrpc.getAuthorizeMethod(), fault));
    client = GongjiClient.create(options(POS).maxAttempts(1).build(), gateway.channelBuilder().intercept(recorder));
    String id = client.newRequestId();

    GongjiRetryableException e = assertThrows(GongjiRetryableException.class,
        () -> client.authorize(basket(LI_NA).requestId(id).build()));
    assertEquals(0, gateway.account(DemoData.LI_NA).getHeldFen(), "nothing held");
    Sale again = client.authorize(basket(LI_NA).requestId(id).build());

    assertEquals(List.of("Authorize", "Authorize"), methodsCalled(), "nothing looked up, nothing reversed");
    assertEquals(LI_NA_SPLIT, legs(again.split()));
    return e;
  }

  @Test
  void authorize_unavailableAfterReachingTheGateway_resolvedByLookUpNotTakenAsNotSent() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, SettlementServiceGrpc.getAuthorizeMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    gateway = TestGateway.inProcess(fault);
    client = GongjiClient.create(options(POS).maxAttempts(1).build(), gateway.channelBuilder().intercept(recorder));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> client.authorize(basket(LI_NA).build()));

    assertEquals(RejectionReason.NOT_APPLIED, e.reason(), "looked up and reversed: " + e.getMessage());
    assertTrue(e.notApplied());
    assertEquals(List.of("Authorize", "GetTransaction", "Reverse"), methodsCalled());
  }

  @Test
  void outcomeUnknown_isNotNotApplied() {
    GongjiRetryableException unknown = new GongjiRetryableException(RejectionReason.OUTCOME_UNKNOWN,
        "DEADLINE_EXCEEDED", "late", java.util.Map.of(), null);

    assertFalse(unknown.notApplied());
    assertTrue(OutcomeResolver.unknown(unknown));
  }
}
