package gongji.server;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import gongji.server.grpc.TerminalAuth;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Path;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The gRPC server around a {@link Node}: the services behind the metrics interceptor, health and
 * reflection, and a graceful shutdown (health NOT_SERVING, drain the calls in flight, then close
 * the node, which closes the journal). The {@link ServerBuilder} is injected: Netty in Main, an
 * in-process one in tests.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(GatewayServer.class.getName());

  private final Node node;
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Duration drainTimeout;
  private final EventLoopGroup[] loops;

  private GatewayServer(Node node, ServerBuilder<?> builder, Duration drainTimeout, EventLoopGroup... loops) {
    this.node = requireNonNull(node, "node");
    this.drainTimeout = drainTimeout;
    this.loops = loops;
    for (BindableService service : node.services()) {
      builder.addService(ServerInterceptors.intercept(service, node.metrics().grpcInterceptor()));
      health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    builder.addService(health.getHealthService());
    // A ledger that can no longer make anything durable must be taken out of rotation at once.
    node.sequencer().onPoisoned(() -> {
      health.setStatus("", ServingStatus.NOT_SERVING);
      for (BindableService service : node.services()) {
        health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.NOT_SERVING);
      }
    });
    builder.addService(ProtoReflectionServiceV1.newInstance());
    this.server = builder.build();
  }

  /** Serves the node with the given builder (for tests: an in-process builder). */
  public static GatewayServer start(Node node, ServerBuilder<?> builder, Duration drainTimeout) throws IOException {
    GatewayServer s = new GatewayServer(node, builder, drainTimeout);
    s.server.start();
    return s;
  }

  /** Serves the node on Netty, with native epoll where the platform has it. */
  public static GatewayServer startNetty(Node node, GatewayConfig config) throws IOException {
    EventLoopGroup boss;
    EventLoopGroup workers;
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()));
    if (Epoll.isAvailable()) {
      boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
      b.channelType(EpollServerSocketChannel.class);
      log.info("transport: netty native epoll");
    } else {
      boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
      b.channelType(NioServerSocketChannel.class);
      log.info("transport: netty NIO (native epoll unavailable: " + Epoll.unavailabilityCause() + ")");
    }
    // Each worker loop completes the ledger results of the calls it reads, then writes their replies
    // in one flush: no hop through another thread.
    for (EventExecutor loop : workers) {
      loop.submit(() -> Node.repliesOnThisLoop(loop)).syncUninterruptibly();
    }
    b.bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        // Handlers never block: they run on the event loop and return futures.
        .directExecutor()
        .maxInboundMessageSize(config.maxInboundMessageBytes())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionIdle(30, TimeUnit.MINUTES);
    if (!config.tlsCertChain().isEmpty()) {
      SslContextBuilder ssl = GrpcSslContexts.forServer(new File(config.tlsCertChain()), new File(config.tlsPrivateKey()));
      if (!config.tlsClientCa().isEmpty()) {
        ssl.trustManager(new File(config.tlsClientCa())).clientAuth(ClientAuth.REQUIRE);
      }
      b.sslContext(ssl.build());
      log.info("TLS on" + (config.tlsClientCa().isEmpty() ? "" : ", client certificates required (mTLS)"));
    }
    if (!config.authTokensFile().isEmpty()) {
      b.intercept(TerminalAuth.fromFile(Path.of(config.authTokensFile())));
      log.info("bearer tokens required (" + config.authTokensFile() + ")");
    }
    GatewayServer s = new GatewayServer(node, b, config.drainTimeout(), boss, workers);
    s.server.start();
    return s;
  }

  /** The port the server listens on (-1 in-process). */
  public int port() {
    return server.getPort();
  }

  public Node node() {
    return node;
  }

  /** Health NOT_SERVING, stop taking calls, let the ones in flight finish, then close the node. */
  @Override
  public void close() throws Exception {
    health.enterTerminalState();
    server.shutdown();
    if (!server.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
      log.warning("calls still in flight after " + drainTimeout + "; cancelling them");
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    node.close();
    for (EventLoopGroup g : loops) {
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
