package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<LogRecord> records = new ArrayList<>();
  private final Logger logger = Logger.getAnonymousLogger();

  RateLimitedLogTest() {
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  @Test
  void log_sameCauseWithinTheInterval_oneLineThenTheCountOfTheRest() {
    RateLimitedLog log = new RateLimitedLog(logger, nanos::get, 1, TimeUnit.MINUTES, 10);

    assertTrue(log.log(Level.WARNING, "bad-utf8", () -> "first"));
    for (int i = 0; i < 1_000; i++) {
      assertFalse(log.log(Level.WARNING, "bad-utf8", () -> "again"));
    }
    assertTrue(log.log(Level.WARNING, "truncated", () -> "another cause"));
    nanos.addAndGet(TimeUnit.MINUTES.toNanos(1));
    assertTrue(log.log(Level.WARNING, "bad-utf8", () -> "a minute later"));

    assertEquals(List.of("first", "another cause", "a minute later (1000 more like it since the last such line)"),
        records.stream().map(LogRecord::getMessage).toList());
    assertTrue(records.stream().allMatch(r -> r.getThrown() == null), "no stack traces");
  }

  @Test
  void log_manyDistinctCauses_tableStaysBounded() {
    RateLimitedLog log = new RateLimitedLog(logger, nanos::get, 1, TimeUnit.MINUTES, 10);

    for (int i = 0; i < 100; i++) {
      log.log(Level.WARNING, "cause-" + i, () -> "x");
    }

    assertEquals(100, records.size(), "every new cause is logged");
    assertTrue(log.causesTracked() <= 10, "tracked: " + log.causesTracked());
  }
}
