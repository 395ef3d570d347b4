package gongji.server.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void escape_controlCharactersAndSeparators_becomeVisibleEscapes() {
    assertEquals("op-7\\nSEVERE: ledger poisoned", SafeText.escape("op-7\nSEVERE: ledger poisoned"));
    assertEquals("a\\rb\\tc\\u0000d\\u007fe\\u0085f\\u2028g\\u001b[31m", SafeText.escape(
        "a\rb\tc\u0000d\u007fe\u0085f\u2028g\u001b[31m"));
    assertEquals("a\\\\nb", SafeText.escape("a\\nb"), "a backslash is doubled, so an escape cannot be forged");
    assertEquals("null", SafeText.escape(null));
  }

  @Test
  void escape_cleanText_unchangedIncludingChineseAndEmoji() {
    String clean = "阿莫西林胶囊 0.25g 😀";
    assertEquals(clean, SafeText.escape(clean));
    assertTrue(SafeText.isClean(clean));
    assertFalse(SafeText.isClean("x\n"));
    assertFalse(SafeText.isClean("x\uD83D"), "a lone surrogate");
  }

  @Test
  void cut_neverSplitsASurrogatePair() {
    String s = "AB\uD83D\uDE00CD";
    assertEquals("AB…", SafeText.cut(s, 3));
    assertEquals("AB\uD83D\uDE00…", SafeText.cut(s, 4));
    assertEquals(s, SafeText.cut(s, 6));
    assertEquals("AB", SafeText.prefix(s, 3));
  }
}
