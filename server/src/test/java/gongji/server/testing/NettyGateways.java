package gongji.server.testing;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.Journal;
import java.time.InstantSource;

/** The real gateway on Netty for end-to-end tests: an in-memory node, closed again if the server cannot start. */
public final class NettyGateways {
  private NettyGateways() {}

  /** Starts a node without a journal on {@code config}, with the demo data set if {@code demo}. */
  public static GatewayServer start(GatewayConfig config, boolean demo) throws Exception {
    return start(config, InstantSource.system(), Journal.NONE, demo);
  }

  /** Starts a node on {@code clock} and {@code journal}, with the demo data set if {@code demo}. */
  public static GatewayServer start(GatewayConfig config, InstantSource clock, Journal journal, boolean demo)
      throws Exception {
    Node node = new Node(config, clock, journal);
    try {
      if (demo) {
        DemoData.load(node.gateway());
      }
      return GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }
}
