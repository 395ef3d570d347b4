package gongji.client;

/** Converts between fen (the SDK's unit: exact integers) and yuan text for people. */
public final class Money {
  private Money() {}

  /** 12345 fen -> "123.45". */
  public static String yuan(long fen) {
    String sign = fen < 0 ? "-" : "";
    long abs = Math.abs(fen);
    long cents = abs % 100;
    return sign + (abs / 100) + "." + (cents < 10 ? "0" : "") + cents;
  }

  /**
   * "123.45", "123.4" or "123" yuan -> fen, exactly.
   *
   * @throws IllegalArgumentException if the text is not a non-negative amount with at most 2 decimals
   */
  public static long parseYuan(String text) {
    if (text == null || !text.matches("[0-9]{1,9}(\\.[0-9]{1,2})?")) {
      throw new IllegalArgumentException("amount: \"" + text + "\" (expected: yuan with at most 2 decimals, e.g. 35.50)");
    }
    int dot = text.indexOf('.');
    if (dot < 0) {
      return Long.parseLong(text) * 100;
    }
    String frac = text.substring(dot + 1);
    long fen = Long.parseLong(frac) * (frac.length() == 1 ? 10 : 1);
    return Long.parseLong(text.substring(0, dot)) * 100 + fen;
  }
}
