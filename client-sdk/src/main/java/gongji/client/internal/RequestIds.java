package gongji.client.internal;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generates request ids in the national {@code msgid} form: institution code (12) +
 * {@code yyyyMMddHHmmss} (14) + a 4-digit sequence = 30 characters.
 */
public final class RequestIds {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
  private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  private final String institution;
  private final AtomicInteger sequence;

  /** A generator for one institution; {@code firstSequence} spreads clients that start together. */
  public RequestIds(String institution, int firstSequence) {
    this.institution = institution;
    this.sequence = new AtomicInteger(Math.floorMod(firstSequence, 10_000));
  }

  /** The next msgid. */
  public String next() {
    int seq = Math.floorMod(sequence.getAndIncrement(), 10_000);
    String s = Integer.toString(seq);
    return institution + LocalDateTime.now(CHINA).format(STAMP) + "0000".substring(s.length()) + s;
  }
}
