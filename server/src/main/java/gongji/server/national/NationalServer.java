package gongji.server.national;

import static java.util.Objects.requireNonNull;

import gongji.server.gateway.CallsInFlight;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP/1.1 server of the national interface: Netty's HTTP codec and aggregator in front of a
 * {@link NationalService}, on its own port and event loops. One path takes a POST of one JSON
 * envelope and answers 200 with the response envelope, whatever the business outcome (as the
 * provincial platforms do); a wrong path is 404, another method 405, a body above
 * {@link #MAX_BODY_BYTES} 413, and a request past the gateway's bound on calls in flight
 * ({@link CallsInFlight}, shared with the gRPC services) 503 with {@code Retry-After} and the
 * envelope's refusal ({@link #OVERLOADED_JSON}): shed before it reached the gateway, nothing applied,
 * its msgid unused. An admitted request keeps its place until its reply is ready, which is after
 * every command it sent has left the writer, whether or not its connection is still open. The event loop parses and writes; the gateway's futures complete
 * elsewhere and the reply is written back on the channel's loop, in request order per connection.
 */
public final class NationalServer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(NationalServer.class.getName());

  /** The largest request body: {@code input} is at most 40,000 characters (up to 3 bytes each). */
  public static final int MAX_BODY_BYTES = 1 << 20;
  /** Request line and headers. */
  static final int MAX_INITIAL_LINE_BYTES = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  /** Requests of one connection answered but not yet written; above it the connection stops reading. */
  static final int MAX_IN_FLIGHT_PER_CONNECTION = 16;
  /** What a reply's buffer starts with: a 2102's envelope is about 1.5 KB. */
  static final int REPLY_BYTES = 2048;
  /** A connection that sends nothing for this long is closed. */
  static final int IDLE_TIMEOUT_SECONDS = 120;

  private final Channel channel;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;

  private NationalServer(Channel channel, EventLoopGroup boss, EventLoopGroup workers) {
    this.channel = channel;
    this.boss = boss;
    this.workers = workers;
  }

  /**
   * Serves {@code service} at {@code host:port} (0 for any free port) under {@code path}, with no
   * bound of its own on calls in flight beyond the one per connection (tests).
   */
  public static NationalServer start(NationalService service, String host, int port, String path)
      throws InterruptedException {
    return start(service, host, port, path, new CallsInFlight(Integer.MAX_VALUE, CallsInFlight.Observer.NONE));
  }

  /**
   * Serves {@code service} at {@code host:port} (0 for any free port) under {@code path}, each request
   * holding a place of {@code calls} until its reply is ready.
   */
  public static NationalServer start(NationalService service, String host, int port, String path,
      CallsInFlight calls) throws InterruptedException {
    requireNonNull(service, "service");
    requireNonNull(calls, "calls");
    requireNonNull(path, "path");
    EventLoopGroup boss;
    EventLoopGroup workers;
    Class<? extends io.netty.channel.ServerChannel> channelType;
    if (Epoll.isAvailable()) {
      boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
      channelType = EpollServerSocketChannel.class;
    } else {
      boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
      channelType = NioServerSocketChannel.class;
    }
    try {
      Channel ch = new ServerBootstrap()
          .group(boss, workers)
          .channel(channelType)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              c.pipeline()
                  .addLast(new IdleStateHandler(IDLE_TIMEOUT_SECONDS, 0, 0))
                  .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                  .addLast(new Aggregator(MAX_BODY_BYTES))
                  .addLast(new Handler(service, path, calls));
            }
          })
          .bind(new InetSocketAddress(host, port)).sync().channel();
      return new NationalServer(ch, boss, workers);
    } catch (InterruptedException | RuntimeException e) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The port it listens on. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops listening and closes the connections; calls in flight in the gateway still complete there. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The body of a 413: the envelope's refusal shape, in Chinese, with the limit. */
  static final String TOO_LARGE_JSON = "{\"infcode\":-1,\"err_msg\":\"请求报文过大：超过" + MAX_BODY_BYTES
      + "字节的上限\",\"gongji_reason\":\"BODY_TOO_LARGE\"}";

  /**
   * The body of a 503 for a request shed over the gateway's bound on calls in flight: the envelope's
   * refusal shape, in Chinese. Its {@code Retry-After} is {@value #OVERLOADED_RETRY_AFTER_SECONDS} s.
   */
  static final String OVERLOADED_JSON = "{\"infcode\":-1,\"err_msg\":\"系统繁忙，本次请求未处理，请稍后使用相同msgid重试\","
      + "\"gongji_reason\":\"OVERLOADED\"}";
  /** What a shed request's {@code Retry-After} asks a caller to wait (HTTP counts whole seconds). */
  static final int OVERLOADED_RETRY_AFTER_SECONDS = 1;

  /**
   * Netty's aggregator, whose 413 (for a body past {@link #MAX_BODY_BYTES}, whether announced by
   * Content-Length, found while it arrives, or refused before it is sent, after "Expect:
   * 100-continue") carries {@link #TOO_LARGE_JSON} instead of an empty body. The connection is kept
   * or closed as Netty decides: closed once part of the body has been read, since what follows
   * cannot be told from a next request.
   */
  private static final class Aggregator extends HttpObjectAggregator {
    Aggregator(int maxContentLength) {
      super(maxContentLength);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (response instanceof FullHttpResponse r && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
        r.release();
        return tooLarge(true);
      }
      return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
      if (!(oversized instanceof HttpRequest)) {
        super.handleOversizedMessage(ctx, oversized);
        return;
      }
      // As Netty's: close unless the body has not begun (a 100-continue refused) and the client keeps the connection.
      boolean close = oversized instanceof FullHttpMessage || !ctx.channel().config().isAutoRead()
          || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
      ctx.writeAndFlush(tooLarge(!close)).addListener(close ? ChannelFutureListener.CLOSE
          : ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private static FullHttpResponse tooLarge(boolean keepAlive) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.copiedBuffer(TOO_LARGE_JSON, StandardCharsets.UTF_8));
      Handler.headers(res, keepAlive);
      return res;
    }
  }

  /** One per connection: answers requests in the order they came. Runs on the connection's event loop. */
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final NationalService service;
    private final String path;
    private final CallsInFlight calls;
    /** The last reply of this connection written or to be written; the next one waits for it. */
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    private int inFlight;

    Handler(NationalService service, String path, CallsInFlight calls) {
      this.service = service;
      this.path = path;
      this.calls = calls;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.decoderResult().isSuccess()) {
        send(ctx, HttpResponseStatus.BAD_REQUEST, "{\"infcode\":-1,\"err_msg\":\"HTTP请求格式错误\"}", false);
        return;
      }
      String uri = req.uri();
      int q = uri.indexOf('?');
      if (!(q < 0 ? uri : uri.substring(0, q)).equals(path)) {
        send(ctx, HttpResponseStatus.NOT_FOUND, "{\"infcode\":-1,\"err_msg\":\"地址不存在，请使用" + path + "\"}",
            keepAlive);
        return;
      }
      if (!req.method().equals(HttpMethod.POST)) {
        send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"infcode\":-1,\"err_msg\":\"请使用POST\"}", keepAlive);
        return;
      }
      if (!calls.tryEnter("national")) {
        // After the replies this connection still owes, so that they keep the order of the requests.
        last = last.thenRunAsync(() -> send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED_JSON, keepAlive),
            ctx.executor());
        return;
      }
      long entered = System.nanoTime();
      CompletableFuture<ResponseEnvelope> reply;
      try {
        ByteBuffer body = ByteBuffer.wrap(ByteBufUtil.getBytes(req.content()));
        reply = service.call(body, new TifSignatures.Headers(
            req.headers().get(TifSignatures.PAASID), req.headers().get(TifSignatures.TIMESTAMP),
            req.headers().get(TifSignatures.NONCE), req.headers().get(TifSignatures.SIGNATURE)),
            ctx.channel().remoteAddress());
      } catch (RuntimeException | Error e) {
        calls.exit("national", entered);
        throw e;
      }
      // The reply is ready only once every command of the call has left the writer: a connection
      // closed before then changes nothing, the place stays taken until it is (no cancellation here).
      // Given back before the reply is written, so that a client that has its reply finds it free.
      CompletableFuture<ResponseEnvelope> released = reply.whenComplete((envelope, error) -> calls.exit("national",
          entered));
      if (++inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
        ctx.channel().config().setAutoRead(false);
      }
      last = last.thenCombineAsync(released, (done, envelope) -> {
        try {
          write(ctx, envelope, keepAlive);
        } catch (RuntimeException e) {
          log.log(Level.SEVERE, "a reply of the national interface could not be written", e);
          ctx.close();
        }
        return null;
      }, ctx.executor());
    }

    private void write(ChannelHandlerContext ctx, ResponseEnvelope envelope, boolean keepAlive) {
      if (--inFlight < MAX_IN_FLIGHT_PER_CONNECTION && !ctx.channel().config().isAutoRead()) {
        ctx.channel().config().setAutoRead(true);
      }
      ByteBuf body = ctx.alloc().buffer(REPLY_BYTES);
      try {
        envelope.writeTo(new ByteBufOutputStream(body));
      } catch (RuntimeException e) {
        body.release();
        throw e;
      }
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      headers(res, keepAlive);
      ctx.writeAndFlush(res).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String json, boolean keepAlive) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
      if (status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
        res.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
      } else if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
        res.headers().setInt(HttpHeaderNames.RETRY_AFTER, OVERLOADED_RETRY_AFTER_SECONDS);
      }
      headers(res, keepAlive);
      ctx.writeAndFlush(res).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private static void headers(FullHttpResponse res, boolean keepAlive) {
      res.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "application/json;charset=UTF-8")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
      if (keepAlive) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      } else {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        super.userEventTriggered(ctx, evt);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.log(Level.FINE, "national interface connection closed", cause);
      ctx.close();
    }
  }
}
