package gongji.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS, mTLS and bearer tokens end to end: the real server on Netty with certificates made by
 * openssl for this test, and the SDK connecting with them.
 */
class SecurityTest {
  @TempDir Path dir;
  private TestGateway gateway;

  @BeforeEach
  void startSecureGateway() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Gongji Test CA");
    for (String who : new String[] {"server", "client"}) {
      openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj",
          "/CN=" + who);
      Files.write(dir.resolve(who + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n".getBytes(StandardCharsets.UTF_8));
      openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
          who + ".pem", "-days", "2", "-extfile", who + ".ext");
    }
    // A terminal certificate that names its terminal: no token needed.
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "pos01.key", "-out", "pos01.csr", "-subj", "/CN=pos01");
    Files.write(dir.resolve("pos01.ext"), ("subjectAltName=URI:gongji:institution/" + DemoData.PHARMACY
        + "/terminal/POS01\n").getBytes(StandardCharsets.UTF_8));
    openssl("x509", "-req", "-in", "pos01.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "pos01.pem", "-days", "2", "-extfile", "pos01.ext");
    Files.write(dir.resolve("tokens.properties"), ("pharmacy-token=" + DemoData.PHARMACY + "\nadmin-token=admin\n")
        .getBytes(StandardCharsets.UTF_8));
    gateway = TestGateway.netty(GatewayConfig.forTests().withSecurity(file("server.pem"), file("server.key"),
        file("ca.pem"), file("tokens.properties")));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void identify_mutualTlsAndToken_answers() {
    try (GongjiClient client = GongjiClient.create(secure().bearerToken("pharmacy-token").build())) {
      assertEquals(DemoData.LI_NA, client.identify(Credential.card("SSC-LINA")).psnNo());
    }
  }

  @Test
  void identify_noToken_refusedUnauthenticated() {
    try (GongjiClient client = GongjiClient.create(secure().build())) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> client.identify(Credential.card("SSC-LINA")));
      assertEquals(RejectionReason.UNAUTHENTICATED, e.reason());
      assertEquals("UNAUTHENTICATED", e.statusCode());
    }
  }

  @Test
  void identify_tokenOfAnotherInstitution_refusedPermissionDenied() {
    ClientOptions options = ClientOptions.builder("127.0.0.1:" + port(), new Terminal(DemoData.HOSPITAL, "HIS01", ""))
        .trustCertificates(new File(file("ca.pem")))
        .clientCertificate(new File(file("client.pem")), new File(file("client.key")))
        .bearerToken("pharmacy-token")
        .build();
    try (GongjiClient client = GongjiClient.create(options)) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> client.identify(Credential.card("SSC-LINA")));
      assertEquals(RejectionReason.PERMISSION_DENIED, e.reason());
      assertEquals("PERMISSION_DENIED", e.statusCode());
    }
  }

  @Test
  void identify_certificateNamingTheTerminal_answersWithoutToken() {
    ClientOptions options = ClientOptions.builder("127.0.0.1:" + port(), new Terminal(DemoData.PHARMACY, "POS01", ""))
        .trustCertificates(new File(file("ca.pem")))
        .clientCertificate(new File(file("pos01.pem")), new File(file("pos01.key")))
        .build();
    try (GongjiClient client = GongjiClient.create(options)) {
      assertEquals(DemoData.LI_NA, client.identify(Credential.card("SSC-LINA")).psnNo());
    }
  }

  @Test
  void identify_certificateOfPos01NamingPos02_refusedPermissionDenied() {
    ClientOptions options = ClientOptions.builder("127.0.0.1:" + port(), new Terminal(DemoData.PHARMACY, "POS02", ""))
        .trustCertificates(new File(file("ca.pem")))
        .clientCertificate(new File(file("pos01.pem")), new File(file("pos01.key")))
        .build();
    try (GongjiClient client = GongjiClient.create(options)) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> client.identify(Credential.card("SSC-LINA")));
      assertEquals(RejectionReason.PERMISSION_DENIED, e.reason());
    }
  }

  @Test
  void identify_tokenOverTlsWithoutClientCertificate_answers() {
    // With tokens configured, a client certificate is asked for but not required: an HIS behind a
    // TLS-terminating proxy proves who it is with its token.
    try (GongjiClient client = GongjiClient.create(serverTlsOnly().bearerToken("pharmacy-token").build())) {
      assertEquals(DemoData.LI_NA, client.identify(Credential.card("SSC-LINA")).psnNo());
    }
  }

  @Test
  void identify_neitherClientCertificateNorToken_refusedUnauthenticated() {
    try (GongjiClient client = GongjiClient.create(serverTlsOnly().build())) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> client.identify(Credential.card("SSC-LINA")));
      assertEquals(RejectionReason.UNAUTHENTICATED, e.reason());
    }
  }

  private ClientOptions.Builder serverTlsOnly() {
    return ClientOptions.builder("127.0.0.1:" + port(), new Terminal(DemoData.PHARMACY, "POS01", ""))
        .trustCertificates(new File(file("ca.pem")))
        .defaultDeadlineMillis(5_000)
        .resolveUnknownOutcomes(false);
  }

  private ClientOptions.Builder secure() {
    return ClientOptions.builder("127.0.0.1:" + port(), new Terminal(DemoData.PHARMACY, "POS01", ""))
        .trustCertificates(new File(file("ca.pem")))
        .clientCertificate(new File(file("client.pem")), new File(file("client.key")));
  }

  private String port() {
    return gateway.target().substring("127.0.0.1:".length());
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
