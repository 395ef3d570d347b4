package gongji.server.national;

import java.math.BigDecimal;

/**
 * Money at the JSON edge: yuan with at most two decimals in, an exact {@code long} of fen out, and
 * back. {@link BigDecimal} lives only here, for the parse and the print; nothing passes through
 * binary floating point.
 */
final class Yuan {
  /** numeric(16,2): 14 digits of yuan. */
  static final long MAX_FEN = 99_999_999_999_999_99L;

  private Yuan() {}

  /**
   * The fen of a yuan amount given as a JSON number or a string ("12.30"); a value that is not a
   * non-negative amount with at most two decimals is a field error.
   */
  static long toFen(String field, BigDecimal yuan) {
    if (yuan.signum() < 0) {
      throw Fields.invalid(field, yuan.toPlainString(), "不能为负数", "expected: >= 0");
    }
    // Before any arithmetic: 1E+999999999 is a short literal whose digits must never be made.
    if (yuan.precision() - yuan.scale() > 16 || yuan.scale() > 20) {
      throw Fields.invalid(field, yuan.toString(), "超出范围", "expected: at most numeric(16,2)");
    }
    BigDecimal fen = yuan.movePointRight(2);
    if (fen.stripTrailingZeros().scale() > 0) {
      throw Fields.invalid(field, yuan.toPlainString(), "最多两位小数", "expected: yuan with at most 2 decimals");
    }
    if (fen.compareTo(BigDecimal.valueOf(MAX_FEN)) > 0) {
      throw Fields.invalid(field, yuan.toPlainString(), "超出范围", "expected: at most numeric(16,2)");
    }
    return fen.longValueExact();
  }

  /** Yuan with exactly two decimals, as a JSON number: 1234 fen → 12.34, -5 → -0.05. */
  static BigDecimal of(long fen) {
    return BigDecimal.valueOf(fen, 2);
  }

  /** The same as the digits of a JSON number, without a {@link BigDecimal}: 1234 → "12.34", -5 → "-0.05". */
  static String text(long fen) {
    long abs = Math.abs(fen);
    int cents = (int) (abs % 100);
    return (fen < 0 ? "-" : "") + (abs / 100) + "." + (char) ('0' + cents / 10) + (char) ('0' + cents % 10);
  }
}
