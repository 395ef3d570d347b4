package gongji.server.grpc;

import gongji.server.text.SafeText;
import com.google.rpc.BadRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects field violations of one request, each naming the field and showing the value, and
 * throws them all at once. Checks are cheap and allocation-free when the input is valid.
 */
final class Validator {
  private static final String DIGITS = "0123456789";
  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String ALNUM = DIGITS + UPPER + "abcdefghijklmnopqrstuvwxyz";

  /** [A-Za-z0-9_-]{1,64} */
  static final Shape REQUEST_ID = new Shape("", ALNUM + "_-", 1, 64);
  /** [HP][0-9]{11} */
  static final Shape INSTITUTION = new Shape("HP", DIGITS, 11, 11);
  /** [A-Za-z0-9_-]{1,50}: the id of a batch of credits */
  static final Shape BATCH_ID = new Shape("", ALNUM + "_-", 1, 50);
  /** [A-Za-z0-9_-]{1,32} */
  static final Shape TERMINAL_ID = new Shape("", ALNUM + "_-", 1, 32);
  /** [A-Za-z0-9]{1,30} */
  static final Shape PSN_NO = new Shape("", ALNUM, 1, 30);
  /** [0-9]{6} */
  static final Shape ADMDVS = new Shape("", DIGITS, 6, 6);
  /** T[0-9A-Z]{1,20} */
  static final Shape TXN_ID = new Shape("T", DIGITS + UPPER, 1, 20);
  /** B[0-9A-Z]{1,20} */
  static final Shape BINDING_ID = new Shape("B", DIGITS + UPPER, 1, 20);
  /** W[0-9A-Z]{1,20} */
  static final Shape WALLET_TRANSFER_ID = new Shape("W", DIGITS + UPPER, 1, 20);

  /**
   * The shape of an identifier: an optional lead character from one set, then {@code min..max}
   * characters from another, all ASCII (the regular expression each constant shows in its comment,
   * checked without a regex engine or a matcher per field).
   */
  static final class Shape {
    private final long leadLow;
    private final long leadHigh;
    private final boolean hasLead;
    private final long restLow;
    private final long restHigh;
    private final int min;
    private final int max;

    Shape(String lead, String rest, int min, int max) {
      this.hasLead = !lead.isEmpty();
      this.leadLow = mask(lead, 0);
      this.leadHigh = mask(lead, 64);
      this.restLow = mask(rest, 0);
      this.restHigh = mask(rest, 64);
      this.min = min;
      this.max = max;
    }

    private static long mask(String chars, int from) {
      long m = 0;
      for (int i = 0; i < chars.length(); i++) {
        int c = chars.charAt(i);
        if (c >= from && c < from + 64) {
          m |= 1L << (c - from);
        }
      }
      return m;
    }

    private static boolean in(char c, long low, long high) {
      return c < 64 ? (low & (1L << c)) != 0 : c < 128 && (high & (1L << (c - 64))) != 0;
    }

    boolean matches(String value) {
      int start = hasLead ? 1 : 0;
      int n = value.length() - start;
      if (n < min || n > max || (hasLead && !in(value.charAt(0), leadLow, leadHigh))) {
        return false;
      }
      for (int i = start; i < value.length(); i++) {
        if (!in(value.charAt(i), restLow, restHigh)) {
          return false;
        }
      }
      return true;
    }
  }

  private List<BadRequest.FieldViolation> violations;

  void fail(String field, String description) {
    if (violations == null) {
      violations = new ArrayList<>(2);
    }
    violations.add(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build());
  }

  /** The value must match the pattern. */
  String matches(String field, String value, Shape shape, String expected) {
    if (!shape.matches(value)) {
      fail(field, show(value) + " (expected: " + expected + ")");
    }
    return value;
  }

  /** Empty is allowed and means absent (returns null); otherwise the value must match. */
  String optional(String field, String value, Shape shape, String expected) {
    return value.isEmpty() ? null : matches(field, value, shape, expected);
  }

  /**
   * A free-text field: at most {@code max} characters (code points), at least {@code min}, and no
   * control character (a newline, a tab, DEL, C1) or lone surrogate: text that reaches logs and
   * reconciliation files must not be able to start a line of its own.
   */
  String text(String field, String value, int min, int max) {
    if (!isText(value, min, max)) {
      int n = value.codePointCount(0, value.length());
      if (n < min || n > max) {
        fail(field, show(value) + " has " + n + " characters (expected: " + min + ".." + max + ")");
      } else {
        fail(field, show(value) + " contains a control character (expected: printable text)");
      }
    }
    return value;
  }

  /** Printable ASCII of the given length range (card numbers and tokens). */
  String printable(String field, String value, int min, int max) {
    if (!isPrintable(value, min, max)) {
      fail(field, show(value) + " (expected: " + min + ".." + max + " printable ASCII characters)");
    }
    return value;
  }

  /** Whether {@link #text} accepts the value: for a check before the field's name is built. */
  static boolean isText(String value, int min, int max) {
    int n = value.codePointCount(0, value.length());
    return n >= min && n <= max && SafeText.isClean(value);
  }

  /** Whether {@link #printable} accepts the value. */
  static boolean isPrintable(String value, int min, int max) {
    boolean ok = value.length() >= min && value.length() <= max;
    for (int i = 0; ok && i < value.length(); i++) {
      char ch = value.charAt(i);
      ok = ch > 0x20 && ch < 0x7f;
    }
    return ok;
  }

  long range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      fail(field, value + " (expected: " + min + ".." + max + ")");
    }
    return value;
  }

  /** A required enum: {@code domain} is what the bridge made of the wire number. */
  <T> T required(String field, T domain, int number) {
    if (domain == null) {
      fail(field, number == 0 ? "unspecified (expected: a value)" : number + " is not a known value");
    }
    return domain;
  }

  /** A required message field. */
  boolean present(String field, boolean has) {
    if (!has) {
      fail(field, "missing (expected: a value)");
    }
    return has;
  }

  /** Throws the collected violations, if any. */
  void check() {
    if (violations != null) {
      throw new BadInputException(violations);
    }
  }

  /** The value as an error text shows it: at most 64 chars, cut between characters, escaped. */
  static String show(String value) {
    return "\"" + SafeText.escape(SafeText.cut(value, 64)) + "\"";
  }
}
