package gongji.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {
  private final OneLineFormatter formatter = new OneLineFormatter();

  @Test
  void format_messageWithParameters_isTimeLevelLoggerMessageOnOneLine() {
    LogRecord r = record(Level.INFO, "listening on {0}", "127.0.0.1:9090");

    assertEquals("2026-11-25T02:10:00.123Z INFO gongji.server.ServeCommand listening on 127.0.0.1:9090"
        + System.lineSeparator(), formatter.format(r));
  }

  @Test
  void format_lineBreaksAnsiEscapesAndAStackTrace_staysOneLineWithoutEscapes() {
    LogRecord r = record(Level.WARNING, "first\nsecond \u001b[1mbold\u001b[0m");
    r.setThrown(new IOException("disk\nfull"));

    String line = formatter.format(r);

    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("2026-11-25T02:10:00.123Z WARNING gongji.server.ServeCommand first\\nsecond"
        + " \\u001b[1mbold\\u001b[0m | java.io.IOException: disk\\nfull\\n\\tat "), line);
    assertTrue(line.chars().noneMatch(c -> c == 0x1b), line);
  }

  private static LogRecord record(Level level, String message, Object... parameters) {
    LogRecord r = new LogRecord(level, message);
    r.setInstant(Instant.parse("2026-11-25T02:10:00.123Z"));
    r.setLoggerName("gongji.server.ServeCommand");
    r.setParameters(parameters);
    return r;
  }
}
