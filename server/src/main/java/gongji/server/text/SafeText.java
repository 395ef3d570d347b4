package gongji.server.text;

/**
 * Text a caller sent, made safe to show: escaped for a log line (so that no request can start a
 * line of its own or hide characters in one) and cut without splitting a character.
 */
public final class SafeText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SafeText() {}

  /**
   * Whether the code point may stand in an identifier or free text from a caller: not a control
   * character (C0, DEL, C1), not a line or paragraph separator, not a lone surrogate.
   */
  public static boolean isAllowed(int codePoint) {
    return !(codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f) || codePoint == 0x2028
        || codePoint == 0x2029 || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE));
  }

  /** Whether every code point of {@code value} {@linkplain #isAllowed is allowed}. */
  public static boolean isClean(String value) {
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (!isAllowed(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /**
   * {@code value} for a log line: every code point that {@link #isAllowed} refuses becomes
   * {@code \\uXXXX} (a newline {@code \\n}, a tab {@code \\t}), and a backslash is doubled, so that the
   * escaped text cannot be mistaken for the same text unescaped. Null becomes "null".
   */
  public static String escape(String value) {
    if (value == null) {
      return "null";
    }
    if (isClean(value) && value.indexOf('\\') < 0) {
      return value;
    }
    StringBuilder b = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      int n = Character.charCount(cp);
      if (cp == '\\') {
        b.append("\\\\");
      } else if (cp == '\n') {
        b.append("\\n");
      } else if (cp == '\r') {
        b.append("\\r");
      } else if (cp == '\t') {
        b.append("\\t");
      } else if (!isAllowed(cp)) {
        b.append("\\u").append(HEX[(cp >> 12) & 0xf]).append(HEX[(cp >> 8) & 0xf]).append(HEX[(cp >> 4) & 0xf])
            .append(HEX[cp & 0xf]);
      } else {
        b.append(value, i, i + n);
      }
      i += n;
    }
    return b.toString();
  }

  /**
   * At most {@code maxChars} UTF-16 chars of {@code value}, never ending in the first half of a
   * surrogate pair, followed by "…" when something was cut.
   */
  public static String cut(String value, int maxChars) {
    return value.length() <= maxChars ? value : prefix(value, maxChars) + "…";
  }

  /** At most {@code maxChars} UTF-16 chars of {@code value}, never ending in the first half of a surrogate pair. */
  public static String prefix(String value, int maxChars) {
    if (value.length() <= maxChars) {
      return value;
    }
    int end = maxChars;
    if (end > 0 && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end);
  }
}
