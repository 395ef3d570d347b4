package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.national.TifSignatures.Headers;
import gongji.server.national.TifSignatures.Verdict;
import gongji.server.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The x-tif-* request signature: who signed, and the refusals in their order. */
class TifSignaturesTest {
  static final String HIS_TOKEN = "his-token-0123456789abcdef";
  static final String POS_TOKEN = "pos-token-0123456789abcdef";
  private static final Duration SKEW = Duration.ofSeconds(300);

  @TempDir Path dir;
  private final MutableClock clock = MutableClock.atMondayMorning();

  /** A callers file: an HIS for any terminal of the pharmacy, and one POS terminal. */
  static Path callersFile(Path dir) throws IOException {
    return Files.writeString(dir.resolve("callers"), """
        # paasid  paasToken  principal
        his01 %s P62010200017

        pos01 %s P62010200017/POS01
        """.formatted(HIS_TOKEN, POS_TOKEN));
  }

  private TifSignatures signatures(int maxNonces) throws IOException {
    return TifSignatures.fromFile(callersFile(dir), SKEW, maxNonces, clock);
  }

  private String seconds() {
    return Long.toString(clock.millis() / 1000);
  }

  private static Headers signed(String paasId, String token, String timestamp, String nonce) {
    return new Headers(paasId, timestamp, nonce, TifSignatures.sign(timestamp, token, nonce));
  }

  private static void refused(Verdict v, String reason, String detailPart) {
    Verdict.Refused r = assertInstanceOf(Verdict.Refused.class, v);
    assertEquals(reason, r.reason(), r.detail());
    assertTrue(r.detail().contains(detailPart), r.detail());
    assertTrue(!r.errMsg().isEmpty());
  }

  @Test
  void sign_isHexSha256OfTimestampTokenNonceTimestamp() {
    // echo -n '1700000000abcn11700000000' | sha256sum
    assertEquals("ace2f423fdc3470571edc5529d585521925d506a4d5528b7ce896bd5fb5259b8",
        TifSignatures.sign("1700000000", "abc", "n1"));
  }

  @Test
  void verify_goodSignature_namesTheCallerAndItsInstitution() throws Exception {
    TifSignatures s = signatures(100);

    Verdict his = s.verify(signed("his01", HIS_TOKEN, seconds(), "n-1"));
    Verdict pos = s.verify(signed("pos01", POS_TOKEN, Long.toString(clock.millis()), "n-1"));

    assertEquals(new TifSignatures.Caller("his01", "P62010200017", null),
        assertInstanceOf(Verdict.Verified.class, his).caller());
    assertEquals(new TifSignatures.Caller("pos01", "P62010200017", "POS01"),
        assertInstanceOf(Verdict.Verified.class, pos).caller());
  }

  @Test
  void verify_upperCaseHex_accepted() throws Exception {
    Headers h = signed("his01", HIS_TOKEN, seconds(), "n-1");
    Headers upper = new Headers(h.paasId(), h.timestamp(), h.nonce(), h.signature().toUpperCase(Locale.ROOT));

    assertInstanceOf(Verdict.Verified.class, signatures(100).verify(upper));
  }

  @Test
  void verify_missingHeader_refusedNamingIt() throws Exception {
    TifSignatures s = signatures(100);
    Headers h = signed("his01", HIS_TOKEN, seconds(), "n-1");

    refused(s.verify(Headers.NONE), "UNAUTHENTICATED", "x-tif-paasid: missing");
    refused(s.verify(new Headers("his01", null, h.nonce(), h.signature())), "UNAUTHENTICATED", "x-tif-timestamp");
    refused(s.verify(new Headers("his01", h.timestamp(), "", h.signature())), "UNAUTHENTICATED", "x-tif-nonce");
    refused(s.verify(new Headers("his01", h.timestamp(), h.nonce(), null)), "UNAUTHENTICATED", "x-tif-signature");
  }

  @Test
  void verify_unknownPaasidOrWrongToken_refused() throws Exception {
    TifSignatures s = signatures(100);

    refused(s.verify(signed("his02", HIS_TOKEN, seconds(), "n-1")), "UNAUTHENTICATED", "his02");
    refused(s.verify(signed("his01", POS_TOKEN, seconds(), "n-2")), "UNAUTHENTICATED", "does not match");
    // The token of one caller does not sign for another.
    refused(s.verify(signed("pos01", HIS_TOKEN, seconds(), "n-3")), "UNAUTHENTICATED", "does not match");
  }

  @Test
  void verify_timestampOutsideTheSkew_refusedAsStale() throws Exception {
    TifSignatures s = signatures(100);
    long now = clock.millis() / 1000;

    refused(s.verify(signed("his01", HIS_TOKEN, Long.toString(now - 301), "n-1")), "STALE_TIMESTAMP", "within 300 s");
    refused(s.verify(signed("his01", HIS_TOKEN, Long.toString(now + 301), "n-2")), "STALE_TIMESTAMP", "within 300 s");
    refused(s.verify(signed("his01", HIS_TOKEN, "2026-03-02 09:00:00", "n-3")), "UNAUTHENTICATED",
        "seconds or milliseconds");
    assertInstanceOf(Verdict.Verified.class, s.verify(signed("his01", HIS_TOKEN, Long.toString(now - 300), "n-4")));
  }

  @Test
  void verify_nonceUsedAgain_refusedAsReplay_evenWithAFreshSignature() throws Exception {
    TifSignatures s = signatures(100);
    Headers first = signed("his01", HIS_TOKEN, seconds(), "n-1");
    assertInstanceOf(Verdict.Verified.class, s.verify(first));

    refused(s.verify(first), "NONCE_REUSED", "already used");
    clock.advance(Duration.ofSeconds(1));
    refused(s.verify(signed("his01", HIS_TOKEN, seconds(), "n-1")), "NONCE_REUSED", "already used");
    // Another caller's nonces are its own.
    assertInstanceOf(Verdict.Verified.class, s.verify(signed("pos01", POS_TOKEN, seconds(), "n-1")));
  }

  @Test
  void verify_replayAfterTheSkew_refusedAsStale() throws Exception {
    TifSignatures s = signatures(100);
    Headers first = signed("his01", HIS_TOKEN, seconds(), "n-1");
    assertInstanceOf(Verdict.Verified.class, s.verify(first));

    clock.advance(Duration.ofSeconds(301));

    refused(s.verify(first), "STALE_TIMESTAMP", "within 300 s");
  }

  @Test
  void verify_badSignature_doesNotUseUpTheNonce() throws Exception {
    TifSignatures s = signatures(100);
    Headers good = signed("his01", HIS_TOKEN, seconds(), "n-1");

    refused(s.verify(new Headers("his01", good.timestamp(), "n-1", "00" + good.signature().substring(2))),
        "UNAUTHENTICATED", "does not match");
    assertInstanceOf(Verdict.Verified.class, s.verify(good));
  }

  @Test
  void verify_noncesAtTheirBound_refusedAsBusy_untilTheOldOnesAreStale() throws Exception {
    TifSignatures s = signatures(3);
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(Verdict.Verified.class, s.verify(signed("his01", HIS_TOKEN, seconds(), "n-" + i)));
    }

    refused(s.verify(signed("his01", HIS_TOKEN, seconds(), "n-3")), "LEDGER_UNAVAILABLE", "max.nonces");
    clock.advance(Duration.ofSeconds(301));
    assertInstanceOf(Verdict.Verified.class, s.verify(signed("his01", HIS_TOKEN, seconds(), "n-3")));
  }

  @Test
  void fromFile_badLines_refusedNamingTheLine() throws Exception {
    for (String[] bad : new String[][] {
        {"his01 " + HIS_TOKEN, "callers:1: 2 fields"},
        {"his01 short P62010200017", "at least 16"},
        {"his01 " + HIS_TOKEN + " X62010200017", "principal"},
        {"his01 " + HIS_TOKEN + " P62010200017\nhis01 " + POS_TOKEN + " P62010200017", "callers:2: paasid his01 appears"
            + " twice"},
        {"# nobody", "no callers"}}) {
      Path file = Files.writeString(dir.resolve("callers"), bad[0]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TifSignatures.fromFile(file, SKEW, 100, clock));
      assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
    }
  }
}
