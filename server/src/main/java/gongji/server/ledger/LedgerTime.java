package gongji.server.ledger;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The ledger's clock: the time the sequencer gave the command being applied, shared by the parts of
 * the ledger, and the arithmetic of China's local day. The ledger reads no other clock: replaying the
 * same commands at the same times gives the same state.
 */
final class LedgerTime {
  static final long DAY_MILLIS = 86_400_000L;
  static final long HOUR_MILLIS = 3_600_000L;
  /** China's one time zone, UTC+8: the day that velocity limits and reconciliation count in. */
  static final long LOCAL_OFFSET_MILLIS = 8 * HOUR_MILLIS;

  private long nowMillis;

  /** The latest time any command was applied at. */
  long nowMillis() {
    return nowMillis;
  }

  /** Moves the time forward; an earlier time counts as the current one. */
  void advanceTo(long atMillis) {
    if (atMillis > nowMillis) {
      nowMillis = atMillis;
    }
  }

  /** For a snapshot being read back. */
  void restore(long atMillis) {
    nowMillis = atMillis;
  }

  /** Today's local day number. */
  long today() {
    return localDay(nowMillis);
  }

  /** The local hour now, 0-23. */
  int localHour() {
    return (int) (Math.floorMod(nowMillis + LOCAL_OFFSET_MILLIS, DAY_MILLIS) / HOUR_MILLIS);
  }

  /** The local (UTC+8) day number of a time. */
  static long localDay(long millis) {
    return Math.floorDiv(millis + LOCAL_OFFSET_MILLIS, DAY_MILLIS);
  }

  /** When a local day starts, in epoch millis. */
  static long startOfDay(long dayEpoch) {
    return dayEpoch * DAY_MILLIS - LOCAL_OFFSET_MILLIS;
  }

  /** A time as China's local clock shows it, for messages: "2026-11-25 06:00". */
  static String localTime(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.ofHours(8)).toLocalDateTime()
        .toString().replace('T', ' ').substring(0, 16);
  }
}
