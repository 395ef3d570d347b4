package gongji.loadtest.run;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.storage.FileStorage;
import java.nio.file.Path;
import java.time.InstantSource;

/** The real gateway, in this JVM, on Netty at 127.0.0.1 and a free port, journalling to a directory. */
final class TestGateway implements AutoCloseable {
  private final GatewayServer server;
  private int metricsPort = -1;

  private TestGateway(GatewayServer server) {
    this.server = server;
  }

  static TestGateway start(Path dataDir, boolean demo) throws Exception {
    return start(dataDir, demo, GatewayConfig.forTests());
  }

  /** Callers need a bearer token from {@code tokensFile}; the back office listens on a port of its own. */
  static TestGateway startWithTokens(Path dataDir, boolean demo, Path tokensFile) throws Exception {
    return start(dataDir, demo, GatewayConfig.forTests().withSecurity("", "", "", tokensFile.toString())
        .withAdminPort(0, ""));
  }

  private static TestGateway start(Path dataDir, boolean demo, GatewayConfig config) throws Exception {
    Node node = Node.open(config, InstantSource.system(), new FileStorage(dataDir));
    try {
      if (demo) {
        DemoData.load(node.gateway());
      }
      return new TestGateway(GatewayServer.startNetty(node, config));
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  String target() {
    return "127.0.0.1:" + server.port();
  }

  /** Serves the node's {@code /metrics} on a free port of 127.0.0.1 (once); its URL. */
  synchronized String metricsUrl() throws java.io.IOException {
    if (metricsPort < 0) {
      metricsPort = server.node().metrics().serve("127.0.0.1", 0);
    }
    return "http://127.0.0.1:" + metricsPort + "/metrics";
  }

  String adminTarget() {
    return "127.0.0.1:" + server.adminPort();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the gateway", e);
    }
  }
}
