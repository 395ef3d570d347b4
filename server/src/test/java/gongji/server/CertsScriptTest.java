package gongji.server;

import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.Journal;
import gongji.server.testing.Refusal;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.GetAccountRequest;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gongji certs} makes what secure mode needs: the gateway starts with it and knows who calls. */
class CertsScriptTest {
  @TempDir Path dir;

  @Test
  void certs_thenServeWithThem_terminalAndClerkAreRecognised() throws Exception {
    Path script = Path.of("").toAbsolutePath().getParent().resolve("gongji");
    Process p = new ProcessBuilder("bash", script.toString(), "certs", "--dir", dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    assertTrue(out.contains("--tls-client-ca " + dir.resolve("terminal-ca.pem")), out);

    GatewayConfig config = GatewayConfig.load(Map.of("demo", "true", "port", "0", "admin-port", "0",
        "metrics-port", "-1", "national-port", "-1", "audit-dir", "off", // in memory: nothing in ./data
        "tls-cert-chain", file("server.pem"), "tls-private-key", file("server.key"),
        "tls-client-ca", file("terminal-ca.pem"), "admin-tls-client-ca", file("admin-ca.pem")), Map.of());
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    List<ManagedChannel> channels = new ArrayList<>();
    GatewayServer server;
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    try {
      ManagedChannel pos = channel(server.port(), "terminal-P62010200017-POS01", channels);
      ManagedChannel clerk = channel(server.adminPort(), "admin-clerk", channels);
      SettlementServiceGrpc.SettlementServiceBlockingStub settlement =
          SettlementServiceGrpc.newBlockingStub(pos).withDeadlineAfter(10, TimeUnit.SECONDS);

      assertEquals(DemoData.LI_NA, settlement.identify(identify(terminal(DemoData.PHARMACY, "POS01"),
          card("SSC-LINA"))).getPsnNo());
      Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> settlement.identify(identify(terminal(DemoData.HOSPITAL, "HIS01"), card("SSC-LINA"))));
      assertEquals(3_000, AdminServiceGrpc.newBlockingStub(clerk).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.LI_NA).build()).getBalanceFen());
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      server.close();
    }
    assertTrue(Files.exists(dir.resolve("admin-auditor.pem")));
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private ManagedChannel channel(int port, String who, List<ManagedChannel> channels) throws Exception {
    ManagedChannel c = NettyChannelBuilder.forAddress("localhost", port)
        .sslContext(GrpcSslContexts.forClient().trustManager(new File(file("terminal-ca.pem")))
            .keyManager(new File(file(who + ".pem")), new File(file(who + ".key"))).build())
        .build();
    channels.add(c);
    return c;
  }
}
