package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.ledger.Journal;
import gongji.server.testing.Refusal;
import gongji.server.testing.TestCertificates;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.CreditAccountRequest;
import gongji.v1.GetAccountRequest;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminal and admin certificates on the real server (Netty, TLS, 127.0.0.1:0): the certificate's
 * subjectAltName URI says who calls, the terminal CA and the admin CA are apart, and a certificate
 * from another CA, an expired one or none at all never gets a call through.
 */
class TerminalCertificateEndToEndTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  @TempDir static Path dir;
  private static TestCertificates certs;

  private GatewayServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = new TestCertificates(dir).ca("terminal-ca").ca("admin-ca").ca("other-ca")
        .leaf("server", "terminal-ca", 2, "IP:127.0.0.1,DNS:localhost")
        .leaf("pos01", "terminal-ca", 2, "URI:gongji:institution/" + DemoData.PHARMACY + "/terminal/POS01")
        .leaf("expired", "terminal-ca", -1, "URI:gongji:institution/" + DemoData.PHARMACY + "/terminal/POS01")
        .leaf("forged", "other-ca", 2, "URI:gongji:institution/" + DemoData.PHARMACY + "/terminal/POS01")
        .leaf("nameless", "terminal-ca", 2, "DNS:pos.example")
        .leaf("clerk", "admin-ca", 2, "URI:gongji:admin/wang/role/clerk")
        .leaf("auditor", "admin-ca", 2, "URI:gongji:admin/li/role/auditor");
  }

  @BeforeEach
  void start() throws Exception {
    GatewayConfig config = GatewayConfig.forTests()
        .withSecurity(certs.file("server.pem"), certs.file("server.key"), certs.file("terminal-ca.pem"), "")
        .withAdminPort(0, certs.file("admin-ca.pem"));
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    server.close();
  }

  @Test
  void terminalCertificate_namingItsTerminal_sells() {
    assertEquals(DemoData.LI_NA, settlement("pos01").identify(identify(POS01, card("SSC-LINA"))).getPsnNo());
  }

  @Test
  void terminalCertificate_bodyNamingAnotherInstitution_permissionDenied() {
    long before = clerk().getAccount(account(DemoData.LI_NA)).getBalanceFen();

    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> settlement("pos01").authorize(authorize("C-1",
        terminal(DemoData.HOSPITAL, "HIS01"), card("SSC-LINA"), item(ItemCategory.ITEM_CATEGORY_DRUG, 500)).build()));

    assertEquals(before, clerk().getAccount(account(DemoData.LI_NA)).getBalanceFen());
  }

  @Test
  void certificateThatNamesNoPrincipal_unauthenticated() {
    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> settlement("nameless").identify(identify(POS01, card("SSC-LINA"))));
  }

  @Test
  void noCertificate_anotherCa_orExpired_neverConnect() {
    for (String who : new String[] {null, "forged", "expired"}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> settlement(who).identify(identify(POS01, card("SSC-LINA"))), String.valueOf(who));
      assertEquals(Code.UNAVAILABLE, e.getStatus().getCode(), who + ": " + e.getStatus());
    }
  }

  @Test
  void adminCertificates_reachOnlyTheAdminPort_auditorOnlyReads() {
    assertEquals(Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
        () -> AdminServiceGrpc.newBlockingStub(channel(server.adminPort(), "pos01"))
            .withDeadlineAfter(10, TimeUnit.SECONDS).getAccount(account(DemoData.LI_NA))).getStatus().getCode(),
        "a terminal certificate is not from the admin CA");
    assertEquals(Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
        () -> SettlementServiceGrpc.newBlockingStub(channel(server.port(), "clerk"))
            .withDeadlineAfter(10, TimeUnit.SECONDS).identify(identify(POS01, card("SSC-LINA")))).getStatus().getCode(),
        "an admin certificate is not from the terminal CA");
    AdminServiceGrpc.AdminServiceBlockingStub auditor = AdminServiceGrpc.newBlockingStub(
        channel(server.adminPort(), "auditor")).withDeadlineAfter(10, TimeUnit.SECONDS);
    long before = auditor.getAccount(account(DemoData.ZHAO_LEI)).getBalanceFen();

    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> auditor.creditAccount(
        CreditAccountRequest.newBuilder().setRequestId("C-2").setPsnNo(DemoData.ZHAO_LEI).setAmountFen(100).build()));
    clerk().creditAccount(
        CreditAccountRequest.newBuilder().setRequestId("C-3").setPsnNo(DemoData.ZHAO_LEI).setAmountFen(100).build());

    assertEquals(before + 100, auditor.getAccount(account(DemoData.ZHAO_LEI)).getBalanceFen());
  }

  private static GetAccountRequest account(String psnNo) {
    return GetAccountRequest.newBuilder().setPsnNo(psnNo).build();
  }

  private AdminServiceGrpc.AdminServiceBlockingStub clerk() {
    return AdminServiceGrpc.newBlockingStub(channel(server.adminPort(), "clerk")).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement(String who) {
    return SettlementServiceGrpc.newBlockingStub(channel(server.port(), who)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** A TLS channel trusting the terminal CA (which issued the server's certificate), as {@code who} (or anonymous). */
  private ManagedChannel channel(int port, String who) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(new File(certs.file("terminal-ca.pem")));
      if (who != null) {
        ssl.keyManager(new File(certs.file(who + ".pem")), new File(certs.file(who + ".key")));
      }
      ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority("localhost")
          .sslContext(ssl.build()).build();
      channels.add(c);
      return c;
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }
}
