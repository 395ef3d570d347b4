package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
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
 * {@code gongji admin} over TLS with an admin token: the real server on Netty with a certificate made
 * by openssl for this test, the back office on the terminal port.
 */
class AdminCliTlsTest {
  @TempDir Path dir;
  private TestGateway gateway;

  @BeforeEach
  void startSecureGateway() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Gongji Test CA");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=server");
    Files.write(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n".getBytes(StandardCharsets.UTF_8));
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "server.pem", "-days", "2", "-extfile", "server.ext");
    Files.write(dir.resolve("tokens.properties"), "clerk-token=admin:clerk:wang\n".getBytes(StandardCharsets.UTF_8));
    gateway = TestGateway.netty(GatewayConfig.forTests().withSecurity(file("server.pem"), file("server.key"), "",
        file("tokens.properties")));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void account_tlsCaAndClerkToken_printsTheAccount() {
    CliRun r = admin("account", "--psn-no", DemoData.LI_NA, "--tls-ca", file("ca.pem"), "--token", "clerk-token");

    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains(DemoData.LI_NA), r.toString());
  }

  @Test
  void account_tlsWithoutToken_refusedUnauthenticated() {
    CliRun r = admin("account", "--psn-no", DemoData.LI_NA, "--tls-ca", file("ca.pem"), "--token", "");

    assertEquals(Commands.REFUSED, r.exit(), r.toString());
    assertTrue(r.err().contains("UNAUTHENTICATED"), r.toString());
  }

  @Test
  void account_tlsCertWithoutKey_exits2() {
    CliRun r = admin("account", "--psn-no", DemoData.LI_NA, "--tls-ca", file("ca.pem"), "--tls-cert", file("ca.pem"));

    assertEquals(Commands.USAGE, r.exit(), r.toString());
    assertTrue(r.err().contains("--tls-cert and --tls-key go together"), r.toString());
  }

  private CliRun admin(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--target";
    all[args.length + 1] = gateway.target();
    return CliRun.of((out, err) -> new AdminCli(out, err)::run, all);
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
