package gongji.server.testing;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that stands still until a test moves it: the ledger, the sequencer and the caches read it. */
public final class MutableClock implements InstantSource {
  private final AtomicLong millis;

  public MutableClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /** 2026-03-02 09:00 Beijing time: a Monday morning at the counter. */
  public static MutableClock atMondayMorning() {
    return new MutableClock(Instant.parse("2026-03-02T01:00:00Z"));
  }

  /** Moves the clock forward; it never goes back. */
  public void advance(Duration d) {
    checkArgument(!d.isNegative(), "d: %s (expected: >= 0)", d);
    millis.addAndGet(d.toMillis());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }
}
