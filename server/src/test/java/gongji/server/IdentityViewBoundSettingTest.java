package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Result;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ledger.identity.view.max.persons}: 262,144 by default, from a flag or the environment,
 * refused in one line at start when out of range, and the bound the node's Identify view keeps.
 */
@Timeout(60)
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class IdentityViewBoundSettingTest {
  private static final Terminal POS01 = new Terminal(DemoData.PHARMACY, "POS01", "op");
  /** Five demo persons and their cards, identified in this order. */
  private static final List<String[]> PERSONS = List.of(
      new String[] {DemoData.ZHANG_WEI, "SSC-ZHANGWEI"}, new String[] {DemoData.LI_NA, "SSC-LINA"},
      new String[] {DemoData.ZHAO_LEI, "SSC-ZHAOLEI"}, new String[] {DemoData.LIU_GUILAN, "SSC-LIUGUILAN"},
      new String[] {DemoData.WANG_XIUYING, "SSC-WANGXIUYING"});

  @Test
  void load_identityViewMaxPersons_262144ByDefault_fromTheEnvironment_aFlagWins() throws Exception {
    assertEquals(262_144, GatewayConfig.load(Map.of(), Map.of()).identityViewMaxPersons());
    assertEquals(1_048_576, GatewayConfig.load(Map.of(),
        Map.of("GONGJI_LEDGER_IDENTITY_VIEW_MAX_PERSONS", "1048576")).identityViewMaxPersons());
    assertEquals(0, GatewayConfig.load(Map.of("ledger-identity-view-max-persons", "0"),
        Map.of("GONGJI_LEDGER_IDENTITY_VIEW_MAX_PERSONS", "1048576")).identityViewMaxPersons());
    assertTrue(GatewayConfig.load(Map.of(), Map.of()).describe().contains("\nledger.identity.view.max.persons=262144"));
    assertEquals(262_144, GatewayConfig.forTests().identityViewMaxPersons());
  }

  @Test
  void load_identityViewMaxPersonsOutOfRangeOrNotANumber_isRefusedNamingTheSettingAndTheValue() {
    assertEquals("ledger.identity.view.max.persons: -1 (expected: 0 (off)..536870912)", assertThrows(
        IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of("ledger-identity-view-max-persons", "-1"), Map.of())).getMessage());
    assertEquals("ledger.identity.view.max.persons: 536870913 (expected: 0 (off)..536870912)", assertThrows(
        IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of(), Map.of("GONGJI_LEDGER_IDENTITY_VIEW_MAX_PERSONS", "536870913"))).getMessage());
    assertEquals("ledger.identity.view.max.persons: \"1M\" (expected: a whole number)", assertThrows(
        IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of("ledger-identity-view-max-persons", "1M"), Map.of())).getMessage());
  }

  @Test
  void serve_identityViewMaxPersonsNegative_exits2InOneLineBeforeOpeningAnything() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        "serve", "--ledger-identity-view-max-persons", "-1", "--port", "0", "--metrics-port", "-1");

    String said = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, exit, said);
    assertEquals("gongji serve: ledger.identity.view.max.persons: -1 (expected: 0 (off)..536870912)", said.strip());
    assertFalse(out.toString(StandardCharsets.UTF_8).contains("listening"));
  }

  @Test
  void open_viewBoundedAtTwo_startsAgainEmptyAtTheThirdPersonAndAnswersAsTheWriter() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (Node bounded = Node.open(GatewayConfig.forTests().withIdentityViewMaxPersons(2), clock, new SimulatedStorage());
        Node unbounded = Node.open(GatewayConfig.forTests(), clock, new SimulatedStorage())) {
      DemoData.load(bounded.gateway());
      DemoData.load(unbounded.gateway());
      int most = 0;
      for (int round = 0; round < 2; round++) {
        for (String[] p : PERSONS) {
          Result.Identity seen = identify(bounded, p[1]);
          assertEquals(p[0], seen.psnNo());
          assertEquals(identify(unbounded, p[1]), seen, "what the bounded view or its writer answers");
          int held = bounded.sequencer().identityView().persons();
          assertTrue(held <= 2, "the view holds " + held);
          most = Math.max(most, held);
        }
      }
      assertEquals(2, most, "the view filled up to its bound");
      assertEquals(PERSONS.size(), unbounded.sequencer().identityView().persons(), "the default bound holds them all");
    }
  }

  @Test
  void open_viewBoundedAtZero_holdsNoOneAndTheWriterAnswersEveryIdentify() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (Node off = Node.open(GatewayConfig.forTests().withIdentityViewMaxPersons(0), clock, new SimulatedStorage())) {
      DemoData.load(off.gateway());
      for (int round = 0; round < 2; round++) {
        for (String[] p : PERSONS) {
          assertEquals(p[0], identify(off, p[1]).psnNo());
        }
      }
      assertEquals(0, off.sequencer().identityView().persons());
    }
  }

  private static Result.Identity identify(Node node, String card) throws Exception {
    Result r = node.gateway().identify(POS01, new Credential(CredentialType.SOCIAL_SECURITY_CARD, card), null)
        .get(10, TimeUnit.SECONDS);
    return assertInstanceOf(Result.Identity.class, r, r.toString());
  }
}
