package gongji.server.domain;

/** How people are shown at a terminal: enough to recognise, not enough to identify. */
public final class Masking {
  private Masking() {}

  /** "张三丰" -> "张**"; a one-character name is shown as "*". */
  public static String name(String name) {
    if (name.isEmpty()) {
      return "";
    }
    int first = name.offsetByCodePoints(0, 1);
    int rest = name.codePointCount(first, name.length());
    return rest == 0 ? "*" : name.substring(0, first) + "*".repeat(rest);
  }

  /** A person number with all but the first 4 and last 4 characters masked. */
  public static String psnNo(String psnNo) {
    if (psnNo.length() <= 8) {
      return "*".repeat(psnNo.length());
    }
    return psnNo.substring(0, 4) + "*".repeat(psnNo.length() - 8) + psnNo.substring(psnNo.length() - 4);
  }

  /**
   * An identity number (居民身份证号码) with all but the first 4 and last 4 characters masked, as a
   * person number: sensitive personal information (PIPL), kept and shown only so.
   */
  public static String idNumber(String idNumber) {
    return psnNo(idNumber);
  }

  /** How a person is shown on a payment leg: masked name and masked number. */
  public static String person(String name, String psnNo) {
    return name(name) + " " + psnNo(psnNo);
  }
}
