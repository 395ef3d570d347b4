package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file, the principals it names, and when a token may be sent at all. */
class BearerTokensTest {
  @TempDir Path dir;

  @Test
  void fromFile_plainAndHashedTokens_nameTheirPrincipals() throws Exception {
    Files.writeString(dir.resolve("t"), "# comment\n\nplain=P62010200017/POS01\n"
        + "sha256:" + BearerTokens.hash("secret") + " = H62010200001\nold-admin=admin\naudit=admin:auditor:li\n");

    BearerTokens tokens = BearerTokens.fromFile(dir.resolve("t"));

    assertEquals("P62010200017/POS01", tokens.lookup("plain").toString());
    assertEquals(new Principal.Terminal("H62010200001", null, tokens.lookup("secret").source()), tokens.lookup("secret"));
    assertEquals("admin:clerk:admin", tokens.lookup("old-admin").toString());
    assertEquals(Principal.Role.AUDITOR, ((Principal.Admin) tokens.lookup("audit")).role());
    assertNull(tokens.lookup("sha256:" + BearerTokens.hash("secret")), "the stored hash is not a token");
    assertNull(tokens.lookup("nope"));
  }

  @Test
  void fromFile_malformedLines_refusedNamingTheLine() throws Exception {
    for (String bad : new String[] {"x=P6201020001", "x=admin:boss:li", "x", "sha256:abc=admin", "x=P62010200017/A B"}) {
      Files.writeString(dir.resolve("t"), "# ok\n" + bad + "\n");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BearerTokens.fromFile(dir.resolve("t")), bad);
      assertTrue(e.getMessage().contains(":2:"), e.getMessage());
    }
  }

  @Test
  void issue_printsATokenAndTheHashedLineThatAcceptsIt() throws Exception {
    String out = BearerTokens.issue("P62010200017/POS01");
    String token = out.lines().findFirst().orElseThrow().replaceAll(".* ", "");
    String line = out.lines().skip(1).findFirst().orElseThrow().replaceAll(".* ", "");
    Files.writeString(dir.resolve("t"), line + "\n");

    assertFalse(line.contains(token), "the file holds the hash, not the token");
    assertEquals("P62010200017/POS01", BearerTokens.fromFile(dir.resolve("t")).lookup(token).toString());
    assertThrows(IllegalArgumentException.class, () -> BearerTokens.issue("nobody"));
  }

  @Test
  void parseUri_certificateNames() {
    assertEquals("P62010200017/POS01", Principal.parseUri("gongji:institution/P62010200017/terminal/POS01", "c").toString());
    assertEquals("H62010200001", Principal.parseUri("gongji:institution/H62010200001", "c").toString());
    assertEquals("admin:auditor:li", Principal.parseUri("gongji:admin/li/role/auditor", "c").toString());
    for (String bad : new String[] {"gongji:institution/P62010200017/terminal/", "gongji:admin/li/role/root",
        "gongji:institution/P62010200017/terminal/POS01/x", "gongji:institution/P62010200017\n/terminal/POS01"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Principal.parseUri(bad, "c"), bad);
      assertFalse(e.getMessage().contains("\n"), "escaped: " + e.getMessage());
    }
  }

  @Test
  void tokenTransportSafe_onlyOverTlsOrFromLoopback() {
    assertTrue(CallerAuth.tokenTransportSafe(true, new InetSocketAddress("192.0.2.7", 4000)));
    assertTrue(CallerAuth.tokenTransportSafe(false, new InetSocketAddress("127.0.0.1", 4000)));
    assertTrue(CallerAuth.tokenTransportSafe(false, new InetSocketAddress("::1", 4000)));
    assertFalse(CallerAuth.tokenTransportSafe(false, new InetSocketAddress("192.0.2.7", 4000)));
    assertFalse(CallerAuth.tokenTransportSafe(false, null));
  }

  @Test
  void denial_byServiceAndRole() {
    Principal pos = new Principal.Terminal("P62010200017", "POS01", "t");
    Principal clerk = new Principal.Admin("wang", Principal.Role.CLERK, "t");
    Principal auditor = new Principal.Admin("li", Principal.Role.AUDITOR, "t");

    assertNull(CallerAuth.denial(pos, "gongji.v1.SettlementService", "Authorize"));
    assertTrue(CallerAuth.denial(pos, "gongji.v1.AdminService", "GetAccount").contains("never reaches the back office"));
    assertTrue(CallerAuth.denial(pos, "gongji.v1.FamilyService", "ListBindings") != null);
    assertTrue(CallerAuth.denial(clerk, "gongji.v1.SettlementService", "Identify") != null);
    assertNull(CallerAuth.denial(clerk, "gongji.v1.AdminService", "CreditAccount"));
    assertNull(CallerAuth.denial(auditor, "gongji.v1.AdminService", "Reconcile"));
    assertNull(CallerAuth.denial(auditor, "gongji.v1.FamilyService", "ListWalletTransfers"));
    assertTrue(CallerAuth.denial(auditor, "gongji.v1.FamilyService", "AssignWalletQuota") != null);
    assertTrue(CallerAuth.denial(auditor, "gongji.v1.AdminService", "PayOutToHeirs") != null);
  }
}
