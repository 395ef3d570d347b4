package gongji.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token buckets on a ticker only the test moves. */
class RateBucketsTest {
  private long now = TimeUnit.DAYS.toNanos(1);
  private final RateBuckets buckets = new RateBuckets(10, 3, 16, () -> now);

  @Test
  void take_quietKey_admitsItsBurstThenOneAnInterval() {
    for (int i = 0; i < 3; i++) {
      assertEquals(0, buckets.take("a"), "call " + i + " of the burst");
    }
    assertEquals(TimeUnit.MILLISECONDS.toNanos(100), buckets.take("a"), "the next one is 100 ms away");
    assertEquals(TimeUnit.MILLISECONDS.toNanos(100), buckets.take("a"), "a refused call takes nothing");

    now += TimeUnit.MILLISECONDS.toNanos(100);
    assertEquals(0, buckets.take("a"));
    assertTrue(buckets.take("a") > 0);
    assertEquals(0, buckets.take("b"), "another key has its own bucket");
  }

  @Test
  void giveBack_returnsTheLastCall() {
    for (int i = 0; i < 3; i++) {
      buckets.take("a");
    }
    buckets.giveBack("a");
    assertEquals(0, buckets.take("a"));
    assertTrue(buckets.take("a") > 0);
  }

  @Test
  void take_afterTheClockSteppedBack_doesNotRefuseUntilItCatchesUp() {
    for (int i = 0; i < 3; i++) {
      buckets.take("a");
    }
    now -= TimeUnit.HOURS.toNanos(1);
    assertEquals(0, buckets.take("a"));
  }

  @Test
  void size_boundedByMaxKeys_andIdleBucketsDropped() {
    for (int i = 0; i < 1_000; i++) {
      buckets.take("k" + i);
    }
    assertTrue(buckets.size() <= 16, "at most maxKeys: " + buckets.size());

    now += TimeUnit.SECONDS.toNanos(1);
    assertEquals(0, buckets.size(), "a bucket idle for a full burst's time is full again, and dropped");
  }
}
