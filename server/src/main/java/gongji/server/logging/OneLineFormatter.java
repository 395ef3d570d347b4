package gongji.server.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One log record, one line: {@code 2026-12-03T22:44:12.123Z INFO gongji.server.ServeCommand message}.
 * Time in UTC with milliseconds, the level, the logger, the message with its parameters, then the
 * throwable's stack trace if any. Line breaks and other control characters (ANSI escapes among
 * them) are written as {@code \n}, {@code \u001b}, so a record never spans lines and never moves a
 * terminal's cursor or colours: {@code grep} finds whole records.
 */
public final class OneLineFormatter extends Formatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    line.append(TIME.format(record.getInstant())).append(' ').append(record.getLevel().getName()).append(' ')
        .append(record.getLoggerName() == null ? "-" : record.getLoggerName()).append(' ');
    escape(line, formatMessage(record));
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.append(" | ");
      escape(line, trace.toString().strip());
    }
    return line.append(System.lineSeparator()).toString();
  }

  private static void escape(StringBuilder line, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        line.append("\\n");
      } else if (c == '\r') {
        line.append("\\r");
      } else if (c == '\t') {
        line.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        line.append(String.format("\\u%04x", (int) c));
      } else {
        line.append(c);
      }
    }
  }
}
