package gongji.server;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock of a sandbox gateway ({@code serve --demo}): the host's clock plus an offset that only
 * grows, so that a demo can be tried at another hour (Stripe's test clocks). The ledger takes its time
 * from here like from any clock, and journals every command with it, so replay is exact; after a
 * restart the offset is taken up again from the ledger's own time ({@link #catchUpTo}), so the
 * clock never runs behind what the ledger already went by.
 */
public final class SandboxClock implements InstantSource {
  /** The most one move may go forward: a year. */
  public static final long MAX_MOVE_MILLIS = 366L * 24 * 3600 * 1000;

  private final InstantSource host;
  private final AtomicLong offsetMillis = new AtomicLong();

  public SandboxClock(InstantSource host) {
    this.host = requireNonNull(host, "host");
  }

  @Override
  public long millis() {
    return host.millis() + offsetMillis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  /** How far ahead of the host's clock this one is. */
  public long offsetMillis() {
    return offsetMillis.get();
  }

  /** Moves the clock forward by {@code millis}, 1 to {@link #MAX_MOVE_MILLIS}; returns the new time. */
  public long advance(long millis) {
    checkArgument(millis > 0 && millis <= MAX_MOVE_MILLIS, "millis: %s (expected: 1..%s)", millis, MAX_MOVE_MILLIS);
    offsetMillis.addAndGet(millis);
    return millis();
  }

  /** Moves the clock forward so that it reads at least {@code atMillis} (never back). */
  public void catchUpTo(long atMillis) {
    catchUpTo(atMillis, host.millis());
  }

  /**
   * Moves the clock forward so that it would have read at least {@code atMillis} when the host's
   * read {@code hostMillis} (never back): a move asked for at that moment, applied a little later.
   */
  public void catchUpTo(long atMillis, long hostMillis) {
    offsetMillis.accumulateAndGet(atMillis - hostMillis, Math::max);
  }

  /** The host's clock, under the offset. */
  public long hostMillis() {
    return host.millis();
  }
}
