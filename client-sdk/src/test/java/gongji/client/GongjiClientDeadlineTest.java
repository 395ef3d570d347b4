package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.CallRecorder;
import gongji.client.testing.ClientFault;
import gongji.client.testing.TestGateway;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No call leaves the client without a deadline: every method, blocking and async, and the resolver's own calls. */
class GongjiClientDeadlineTest {
  private static final long DEADLINE_MILLIS = 4_000;

  private TestGateway gateway;
  private CallRecorder recorder;
  private GongjiClient client;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    recorder = new CallRecorder();
    // The recorder runs first (added last), so it also sees the refund that the fault fails locally.
    client = GongjiClient.create(options(POS).defaultDeadlineMillis(DEADLINE_MILLIS).build(),
        gateway.channelBuilder().intercept(ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getRefundMethod()),
            recorder));
  }

  @AfterEach
  void close() throws Exception {
    try {
      client.close();
    } finally {
      gateway.close();
    }
  }

  @Test
  void everyMethod_blockingAndAsync_sentWithTheConfiguredDeadline() {
    for (Form form : Form.values()) {
      form.identify(client, LI_NA);
      Sale first = form.authorize(client, basket(LI_NA).build());
      form.cancel(client, first.transactionId());
      Sale second = form.authorize(client, basket(LI_NA).build());
      form.getTransaction(client, second.transactionId());
      Sale paid = form.settle(client, second.transactionId(), 30_000);
      if (form == Form.BLOCKING) {
        // The first refund fails before it is sent; the resolver looks it up and reverses it.
        assertThrows(GongjiRejectedException.class, () -> form.refund(client, second.transactionId()));
      }
      form.refund(client, second.transactionId());
      form.reverse(client, paid.requestId() + "X");
    }

    List<CallRecorder.Call> calls = recorder.calls();
    Set<String> methods = new TreeSet<>();
    for (CallRecorder.Call call : calls) {
      methods.add(call.shortName());
      assertNotNull(call.deadline(), call.method() + " without a deadline");
      long remainingMillis = call.deadline().timeRemaining(TimeUnit.MILLISECONDS);
      assertTrue(remainingMillis <= DEADLINE_MILLIS, call.method() + ": " + remainingMillis + " ms left");
    }
    Set<String> all = new TreeSet<>();
    for (MethodDescriptor<?, ?> m : SettlementServiceGrpc.getServiceDescriptor().getMethods()) {
      all.add(m.getBareMethodName());
    }
    assertEquals(all, methods, "every method of the service was called");
    assertEquals(2 * 8 + 3, calls.size(), "8 calls a form, and the failed refund with its look-up and reversal");
  }

  @Test
  void requestOptions_deadlineAndRequestId_sentInPlaceOfTheDefaults() {
    long longer = DEADLINE_MILLIS * 100;
    Sale held = client.authorize(basket(LI_NA).build(), RequestOptions.builder().deadlineMillis(longer).build());
    Sale paid = client.settle(held.transactionId(), 30_000,
        RequestOptions.builder().requestId("SETTLE-1").deadlineMillis(longer).build());
    Sale again = client.settle(held.transactionId(), 30_000, RequestOptions.requestId("SETTLE-1"));

    List<CallRecorder.Call> calls = recorder.calls();
    assertEquals(List.of("Authorize", "Settle", "Settle"), calls.stream().map(CallRecorder.Call::shortName).toList());
    assertTrue(calls.get(0).deadline().timeRemaining(TimeUnit.MILLISECONDS) > DEADLINE_MILLIS, "the call's own deadline");
    assertTrue(calls.get(1).deadline().timeRemaining(TimeUnit.MILLISECONDS) > DEADLINE_MILLIS, "the call's own deadline");
    assertTrue(calls.get(2).deadline().timeRemaining(TimeUnit.MILLISECONDS) <= DEADLINE_MILLIS, "the default");
    assertEquals("SETTLE-1", paid.requestId());
    assertEquals(List.of(paid.transactionId(), paid.requestId(), paid.split().cashPayFen()),
        List.of(again.transactionId(), again.requestId(), again.split().cashPayFen()), "the same id: the original result");
    assertThrows(IllegalArgumentException.class, () -> RequestOptions.builder().deadlineMillis(0));
    assertThrows(IllegalArgumentException.class, () -> RequestOptions.builder().requestId(""));
    assertThrows(IllegalArgumentException.class, () -> client.authorize(basket(LI_NA).requestId("A-1").build(),
        RequestOptions.requestId("A-2")));
  }

  @Test
  void options_noDeadlineOrAnEndlessOne_refused() {
    ClientOptions.Builder b = ClientOptions.builder("127.0.0.1:9090", POS);

    assertThrows(IllegalArgumentException.class, () -> b.defaultDeadlineMillis(0));
    assertThrows(IllegalArgumentException.class, () -> b.defaultDeadlineMillis(-1));
    assertThrows(IllegalArgumentException.class, () -> b.defaultDeadlineMillis(600_001));
    assertEquals(5_000, b.build().defaultDeadlineMillis(), "a default when none is given");
  }
}
