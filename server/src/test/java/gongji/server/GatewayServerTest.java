package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.InProcessGateway;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the server adds around the node: health and reflection. */
class GatewayServerTest {
  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
  }

  @AfterEach
  void close() throws Exception {
    gw.close();
  }

  @Test
  void healthCheck_settlementService_serving() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(gw.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);

    assertEquals(ServingStatus.SERVING, health.check(
        HealthCheckRequest.newBuilder().setService("gongji.v1.SettlementService").build()).getStatus());
    assertEquals(ServingStatus.SERVING, health.check(
        HealthCheckRequest.newBuilder().setService("gongji.v1.AdminService").build()).getStatus());
  }

  @Test
  void reflection_listServices_includesTheGongjiServices() throws Exception {
    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(gw.channel())
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            reply.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            reply.completeExceptionally(new AssertionError("completed without a reply"));
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    List<String> services = reply.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();

    assertTrue(services.contains("gongji.v1.SettlementService"), services.toString());
    assertTrue(services.contains("gongji.v1.AdminService"), services.toString());
    assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
  }
}
