package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.byRequestId;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import gongji.server.ledger.Journal;
import gongji.server.testing.MutableClock;
import gongji.server.testing.Refusal;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeResponse;
import gongji.v1.GetAccountRequest;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission per caller on the real server (Netty, 127.0.0.1:0, bearer tokens): a token bucket per
 * terminal (burst 3) and per institution (burst 5), both refilled at one call a second on the
 * node's clock, which only the test moves. A shed call is RESOURCE_EXHAUSTED with RATE_LIMITED and a
 * RetryInfo, applies nothing, and leaves its request id usable.
 */
class AdmissionEndToEndTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final Terminal POS02 = terminal(DemoData.PHARMACY, "POS02");
  private static final Terminal HIS01 = terminal(DemoData.HOSPITAL, "HIS01");
  private static final long SALE_FEN = 1_000;

  @TempDir Path dir;
  private final MutableClock clock = MutableClock.atMondayMorning();
  private GatewayServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("tokens"), String.join("\n",
        "pos01=" + DemoData.PHARMACY + "/POS01", "pos02=" + DemoData.PHARMACY + "/POS02",
        "his01=" + DemoData.HOSPITAL + "/HIS01", "clerk=admin:clerk:wang", ""));
    GatewayConfig config = GatewayConfig.forTests().withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAdmission(new AdmissionLimits(1, 3, 1, 5, 1_000, 0, 1, 2_048, 200));
    Node node = new Node(config, clock, Journal.NONE);
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
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

  @Test
  void burstFromOneTerminal_isShed_otherTerminalAndInstitutionGoThrough_nothingApplied() {
    for (int i = 1; i <= 3; i++) {
      sale("pos01", "A-" + i, POS01);
    }
    long heldBefore = heldFen();

    StatusRuntimeException shed = shedSale("pos01", "A-4", POS01);
    Refusal r = Refusal.of(shed);
    assertEquals(Code.RESOURCE_EXHAUSTED, r.code());
    assertEquals("RATE_LIMITED", r.reason());
    assertEquals("terminal", r.errorInfo().getMetadataOrThrow("scope"));
    assertTrue(retryDelayNanos(shed) > 0, "RetryInfo says when to come back");
    assertTrue(io.grpc.protobuf.StatusProto.fromThrowable(shed).getDetailsList().stream()
        .filter(d -> d.is(com.google.rpc.LocalizedMessage.class))
        .map(d -> unpack(d, com.google.rpc.LocalizedMessage.class))
        .anyMatch(m -> m.getLocale().equals("zh-CN") && m.getMessage().contains("请求过于频繁")),
        "the cashier's text says the terminal sends too often");

    sale("pos02", "B-1", POS02); // the same institution's other terminal
    sale("his01", "C-1", HIS01); // another institution
    assertEquals(heldBefore + 2 * SALE_FEN, heldFen(), "the shed sale holds nothing");
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND",
        () -> settlement("pos02").getTransaction(byRequestId(POS02, "A-4")));

    clock.advance(Duration.ofSeconds(1));
    AuthorizeResponse again = sale("pos01", "A-4", POS01);
    assertEquals(SALE_FEN, again.getBreakdown().getAccountPayFen(), "the request id stayed usable");
  }

  @Test
  void institutionBucket_shedsItsTerminalsTogether_otherInstitutionGoesThrough() {
    for (int i = 1; i <= 3; i++) {
      sale("pos01", "A-" + i, POS01);
    }
    sale("pos02", "B-1", POS02);
    sale("pos02", "B-2", POS02);

    Refusal r = Refusal.of(shedSale("pos02", "B-3", POS02));
    assertEquals("RATE_LIMITED", r.reason());
    assertEquals("institution", r.errorInfo().getMetadataOrThrow("scope"));
    sale("his01", "C-1", HIS01);
  }

  @Test
  void terminalNamingAnotherInTheBody_isChargedToItsOwnBucket() {
    for (int i = 1; i <= 3; i++) {
      Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> settlement("pos01").authorize(saleRequest("X-" + System.nanoTime(), POS02)));
    }
    Refusal.expect(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED",
        () -> settlement("pos01").authorize(saleRequest("X-4", POS02)));

    sale("pos02", "B-1", POS02); // POS02's own bucket is untouched
  }

  private AuthorizeResponse sale(String token, String requestId, Terminal terminal) {
    return settlement(token).authorize(saleRequest(requestId, terminal));
  }

  private StatusRuntimeException shedSale(String token, String requestId, Terminal terminal) {
    try {
      settlement(token).authorize(saleRequest(requestId, terminal));
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError(requestId + " was admitted");
  }

  private static gongji.v1.AuthorizeRequest saleRequest(String requestId, Terminal terminal) {
    return authorize(requestId, terminal, card("SSC-ZHANGWEI"), item(ItemCategory.ITEM_CATEGORY_DRUG, SALE_FEN))
        .build();
  }

  private static long retryDelayNanos(StatusRuntimeException e) {
    for (Any any : StatusProto.fromThrowable(e).getDetailsList()) {
      if (any.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
          return d.getSeconds() * 1_000_000_000L + d.getNanos();
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
          throw new AssertionError(x);
        }
      }
    }
    return 0;
  }

  private long heldFen() {
    return withToken(AdminServiceGrpc.newBlockingStub(channel), "clerk")
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.ZHANG_WEI).build()).getHeldFen();
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement(String token) {
    return withToken(SettlementServiceGrpc.newBlockingStub(channel), token);
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S withToken(S stub, String token) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static <T extends com.google.protobuf.Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
