package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Page tokens are opaque and authenticated: only what the gateway made for the same query comes back. */
class PageTokensTest {
  private static final String QUERY = "P62010200017/2026-11-25";

  @Test
  void position_ofATokenMadeForTheSameQuery_isItsPosition() {
    for (long position : new long[] {0, 1, 99, PageTokens.MAX_OFFSET, Long.MAX_VALUE}) {
      Validator v = new Validator();

      assertEquals(position, PageTokens.position(v, PageTokens.next(position, QUERY), QUERY));
      v.check();
    }
  }

  @Test
  void position_ofAnotherQuerysToken_isRefusedNamingPageToken() {
    String token = PageTokens.next(100, QUERY);
    Validator v = new Validator();

    PageTokens.position(v, token, "P62010200017/2026-11-26");

    assertEquals("page_token", assertThrows(BadInputException.class, v::check).violations().get(0).getField());
  }

  @Test
  void position_everySingleCharacterChanged_isRefused_neverThrowsAnythingElse() {
    String token = PageTokens.next(100, QUERY);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/%";
    SplittableRandom random = new SplittableRandom(20261204);
    for (int i = 0; i < token.length(); i++) {
      for (int k = 0; k < 4; k++) {
        char[] forged = token.toCharArray();
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        if (c == forged[i]) {
          continue;
        }
        forged[i] = c;
        Validator v = new Validator();

        PageTokens.position(v, new String(forged), QUERY);

        String shown = new String(forged);
        assertEquals("page_token", assertThrows(BadInputException.class, v::check, shown).violations().get(0)
            .getField(), shown);
      }
    }
  }
}
