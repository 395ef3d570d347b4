package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A warning logged at most once per cause per interval, never with a stack trace: a client that
 * sends the same bad call ten thousand times makes one line a minute, which says how many were
 * left out. Causes are short keys chosen by the caller (the method and the kind of fault, never
 * request text); at most {@code maxCauses} are tracked, and the table starts over when full.
 */
final class RateLimitedLog {
  private final Logger log;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final int maxCauses;
  private final ConcurrentHashMap<String, long[]> causes = new ConcurrentHashMap<>();

  RateLimitedLog(Logger log, LongSupplier nanoTime, long interval, TimeUnit unit, int maxCauses) {
    this.log = requireNonNull(log, "log");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.intervalNanos = unit.toNanos(interval);
    this.maxCauses = maxCauses;
  }

  /** One a minute per cause, up to 1,000 causes, on the system's nano clock. */
  static RateLimitedLog perMinute(Logger log) {
    return new RateLimitedLog(log, System::nanoTime, 1, TimeUnit.MINUTES, 1_000);
  }

  /**
   * Logs {@code message} at {@code level} unless {@code cause} was logged less than an interval ago;
   * returns whether it logged. The message is built only when it is logged.
   */
  boolean log(Level level, String cause, Supplier<String> message) {
    if (!log.isLoggable(level)) {
      return false;
    }
    long skipped = admit(cause);
    if (skipped < 0) {
      return false;
    }
    write(level, message.get(), skipped);
    return true;
  }

  /**
   * Whether {@code cause} is due (not seen for an interval): -1 when it is not (counted as left out),
   * otherwise how many of it were left out since it was last due.
   */
  long admit(String cause) {
    if (causes.size() >= maxCauses && !causes.containsKey(cause)) {
      causes.clear();
    }
    long now = nanoTime.getAsLong();
    // [0]: when it was last logged; [1]: how many were left out since.
    long[] state = causes.computeIfAbsent(cause, c -> new long[] {now - intervalNanos, 0});
    long skipped;
    synchronized (state) {
      if (now - state[0] < intervalNanos) {
        state[1]++;
        return -1;
      }
      skipped = state[1];
      state[0] = now;
      state[1] = 0;
    }
    return skipped;
  }

  /** Logs {@code message}, saying that {@code skipped} like it were left out. */
  void write(Level level, String message, long skipped) {
    LogRecord r = new LogRecord(level,
        message + (skipped == 0 ? "" : " (" + skipped + " more like it since the last such line)"));
    // The logger's name says where the line comes from, not this class.
    r.setLoggerName(log.getName());
    r.setSourceClassName(log.getName());
    r.setSourceMethodName("");
    log.log(r);
  }

  /** How many causes are tracked now (at most {@code maxCauses}). */
  int causesTracked() {
    return causes.size();
  }
}
