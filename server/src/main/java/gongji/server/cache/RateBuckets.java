package gongji.server.cache;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket per key (a terminal, an institution), as the generic cell rate algorithm keeps it:
 * one number per key, the theoretical arrival time of the next call. With {@code T = 1 s / rate}, a
 * call at {@code now} is admitted when {@code now >= tat - (burst - 1) T}, and then
 * {@code tat = max(tat, now) + T}; so a quiet key admits {@code burst} calls at once and then one
 * every {@code T}. Lock-free: a compare-and-set per call, safe from every event loop at once.
 *
 * <p>Memory is bounded: at most {@code maxKeys} buckets (Caffeine drops the least used first), and a
 * bucket not touched for {@code burst * T} is dropped, since it is full again and a new one is the
 * same. If the clock steps back, a bucket further ahead than a full burst can be is reset to now
 * instead of refusing its key until the clock catches up.
 */
public final class RateBuckets {
  private static int checkRate(int ratePerSecond) {
    checkArgument(ratePerSecond > 0, "ratePerSecond: %s (expected: > 0)", ratePerSecond);
    return ratePerSecond;
  }

  private final long intervalNanos;
  private final long toleranceNanos;
  private final Ticker ticker;
  private final Cache<String, Bucket> buckets;

  /** One key's state: the theoretical arrival time, and the calls refused since one was last admitted. */
  private static final class Bucket {
    final AtomicLong tat;
    final AtomicLong refused = new AtomicLong();

    Bucket(long now) {
      tat = new AtomicLong(now);
    }
  }

  /** Buckets of {@code ratePerSecond} (> 0) and {@code burst}, at most {@code maxKeys} of them. */
  public RateBuckets(int ratePerSecond, int burst, int maxKeys, Ticker ticker) {
    this(Duration.ofNanos(Math.max(1, 1_000_000_000L / checkRate(ratePerSecond))), burst, maxKeys, ticker);
  }

  /** Buckets that admit one call every {@code interval} after a {@code burst}, at most {@code maxKeys} of them. */
  public RateBuckets(Duration interval, int burst, int maxKeys, Ticker ticker) {
    checkArgument(!interval.isNegative() && !interval.isZero(), "interval: %s (expected: > 0)", interval);
    checkArgument(burst >= 1, "burst: %s (expected: >= 1)", burst);
    this.intervalNanos = interval.toNanos();
    this.toleranceNanos = Math.multiplyExact(intervalNanos, burst - 1L);
    this.ticker = requireNonNull(ticker, "ticker");
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .expireAfterAccess(Duration.ofNanos(toleranceNanos + intervalNanos))
        .ticker(ticker)
        .build();
  }

  /**
   * Takes one call from {@code key}'s bucket: 0 when it is admitted, otherwise how many nanoseconds
   * until it would be (nothing is taken then).
   */
  public long take(String key) {
    long now = ticker.read();
    Bucket bucket = buckets.get(key, k -> new Bucket(now));
    AtomicLong tat = bucket.tat;
    while (true) {
      long seen = tat.get();
      long from = seen - now > toleranceNanos + intervalNanos ? now : Math.max(seen, now); // clock stepped back
      long wait = from - toleranceNanos - now;
      if (wait > 0) {
        bucket.refused.incrementAndGet();
        return wait;
      }
      if (tat.compareAndSet(seen, from + intervalNanos)) {
        return 0;
      }
    }
  }

  /** Gives back the call last taken from {@code key} (another bucket refused it). */
  public void giveBack(String key) {
    Bucket bucket = buckets.getIfPresent(key);
    if (bucket != null) {
      bucket.tat.addAndGet(-intervalNanos);
    }
  }

  /**
   * How many calls {@code key}'s bucket refused since this was last asked, and starts counting again.
   * A bucket dropped while idle forgets its count.
   */
  public long takeRefused(String key) {
    Bucket bucket = buckets.getIfPresent(key);
    return bucket == null ? 0 : bucket.refused.getAndSet(0);
  }

  /** Buckets held now (for tests and metrics; approximate while calls run). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }
}
