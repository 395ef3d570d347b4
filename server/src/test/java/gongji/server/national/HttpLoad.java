package gongji.server.national;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 load client for the benchmark: a pool of keep-alive connections on Netty, one
 * request at a time on each, as a pharmacy's POS pool would hold them. The JDK's HttpClient costs
 * more per request than the server under test, so it would measure itself.
 */
final class HttpLoad implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final BlockingQueue<Connection> idle;
  private final List<Connection> all = new ArrayList<>();
  private final URI uri;

  HttpLoad(URI uri, int connections) throws InterruptedException {
    this.uri = uri;
    this.idle = new ArrayBlockingQueue<>(connections);
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(
        new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel c) {
            c.pipeline().addLast(new HttpClientCodec()).addLast(new HttpObjectAggregator(1 << 20))
                .addLast(new Connection());
          }
        });
    for (int i = 0; i < connections; i++) {
      Channel ch = b.connect(uri.getHost(), uri.getPort()).sync().channel();
      Connection c = ch.pipeline().get(Connection.class);
      all.add(c);
      idle.add(c);
    }
  }

  /** Posts {@code body} on a free connection (waits for one); completes with the response body. */
  CompletableFuture<String> post(byte[] body) throws InterruptedException {
    Connection c = idle.poll(60, TimeUnit.SECONDS);
    if (c == null) {
      throw new IllegalStateException("no connection free within 60 s");
    }
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath(),
        Unpooled.wrappedBuffer(body));
    req.headers().set(HttpHeaderNames.HOST, uri.getHost()).set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    CompletableFuture<String> reply = new CompletableFuture<>();
    c.pending = reply;
    c.channel.writeAndFlush(req);
    return reply.whenComplete((r, e) -> idle.add(c));
  }

  @Override
  public void close() {
    for (Connection c : all) {
      c.channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
    volatile Channel channel;
    volatile CompletableFuture<String> pending;

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      channel = ctx.channel();
      super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      pending.complete(res.content().toString(StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (pending != null) {
        pending.completeExceptionally(cause);
      }
      ctx.close();
    }
  }
}
