package gongji.server.national;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The national interface's time formats, all in China time (UTC+8). */
final class Times {
  static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
  /** {@code refmsg_time}, {@code respond_time}: yyyyMMddHHmmssSSS. */
  private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(CHINA);
  /** The time part of {@code inf_refmsgid} and {@code sign_no}: yyyyMMddHHmmss. */
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(CHINA);
  /** {@code setl_time}, {@code sign_time}: yyyy-MM-dd HH:mm:ss. */
  private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(CHINA);

  private Times() {}

  static String millis(long epochMillis) {
    return MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  static String seconds(long epochMillis) {
    return SECONDS.format(Instant.ofEpochMilli(epochMillis));
  }

  static String readable(long epochMillis) {
    return READABLE.format(Instant.ofEpochMilli(epochMillis));
  }
}
