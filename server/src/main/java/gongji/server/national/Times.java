package gongji.server.national;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The national interface's time formats, all in China time (UTC+8), and the zero-padded serials of
 * its ids.
 *
 * <p>Every reply carries three times and a serial, so they are written digit by digit from the
 * fields of a {@link LocalDateTime} at the fixed offset: a {@code DateTimeFormatter} with a zone
 * builds zone rules and a zoned date-time per call, and {@code String.format} parses its pattern,
 * together half the cost of a reply's envelope.
 */
final class Times {
  static final ZoneOffset CHINA = ZoneOffset.ofHours(8);

  private Times() {}

  /** {@code refmsg_time}, {@code respond_time}: yyyyMMddHHmmssSSS. */
  static String millis(long epochMillis) {
    char[] c = new char[17];
    compact(c, epochMillis);
    digits(c, 14, 3, Math.floorMod(epochMillis, 1000));
    return new String(c);
  }

  /** The time part of {@code inf_refmsgid} and {@code sign_no}: yyyyMMddHHmmss. */
  static String seconds(long epochMillis) {
    char[] c = new char[14];
    compact(c, epochMillis);
    return new String(c);
  }

  /** {@code setl_time}, {@code sign_time}: yyyy-MM-dd HH:mm:ss. */
  static String readable(long epochMillis) {
    LocalDateTime t = local(epochMillis);
    char[] c = "0000-00-00 00:00:00".toCharArray();
    digits(c, 0, 4, t.getYear());
    digits(c, 5, 2, t.getMonthValue());
    digits(c, 8, 2, t.getDayOfMonth());
    digits(c, 11, 2, t.getHour());
    digits(c, 14, 2, t.getMinute());
    digits(c, 17, 2, t.getSecond());
    return new String(c);
  }

  /** {@code value} (0 or more) in {@code width} digits, zeros in front; the last digits if it is longer. */
  static String padded(long value, int width) {
    char[] c = new char[width];
    digits(c, 0, width, value);
    return new String(c);
  }

  /** yyyyMMddHHmmss into {@code c[0..14)}. */
  private static void compact(char[] c, long epochMillis) {
    LocalDateTime t = local(epochMillis);
    digits(c, 0, 4, t.getYear());
    digits(c, 4, 2, t.getMonthValue());
    digits(c, 6, 2, t.getDayOfMonth());
    digits(c, 8, 2, t.getHour());
    digits(c, 10, 2, t.getMinute());
    digits(c, 12, 2, t.getSecond());
  }

  private static LocalDateTime local(long epochMillis) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, CHINA);
    if (t.getYear() < 0 || t.getYear() > 9999) {
      throw new IllegalArgumentException("epochMillis: " + epochMillis + " (expected: a time in years 0000..9999)");
    }
    return t;
  }

  private static void digits(char[] c, int at, int width, long value) {
    long v = value;
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  }
}
