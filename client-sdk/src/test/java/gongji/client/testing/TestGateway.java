package gongji.client.testing;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.Command;
import gongji.server.ledger.Journal;
import gongji.server.ledger.Result;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.GetAccountRequest;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real gateway for SDK tests, loaded with {@link DemoData}: a {@link Node} on an in-memory
 * ledger ({@link Journal#NONE}), served either on an in-process gRPC server (with a clock that only
 * the test moves, and optional server interceptors that inject faults) or on Netty at
 * {@code 127.0.0.1:0}. Open it in {@code @BeforeEach}, close it in {@code @AfterEach}.
 */
public final class TestGateway implements AutoCloseable {
  /** How long a raw call of the test itself may take before the test fails instead of hanging. */
  private static final long RAW_DEADLINE_SECONDS = 10;

  /** 2026-03-02 09:00 Beijing time, where the in-process clock starts. */
  public static final Instant MONDAY_MORNING = Instant.parse("2026-03-02T01:00:00Z");

  private final Clock clock;
  private final GatewayServer server;
  private final String inProcessName;
  private final ManagedChannel raw;

  private TestGateway(Clock clock, GatewayServer server, String inProcessName, ManagedChannel raw) {
    this.clock = clock;
    this.server = server;
    this.inProcessName = inProcessName;
    this.raw = raw;
  }

  /** The service on an in-process server; {@code interceptors} see every call the server receives. */
  public static TestGateway inProcess(ServerInterceptor... interceptors) throws Exception {
    Clock clock = new Clock(MONDAY_MORNING);
    Node node = new Node(GatewayConfig.forTests(), clock, Journal.NONE);
    String name = "gongji-sdk-test-" + InProcessServerBuilder.generateName();
    GatewayServer server;
    try {
      DemoData.load(node.gateway());
      InProcessServerBuilder builder = InProcessServerBuilder.forName(name).directExecutor();
      for (ServerInterceptor i : interceptors) {
        builder.intercept(i);
      }
      server = GatewayServer.start(node, builder, Duration.ofSeconds(5));
    } catch (Exception e) {
      node.close();
      throw e;
    }
    return new TestGateway(clock, server, name, InProcessChannelBuilder.forName(name).build());
  }

  /** The service on Netty at 127.0.0.1 on a free port, on the system clock (end-to-end and CLI tests). */
  public static TestGateway netty() throws Exception {
    return netty(GatewayConfig.forTests());
  }

  /** The service on Netty with the given settings (TLS, tokens), on the system clock. */
  public static TestGateway netty(GatewayConfig config) throws Exception {
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    GatewayServer server;
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    boolean plaintext = config.tlsCertChain().isEmpty();
    ManagedChannelBuilder<?> raw = ManagedChannelBuilder.forAddress("127.0.0.1", server.port());
    return new TestGateway(null, server, null, plaintext ? raw.usePlaintext().build() : raw.build());
  }

  /** A builder for a new channel to the gateway: give it to {@code GongjiClient.create}. */
  public ManagedChannelBuilder<?> channelBuilder() {
    return inProcessName != null
        ? InProcessChannelBuilder.forName(inProcessName)
        : ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext();
  }

  /** "127.0.0.1:PORT" of a Netty gateway. */
  public String target() {
    if (inProcessName != null) {
      throw new IllegalStateException("an in-process gateway has no network address");
    }
    return "127.0.0.1:" + server.port();
  }

  /** The test's own channel to the gateway, for raw stubs of any service. */
  public io.grpc.Channel channel() {
    return raw;
  }

  /** The raw settlement stub, as any gRPC client would call it (bypassing the SDK). */
  public SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(raw).withDeadlineAfter(RAW_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** A personal account as the back office sees it. */
  public Account account(String psnNo) {
    return AdminServiceGrpc.newBlockingStub(raw).withDeadlineAfter(RAW_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(psnNo).build());
  }

  /** The ledger's invariant violations (empty when sound: money conserved, holds consistent). */
  public List<String> audit() throws Exception {
    Result r = server.node().gateway().admin(new Command.Audit()).get(RAW_DEADLINE_SECONDS, TimeUnit.SECONDS);
    return ((Result.AuditReport) r).violations();
  }

  /** The in-process gateway's clock. */
  public Clock clock() {
    if (clock == null) {
      throw new IllegalStateException("a Netty gateway runs on the system clock");
    }
    return clock;
  }

  /** Closes the test's own channel, then the server (draining calls) and the node. */
  @Override
  public void close() {
    try {
      try {
        raw.shutdownNow();
        raw.awaitTermination(RAW_DEADLINE_SECONDS, TimeUnit.SECONDS);
      } finally {
        server.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing the gateway", e);
    } catch (Exception e) {
      throw new IllegalStateException("closing the gateway failed", e);
    }
  }

  /** A clock that stands still until a test moves it; the ledger and the caches read it. */
  public static final class Clock implements InstantSource {
    private final AtomicLong millis;

    /** A clock that reads {@code start} until it is moved. */
    public Clock(Instant start) {
      this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("d: " + d + " (expected: >= 0)");
      }
      millis.addAndGet(d.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }
}
