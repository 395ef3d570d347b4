package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The interface's times, written digit by digit, are what {@link DateTimeFormatter} writes in China time. */
class TimesTest {
  private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS")
      .withZone(Times.CHINA);
  private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(Times.CHINA);

  @Test
  void formats_overASeededSpreadOfInstants_matchDateTimeFormatter() {
    SplittableRandom random = new SplittableRandom(13);
    long[] edges = {0L, 1L, 999L, -1L, 1_772_409_600_000L - 1, 1_772_409_600_000L, 253_402_271_999_999L};
    for (int i = 0; i < 10_000 + edges.length; i++) {
      long at = i < edges.length ? edges[i] : random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
      Instant instant = Instant.ofEpochMilli(at);

      assertEquals(MILLIS.format(instant), Times.millis(at), () -> "millis " + at);
      assertEquals(MILLIS.format(instant).substring(0, 14), Times.seconds(at), () -> "seconds " + at);
      assertEquals(READABLE.format(instant), Times.readable(at), () -> "readable " + at);
    }
  }

  @Test
  void padded_writesZerosInFront() {
    assertEquals("0000000042", Times.padded(42, 10));
    assertEquals("9999999999", Times.padded(9_999_999_999L, 10));
    assertEquals("0000000000000001", Times.padded(1, 16));
  }
}
