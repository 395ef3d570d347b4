package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.NettyGateways;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionLimits} on the real Netty server, on both gRPC ports (terminal and admin):
 * headers over {@code max.inbound.metadata.bytes} fail the call, and a call beyond
 * {@code max.concurrent.calls.per.connection} is not served while the calls of its connection last
 * (another connection is).
 */
class ConnectionLimitsEndToEndTest {
  private static final int METADATA_BYTES = 2048;

  private GatewayServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    GatewayConfig config = GatewayConfig.forTests().withAdminPort(0, "")
        .withConnections(ConnectionLimits.defaults().withCallsAndMetadata(1, METADATA_BYTES));
    server = NettyGateways.start(config, false);
    assertNotEquals(server.port(), server.adminPort(), "the back office on a port of its own");
  }

  @AfterEach
  void stopServer() throws Exception {
    try {
      for (ManagedChannel c : channels) {
        c.shutdownNow();
        assertTrue(c.awaitTermination(10, TimeUnit.SECONDS), "channel terminated");
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private ManagedChannel channel(int port) {
    ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static HealthCheckResponse check(ManagedChannel channel, Metadata headers, long deadlineSeconds) {
    return HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
  }

  @Test
  void call_headersOverTheMetadataLimit_failsOnBothPorts_andSmallHeadersPass() {
    for (int port : new int[] {server.port(), server.adminPort()}) {
      ManagedChannel channel = channel(port);
      Metadata large = new Metadata();
      large.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(2 * METADATA_BYTES));
      Metadata small = new Metadata();
      small.put(Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER), "p".repeat(100));

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check(channel, large, 10),
          "port " + port);
      assertNotEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), "refused, not left waiting: " + e);

      assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(channel, small, 10).getStatus(), "port " + port);
    }
  }

  @Test
  void call_beyondTheConcurrentCallsOfItsConnection_isNotServed_onBothPorts() throws Exception {
    for (int port : new int[] {server.port(), server.adminPort()}) {
      ManagedChannel channel = channel(port);
      // A call that stays open: a health watch, answered at once and then kept.
      CountDownLatch answered = new CountDownLatch(1);
      ClientCallStreamObserver<?>[] watch = new ClientCallStreamObserver<?>[1];
      HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(),
          new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> call) {
              watch[0] = call;
            }

            @Override
            public void onNext(HealthCheckResponse value) {
              answered.countDown();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
      assertTrue(answered.await(10, TimeUnit.SECONDS), "the watch is served");

      // The connection's one call is taken: a second is never served while the watch lasts.
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check(channel, new Metadata(), 1),
          "port " + port);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
      // Another connection is not affected.
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(channel(port), new Metadata(), 10).getStatus());
      watch[0].cancel("done", null);
    }
  }
}
