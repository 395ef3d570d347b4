package gongji.server;

import static java.util.Objects.requireNonNull;

import gongji.server.audit.AuditLog;
import gongji.server.grpc.AuditInterceptor;
import gongji.server.grpc.BearerTokens;
import gongji.server.grpc.CallerAuth;
import gongji.server.grpc.InFlightBound;
import gongji.server.grpc.MalformedRequests;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.EventExecutor;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The gRPC servers around a {@link Node}: the settlement service on the terminal port and the back
 * office (AdminService, FamilyService) on the admin port, each behind caller authentication
 * ({@link CallerAuth}), the guard against malformed messages ({@link MalformedRequests}) and the
 * metrics interceptor, with health and reflection; and a graceful shutdown (health NOT_SERVING,
 * drain the calls in flight, then close the node, which closes the journal). The {@link ServerBuilder}
 * is injected: Netty in Main, an in-process one (every service, no authentication) in tests.
 */
// close() waits for threads and calls in flight; an interrupt while it waits goes to the caller
// (javac's "try" lint warns of any close() that may throw InterruptedException).
@SuppressWarnings("try")
public final class GatewayServer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(GatewayServer.class.getName());
  private static final String SETTLEMENT = "gongji.v1.SettlementService";

  private final Node node;
  private final Server server;
  private final Server adminServer;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Duration drainTimeout;
  private final EventLoopGroup[] loops;
  private final AuditLog audit;

  /**
   * Serves the settlement service on {@code builder} and the back office (AdminService,
   * FamilyService) on {@code adminBuilder}, or every service on {@code builder} when it is null.
   */
  private GatewayServer(Node node, ServerBuilder<?> builder, ServerBuilder<?> adminBuilder, Duration drainTimeout,
      AuditLog audit, ConnectionLimits limits, EventLoopGroup workers, EventLoopGroup... loops) {
    this.node = requireNonNull(node, "node");
    this.drainTimeout = drainTimeout;
    this.loops = loops;
    this.audit = audit;
    // Also bounds and times the calls whose request has not all arrived (InFlightBound says how): on
    // each worker loop, whose calls it times on that loop.
    InFlightBound inFlight = new InFlightBound(node.callsInFlight(), limits.maxCallsAwaitingBody(),
        limits.requestBodyTimeout(), node.metrics().bodyObserver());
    node.metrics().bindCallsAwaitingBody(inFlight);
    if (workers != null) {
      for (EventExecutor loop : workers) {
        loop.submit(() -> inFlight.timeBodiesOnThisLoop(loop)).syncUninterruptibly();
      }
    }
    for (BindableService service : node.services()) {
      String name = service.bindService().getServiceDescriptor().getName();
      ServerBuilder<?> target = adminBuilder == null || name.equals(SETTLEMENT) ? builder : adminBuilder;
      ServerServiceDefinition definition = service.bindService();
      ServerServiceDefinition audited = audit == null ? definition
          : ServerInterceptors.intercept(definition, new AuditInterceptor(audit, java.time.InstantSource.system()));
      // Shed calls cost no audit record or service work; gongji_admission_shed_total and
      // gongji_admission_overloaded_total count them. The bound on calls in flight is outermost but
      // takes its place at the half-close, when the request has all arrived (InFlightBound says why):
      // so the caller's rate is checked first, when the message arrives, and a call refused over it
      // takes no place. Health and reflection are not behind either.
      ServerServiceDefinition admitted = name.equals(SETTLEMENT)
          ? ServerInterceptors.intercept(audited, node.admission()) : audited;
      // gRPC's own metrics outside both, so that a call they refuse is counted with its status
      // (RESOURCE_EXHAUSTED) rather than as a call that never ended (UNKNOWN).
      target.addService(MalformedRequests.guard(
          node.metrics().instrument(ServerInterceptors.intercept(admitted, inFlight))));
      health.setStatus(name, ServingStatus.SERVING);
    }
    // A ledger that can no longer make anything durable must be taken out of rotation at once.
    node.sequencer().onPoisoned(() -> {
      health.setStatus("", ServingStatus.NOT_SERVING);
      for (BindableService service : node.services()) {
        health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.NOT_SERVING);
      }
    });
    // Health is never refused, but a health check whose request never completes is ended all the
    // same (it needs no credential): timed apart from the other calls, neither refusing nor refused by them.
    InFlightBound healthBodies = new InFlightBound(node.callsInFlight(), Integer.MAX_VALUE,
        limits.requestBodyTimeout(), node.metrics().bodyObserver());
    if (workers != null) {
      for (EventExecutor loop : workers) {
        loop.submit(() -> healthBodies.timeBodiesOnThisLoop(loop)).syncUninterruptibly();
      }
    }
    ServerServiceDefinition healthService = ServerInterceptors.intercept(health.getHealthService(),
        healthBodies.timingBodiesOnly());
    builder.addService(healthService);
    builder.addService(ProtoReflectionServiceV1.newInstance());
    this.server = builder.build();
    if (adminBuilder != null) {
      adminBuilder.addService(healthService);
      adminBuilder.addService(ProtoReflectionServiceV1.newInstance());
      this.adminServer = adminBuilder.build();
    } else {
      this.adminServer = null;
    }
  }

  /** Serves the node with the given builder (for tests: an in-process builder), every service on it. */
  public static GatewayServer start(Node node, ServerBuilder<?> builder, Duration drainTimeout) throws IOException {
    GatewayServer s = new GatewayServer(node, builder, null, drainTimeout, null, ConnectionLimits.defaults(), null);
    s.server.start();
    return s;
  }

  /**
   * Refuses settings that would expose the gateway: {@code --demo} or {@code auth.required=false} on
   * a host that is not loopback, caller authentication required but no credential configured, the
   * national interface without signed callers ({@code national.paas.file}) on a host that is not
   * loopback.
   *
   * @throws IllegalArgumentException saying what to change
   */
  public static void checkExposure(GatewayConfig config) {
    boolean loopback = isLoopback(config.host());
    if (config.demo() && !loopback) {
      throw new IllegalArgumentException("--demo listens on loopback only (its tokens are printed for anyone to"
          + " read), not on --host " + config.host() + "; to serve other hosts, run without --demo with terminal"
          + " certificates (tls.client.ca) or tokens (auth.tokens.file): see docs/OPERATIONS.md");
    }
    if (!config.authRequired() && !loopback) {
      throw new IllegalArgumentException("auth.required=false lets anyone who reaches the port move money: it is"
          + " allowed on a loopback host only, not on " + config.host());
    }
    if (config.authRequired() && !config.demo() && config.tlsClientCa().isEmpty()
        && config.authTokensFile().isEmpty()) {
      throw new IllegalArgumentException("no caller authentication is configured: set tls.client.ca (terminal"
          + " certificates naming " + "gongji:institution/CODE/terminal/ID) and/or auth.tokens.file (bearer"
          + " tokens), or run --demo to try it on loopback (see docs/OPERATIONS.md and ./gongji certs)");
    }
    if (config.nationalPort() >= 0 && !loopback && config.nationalPaasFile().isEmpty()) {
      throw new IllegalArgumentException("the national interface (national.port) on " + config.host() + " needs"
          + " signed callers: set national.paas.file (one <paasid> <paasToken> <principal> a line), or"
          + " national.port=-1, or serve it on a loopback host behind a proxy that authenticates");
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host: " + host + " cannot be resolved", e);
    }
  }

  /**
   * Serves the node on Netty, with native epoll where the platform has it: the terminal port, and
   * the back office on {@code admin.port} (unless -1). Caller authentication ({@link CallerAuth}) is
   * on unless {@code auth.required=false}; {@code --demo} without a tokens file uses the demo's
   * tokens ({@link DemoData#TOKENS}).
   */
  public static GatewayServer startNetty(Node node, GatewayConfig config) throws IOException {
    checkExposure(config);
    BearerTokens tokens = !config.authTokensFile().isEmpty() ? BearerTokens.fromFile(Path.of(config.authTokensFile()))
        : config.demo() ? BearerTokens.of(DemoData.TOKENS) : BearerTokens.none();
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      // The leak detector takes a stack trace of a sample of buffers on the event loops: a debugging
      // aid for code that handles buffers itself, which ours does not; on when the property asks.
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    EventLoopGroup boss;
    EventLoopGroup workers;
    Class<? extends ServerChannel> channelType;
    if (Epoll.isAvailable()) {
      boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
      channelType = EpollServerSocketChannel.class;
      log.info("transport: netty native epoll");
    } else {
      boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
      channelType = NioServerSocketChannel.class;
      log.info("transport: netty NIO (native epoll unavailable: " + Epoll.unavailabilityCause() + ")");
    }
    // Each worker loop completes the ledger results of the calls it reads, then writes their replies
    // in one flush: no hop through another thread.
    for (EventExecutor loop : workers) {
      loop.submit(() -> Node.repliesOnThisLoop(loop)).syncUninterruptibly();
    }
    NettyServerBuilder b = netty(config, config.port(), boss, workers, channelType);
    tls(b, config, config.tlsClientCa(), tokens, "terminal port");
    NettyServerBuilder admin = null;
    if (config.adminPort() >= 0) {
      admin = netty(config, config.adminPort(), boss, workers, channelType);
      tls(admin, config, config.adminTlsClientCa(), tokens, "admin port");
    }
    Path auditDir = config.auditDirectory();
    AuditLog audit = auditDir == null ? null
        : new AuditLog(auditDir, config.auditMaxFileBytes(), 65_536, java.time.InstantSource.system());
    if (audit == null) {
      log.warning("audit log OFF (audit.dir=off, or no data directory)");
    } else {
      log.info("audit log: " + auditDir.toAbsolutePath().resolve("audit.log"));
      node.metrics().bindAudit(audit::droppedTotal);
    }
    if (config.authRequired()) {
      CallerAuth auth = new CallerAuth(tokens, audit);
      b.intercept(auth);
      if (admin != null) {
        admin.intercept(auth);
      }
      if (admin != null && config.adminTlsClientCa().isEmpty() && !tokens.hasAdmin()) {
        log.warning("admin port: no admin credential is configured (admin.tls.client.ca or admin:clerk:NAME"
            + " tokens), so nobody can reach the back office");
      }
      log.info("caller authentication on: " + (config.tlsClientCa().isEmpty() ? "" : "terminal certificates, ")
          + (tokens.isEmpty() ? "no tokens" : "bearer tokens (" + (config.authTokensFile().isEmpty() ? "the demo's"
          : config.authTokensFile()) + ")"));
    } else {
      log.warning("caller authentication OFF (auth.required=false): every request is trusted; loopback only");
    }
    GatewayServer s = new GatewayServer(node, b, admin, config.drainTimeout(), audit, config.connections(), workers,
        boss, workers);
    s.server.start();
    if (s.adminServer != null) {
      try {
        s.adminServer.start();
      } catch (IOException e) {
        s.server.shutdownNow();
        throw new IOException("admin.port " + config.adminPort() + ": " + e.getMessage(), e);
      }
    }
    return s;
  }

  private static NettyServerBuilder netty(GatewayConfig config, int port, EventLoopGroup boss, EventLoopGroup workers,
      Class<? extends ServerChannel> channelType) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), port))
        .channelType(channelType)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        // Handlers never block: they run on the event loop and return futures.
        .directExecutor()
        .maxInboundMessageSize(config.maxInboundMessageBytes())
        .permitKeepAliveWithoutCalls(true);
    return limit(b, config.connections());
  }

  /** Holds each connection of {@code b} to {@code limits}. */
  private static NettyServerBuilder limit(NettyServerBuilder b, ConnectionLimits limits) {
    return b.maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .maxInboundMetadataSize(limits.maxInboundMetadataBytes())
        .keepAliveTime(limits.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(limits.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionIdle(limits.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAge(limits.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
        .maxRstFramesPerWindow(limits.maxRstFramesPerMinute(), 60);
  }

  /**
   * TLS with the server certificate, if configured; client certificates from {@code clientCa}
   * required, or only requested when tokens may identify a caller instead.
   */
  private static void tls(NettyServerBuilder b, GatewayConfig config, String clientCa, BearerTokens tokens,
      String which) throws IOException {
    if (config.tlsCertChain().isEmpty()) {
      return;
    }
    SslContextBuilder ssl = GrpcSslContexts.forServer(new File(config.tlsCertChain()), new File(config.tlsPrivateKey()));
    if (!clientCa.isEmpty()) {
      ssl.trustManager(new File(clientCa)).clientAuth(tokens.isEmpty() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
    }
    b.sslContext(ssl.build());
    log.info(which + ": TLS on" + (clientCa.isEmpty() ? "" : ", client certificates from " + clientCa
        + (tokens.isEmpty() ? " required" : " or bearer tokens")));
  }

  /** The audit log the gRPC ports write, or null when it is off: the national interface writes it too. */
  public AuditLog audit() {
    return audit;
  }

  /** The port the server listens on (-1 in-process). */
  public int port() {
    return server.getPort();
  }

  /** The port of the back office, or the terminal port when it shares it. */
  public int adminPort() {
    return adminServer == null ? port() : adminServer.getPort();
  }

  public Node node() {
    return node;
  }

  /** Health NOT_SERVING, stop taking calls, let the ones in flight finish, then close the node. */
  @Override
  public void close() throws Exception {
    health.enterTerminalState();
    long until = System.nanoTime() + drainTimeout.toNanos();
    for (Server s : adminServer == null ? List.of(server) : List.of(server, adminServer)) {
      s.shutdown();
    }
    for (Server s : adminServer == null ? List.of(server) : List.of(server, adminServer)) {
      if (!s.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        log.warning("calls still in flight after " + drainTimeout + "; cancelling them");
        s.shutdownNow();
        s.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    node.close();
    if (audit != null) {
      audit.close();
    }
    for (EventLoopGroup g : loops) {
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
    if (adminServer != null) {
      adminServer.awaitTermination();
    }
  }
}
