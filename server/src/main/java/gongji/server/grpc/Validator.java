package gongji.server.grpc;

import com.google.rpc.BadRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects field violations of one request, each naming the field and showing the value, and
 * throws them all at once. Checks are cheap and allocation-free when the input is valid.
 */
final class Validator {
  static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  static final Pattern INSTITUTION = Pattern.compile("[HP][0-9]{11}");
  static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  static final Pattern PSN_NO = Pattern.compile("[A-Za-z0-9]{1,30}");
  static final Pattern ADMDVS = Pattern.compile("[0-9]{6}");
  static final Pattern TXN_ID = Pattern.compile("T[0-9A-Z]{1,20}");
  static final Pattern BINDING_ID = Pattern.compile("B[0-9A-Z]{1,20}");
  static final Pattern WALLET_TRANSFER_ID = Pattern.compile("W[0-9A-Z]{1,20}");

  private List<BadRequest.FieldViolation> violations;

  void fail(String field, String description) {
    if (violations == null) {
      violations = new ArrayList<>(2);
    }
    violations.add(BadRequest.FieldViolation.newBuilder().setField(field).setDescription(description).build());
  }

  /** The value must match the pattern. */
  String matches(String field, String value, Pattern pattern, String expected) {
    if (!pattern.matcher(value).matches()) {
      fail(field, show(value) + " (expected: " + expected + ")");
    }
    return value;
  }

  /** Empty is allowed and means absent (returns null); otherwise the value must match. */
  String optional(String field, String value, Pattern pattern, String expected) {
    return value.isEmpty() ? null : matches(field, value, pattern, expected);
  }

  /** A free-text field: at most {@code max} characters (code points), at least {@code min}. */
  String text(String field, String value, int min, int max) {
    int n = value.codePointCount(0, value.length());
    if (n < min || n > max) {
      fail(field, show(value) + " has " + n + " characters (expected: " + min + ".." + max + ")");
    }
    return value;
  }

  /** Printable ASCII of the given length range (card numbers and tokens). */
  String printable(String field, String value, int min, int max) {
    boolean ok = value.length() >= min && value.length() <= max;
    for (int i = 0; ok && i < value.length(); i++) {
      char ch = value.charAt(i);
      ok = ch > 0x20 && ch < 0x7f;
    }
    if (!ok) {
      fail(field, show(value) + " (expected: " + min + ".." + max + " printable ASCII characters)");
    }
    return value;
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

  private static String show(String value) {
    String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
    return "\"" + shown + "\"";
  }
}
