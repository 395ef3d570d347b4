package gongji.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  /** 2026-03-02 09:00:00 Beijing time. */
  private static final Instant MONDAY_MORNING = Instant.parse("2026-03-02T01:00:00Z");

  @Test
  void next_msgidForm_institutionBeijingTimeAndSequence() {
    RequestIds ids = new RequestIds("P62010200017", 42, Clock.fixed(MONDAY_MORNING.plusMillis(999), ZoneOffset.UTC));

    assertEquals("P62010200017202603020900000042", ids.next());
    assertEquals("P62010200017202603020900000043", ids.next());
  }

  @Test
  void next_sequenceWrapsAt10000() {
    RequestIds ids = new RequestIds("P62010200017", 9_999, Clock.fixed(MONDAY_MORNING, ZoneOffset.UTC));

    assertEquals("P62010200017202603020900009999", ids.next());
    assertEquals("P62010200017202603020900000000", ids.next());
  }

  @Test
  void next_moreThan10000InOneSecond_stampRunsAheadInsteadOfRepeating() {
    RequestIds ids = new RequestIds("P62010200017", 1_234, Clock.fixed(MONDAY_MORNING, ZoneOffset.UTC));

    TreeMap<String, Integer> perStamp = new TreeMap<>();
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < 25_000; i++) {
      String id = ids.next();
      assertEquals(30, id.length(), id);
      assertTrue(seen.add(id), "repeated: " + id);
      perStamp.merge(id.substring(12, 26), 1, Integer::sum);
    }

    assertEquals("{20260302090000=10000, 20260302090001=10000, 20260302090002=5000}", perStamp.toString());
  }

  @Test
  void next_clockSetBack_neverRepeatsAndStampNeverGoesBack() {
    AtomicLong millis = new AtomicLong(MONDAY_MORNING.toEpochMilli());
    RequestIds ids = new RequestIds("H62010200001", 0, new SteppedClock(millis));

    List<String> out = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      if (i == 5_000) {
        millis.addAndGet(-60_000);  // NTP sets the clock a minute back
      }
      out.add(ids.next());
    }

    assertEquals(30_000, new HashSet<>(out).size());
    for (int i = 1; i < out.size(); i++) {
      assertTrue(out.get(i).substring(12, 26).compareTo(out.get(i - 1).substring(12, 26)) >= 0, out.get(i));
    }
  }

  /** A clock a test moves. */
  private static final class SteppedClock extends Clock {
    private final AtomicLong millis;

    SteppedClock(AtomicLong millis) {
      this.millis = millis;
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
