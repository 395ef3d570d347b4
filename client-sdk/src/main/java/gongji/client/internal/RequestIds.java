package gongji.client.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Generates request ids in the national {@code msgid} form: institution code (12) +
 * {@code yyyyMMddHHmmss} (14, Beijing time) + a 4-digit sequence = 30 characters.
 *
 * <p>The ids of one generator never repeat. The sequence runs on across seconds from a starting
 * point the caller picks (so that terminals starting together spread out), and at most 10,000 ids
 * carry the same second: the stamp is the later of the clock and the last stamp used, and moves on
 * by one second when a second's 10,000 are used up. So a burst of more than 10,000 ids a second,
 * or a clock set back, makes the stamp run ahead of the clock for a while instead of repeating an
 * id. Different generators of one institution can still collide (the form has only 4 digits for
 * that); the gateway refuses the second request with {@code REQUEST_ID_REUSED}, never charging it,
 * and {@code GongjiClient} sends a call whose id it made up again under a fresh one.
 */
public final class RequestIds {
  /** How many ids the 4-digit sequence can tell apart within one second. */
  static final int IDS_PER_SECOND = 10_000;

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
  private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  private final String institution;
  private final Clock clock;
  private int sequence;
  private long stampSecond = Long.MIN_VALUE;
  private int issuedThisStamp;

  /**
   * A generator for one institution on the system clock.
   *
   * @param institution the institution code, the first 12 characters of every id
   * @param firstSequence where the 4-digit sequence starts (taken modulo 10,000)
   */
  public RequestIds(String institution, int firstSequence) {
    this(institution, firstSequence, Clock.systemUTC());
  }

  /**
   * A generator for one institution on the given clock (tests).
   *
   * @param institution the institution code, the first 12 characters of every id
   * @param firstSequence where the 4-digit sequence starts (taken modulo 10,000)
   * @param clock where the time of the stamp comes from
   */
  public RequestIds(String institution, int firstSequence, Clock clock) {
    if (institution == null || clock == null) {
      throw new NullPointerException(institution == null ? "institution" : "clock");
    }
    this.institution = institution;
    this.clock = clock;
    this.sequence = Math.floorMod(firstSequence, IDS_PER_SECOND);
  }

  /**
   * The next msgid, never one given before by this generator.
   *
   * @return the id
   */
  public String next() {
    long second;
    int seq;
    synchronized (this) {
      long now = Math.floorDiv(clock.millis(), 1000L);
      if (now > stampSecond) {
        stampSecond = now;
        issuedThisStamp = 0;
      } else if (issuedThisStamp == IDS_PER_SECOND) {
        stampSecond++;
        issuedThisStamp = 0;
      }
      issuedThisStamp++;
      seq = sequence;
      sequence = (sequence + 1) % IDS_PER_SECOND;
      second = stampSecond;
    }
    String s = Integer.toString(seq);
    return institution + LocalDateTime.ofInstant(Instant.ofEpochSecond(second), CHINA).format(STAMP)
        + "0000".substring(s.length()) + s;
  }
}
