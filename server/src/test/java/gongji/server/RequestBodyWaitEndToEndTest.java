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
import com.google.rpc.RetryInfo;
import gongji.server.testing.Await;
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
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls whose headers arrive but whose request never completes, on the real server (Netty,
 * 127.0.0.1:0): a call that sends its whole message but never half-closes, and one that sends half
 * a message over raw HTTP/2, are ended after {@code request.body.timeout.seconds} (1 s here) with
 * UNAVAILABLE, reason REQUEST_BODY_TIMEOUT and a RetryInfo; nothing of them is applied, their
 * request id stays unused, and they no longer count as awaiting. Over
 * {@code max.calls.awaiting.body} (2 here) a new call is refused at its headers with
 * RESOURCE_EXHAUSTED, reason OVERLOADED and a RetryInfo; once a waiting call goes, calls are served
 * again, and a waiting call that finally sends its request is served too. A health check is never
 * refused by that bound, but one that never half-closes is ended the same way, counted apart.
 */
class RequestBodyWaitEndToEndTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final long SALE_FEN = 1_000;
  private static final String AUTHORIZE_PATH = "/gongji.v1.SettlementService/Authorize";

  private Node node;
  private GatewayServer server;
  private ManagedChannel channel;
  private EventLoopGroup rawLoop;

  private void start(int maxAwaitingBody, Duration bodyTimeout) throws Exception {
    GatewayConfig config = GatewayConfig.forTests()
        .withConnections(ConnectionLimits.defaults().withBodyWait(maxAwaitingBody, bodyTimeout));
    server = NettyGateways.start(config, true);
    node = server.node();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (rawLoop != null) {
      rawLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void callThatNeverHalfCloses_isEndedAfterTheBodyTimeout_nothingApplied_idUsable() throws Exception {
    start(1024, Duration.ofSeconds(1));
    long heldBefore = heldFen();
    CompletableFuture<StatusRuntimeException> closed = new CompletableFuture<>();
    ClientCall<AuthorizeRequest, AuthorizeResponse> call = channel.newCall(SettlementServiceGrpc.getAuthorizeMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status.asRuntimeException(trailers));
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(sale("T-1")); // its whole message, but never the end of its stream

    StatusRuntimeException ended = closed.get(30, TimeUnit.SECONDS);

    Refusal r = Refusal.of(ended);
    assertEquals(Code.UNAVAILABLE, r.code(), ended.toString());
    assertEquals("REQUEST_BODY_TIMEOUT", r.reason());
    assertEquals("1", r.errorInfo().getMetadataOrThrow("timeout_seconds"));
    assertTrue(retryInfo(ended).getRetryDelay().getSeconds() > 0, "RetryInfo says when to send it again");
    assertEquals(1.0, Await.meter(node, "gongji_admission_body_timeouts_total"));
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 0);
    assertEquals(heldBefore, heldFen(), "nothing was applied");
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND", () -> settlement().getTransaction(byRequestId(POS01, "T-1")));
    assertEquals(SALE_FEN, settlement().authorize(sale("T-1")).getBreakdown().getAccountPayFen(),
        "the request id stayed usable");
    assertEquals(heldBefore + SALE_FEN, heldFen());
  }

  @Test
  void halfAMessageOverRawHttp2_isEndedAfterTheBodyTimeout_nothingApplied() throws Exception {
    start(1024, Duration.ofSeconds(1));
    long heldBefore = heldFen();
    byte[] message = sale("T-2").toByteArray();
    ByteBuffer half = ByteBuffer.allocate(5 + message.length / 2);
    half.put((byte) 0).putInt(message.length).put(message, 0, message.length / 2);
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();

    Channel stream = rawHttp2Stream(frames);
    stream.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").scheme("http")
        .path(AUTHORIZE_PATH).authority("127.0.0.1:" + server.port())
        .add("content-type", "application/grpc").add("te", "trailers"), false));
    stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(half.array()), false)).sync();
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 1);

    String trailers = frames.poll(30, TimeUnit.SECONDS);

    assertTrue(trailers != null && trailers.contains("grpc-status=14") && trailers.contains("REQUEST_BODY_TIMEOUT"),
        "trailers-only UNAVAILABLE, REQUEST_BODY_TIMEOUT: " + trailers);
    assertEquals(1.0, Await.meter(node, "gongji_admission_body_timeouts_total"));
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 0);
    assertEquals(heldBefore, heldFen(), "nothing was applied");
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND", () -> settlement().getTransaction(byRequestId(POS01, "T-2")));
    assertEquals(SALE_FEN, settlement().authorize(sale("T-2")).getBreakdown().getAccountPayFen());
  }

  @Test
  void overTheBoundOnCallsAwaitingTheirRequest_aCallIsRefusedAtItsHeaders_andServedOnceOneGoes() throws Exception {
    start(2, Duration.ofSeconds(60));
    long heldBefore = heldFen();
    CompletableFuture<AuthorizeResponse> slowReply = new CompletableFuture<>();
    ClientCall<AuthorizeRequest, AuthorizeResponse> slow = headersOnly(slowReply);
    ClientCall<AuthorizeRequest, AuthorizeResponse> stalled = headersOnly(new CompletableFuture<>());
    // A unary call's headers leave with its request; a health check on the same connection (health
    // is not behind the bound) sends them on.
    HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 2);

    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> settlement().authorize(sale("W-1")));

    Refusal r = Refusal.of(refused);
    assertEquals(Code.RESOURCE_EXHAUSTED, r.code(), refused.toString());
    assertEquals("OVERLOADED", r.reason());
    assertEquals("2", r.errorInfo().getMetadataOrThrow("max_awaiting_body"));
    assertTrue(retryInfo(refused).getRetryDelay().getNanos() > 0, "RetryInfo says when to come back");
    assertEquals(1.0, Await.meter(node, "gongji_admission_awaiting_body_refused_total"));
    assertEquals(2.0, Await.meter(node, "gongji_admission_calls_awaiting_body"), "the refused call never counted");
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "health is never refused");

    stalled.cancel("the client gave up", null);
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 1);
    Refusal.expect(Code.NOT_FOUND, "REQUEST_NOT_FOUND", () -> settlement().getTransaction(byRequestId(POS01, "W-1")));
    assertEquals(SALE_FEN, settlement().authorize(sale("W-1")).getBreakdown().getAccountPayFen(),
        "served again, and the refused call's request id was unused");
    slow.sendMessage(sale("W-2"));
    slow.halfClose();
    assertEquals(SALE_FEN, slowReply.get(30, TimeUnit.SECONDS).getBreakdown().getAccountPayFen(),
        "a call whose request comes late but within the timeout is served");
    Await.until(() -> Await.meter(node, "gongji_admission_calls_awaiting_body") == 0);
    assertEquals(heldBefore + 2 * SALE_FEN, heldFen());
    assertEquals(0.0, Await.meter(node, "gongji_admission_body_timeouts_total"));
  }

  @Test
  void healthCheckThatNeverHalfCloses_isEndedAfterTheBodyTimeout_andCountedApart() throws Exception {
    start(1024, Duration.ofSeconds(1));
    CompletableFuture<StatusRuntimeException> closed = new CompletableFuture<>();
    ClientCall<HealthCheckRequest, HealthCheckResponse> stalled = channel.newCall(HealthGrpc.getCheckMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    stalled.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status.asRuntimeException(trailers));
      }
    }, new Metadata());
    stalled.request(1);
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus(), "sends the stalled call's headers on");

    StatusRuntimeException ended = closed.get(30, TimeUnit.SECONDS);

    Refusal r = Refusal.of(ended);
    assertEquals(Code.UNAVAILABLE, r.code(), ended.toString());
    assertEquals("REQUEST_BODY_TIMEOUT", r.reason());
    assertEquals(1.0, Await.meter(node, "gongji_admission_body_timeouts_total"));
    assertEquals(0.0, Await.meter(node, "gongji_admission_calls_awaiting_body"), "health is counted apart");
  }

  /** A call that has started (its headers written, to be sent with the next flush) and sent nothing else yet. */
  private ClientCall<AuthorizeRequest, AuthorizeResponse> headersOnly(CompletableFuture<AuthorizeResponse> reply) {
    ClientCall<AuthorizeRequest, AuthorizeResponse> call = channel.newCall(SettlementServiceGrpc.getAuthorizeMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(AuthorizeResponse message) {
        reply.complete(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        if (!status.isOk()) {
          reply.completeExceptionally(status.asRuntimeException(trailers));
        }
      }
    }, new Metadata());
    call.request(1);
    return call;
  }

  /**
   * A stream on a new plaintext HTTP/2 connection to the server (no gRPC client: it sends what the
   * test writes), which puts the headers frames it receives (their fields, as text) and its resets
   * into {@code frames}.
   */
  private Channel rawHttp2Stream(BlockingQueue<String> frames) throws InterruptedException {
    rawLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Channel connection = new Bootstrap().group(rawLoop).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect("127.0.0.1", server.port()).sync().channel();
    return new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame h) {
          StringBuilder text = new StringBuilder();
          h.headers().forEach(e -> text.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
          frames.add(text.toString());
        } else if (frame instanceof Http2ResetFrame reset) {
          frames.add("RST_STREAM " + reset.errorCode());
        }
      }
    }).open().sync().getNow();
  }

  private static RetryInfo retryInfo(StatusRuntimeException e) throws Exception {
    for (Any any : StatusProto.fromThrowable(e).getDetailsList()) {
      if (any.is(RetryInfo.class)) {
        return any.unpack(RetryInfo.class);
      }
    }
    throw new AssertionError("no RetryInfo in " + e);
  }

  private static AuthorizeRequest sale(String requestId) {
    return authorize(requestId, POS01, card("SSC-ZHANGWEI"), item(ItemCategory.ITEM_CATEGORY_DRUG, SALE_FEN)).build();
  }

  private long heldFen() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.ZHANG_WEI).build()).getHeldFen();
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }
}
