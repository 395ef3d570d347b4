package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The longest stall, from sends and replies at times the test gives: a span counts while RPCs are
 * out and no reply comes; an idle gap between calls is no stall; an RPC's deadline passing in the
 * client is no reply; an interval's stalls are its window's; the load generator's own pauses are
 * taken out of the figures that say what the gateway did.
 */
class StatsStallTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aSpanWithRpcsOutAndNoReply_isAStall_fromTheOldestOut_anIdleGapIsNot() {
    Stats s = new Stats();
    long a = s.sent(0);
    long b = s.sent(50 * MS);
    s.replied(a, 150 * MS, true);       // nothing replied from 0 to 150 ms while RPCs were out
    s.replied(b, 151 * MS, true);
    assertEquals(150_000, s.longestStallMicros());

    long c = s.sent(500 * MS);          // nothing was out from 151 ms to 500 ms: idle, not a stall
    s.replied(c, 510 * MS, true);
    assertEquals(150_000, s.longestStallMicros());
  }

  @Test
  void aDeadlinePassingInTheClient_isNoReply_theStallGoesOn() {
    Stats s = new Stats();
    long a = s.sent(0);
    long b = s.sent(1 * MS);
    s.replied(a, 100 * MS, false);      // its deadline passed: the server said nothing
    s.replied(b, 400 * MS, true);
    assertEquals(400_000, s.longestStallMicros());
  }

  @Test
  void repliesRecordedOutOfOrder_neverMakeTheLastReplyGoBack() {
    Stats s = new Stats();
    long a = s.sent(0);
    long b = s.sent(10 * MS);
    long c = s.sent(20 * MS);
    s.replied(a, 100 * MS, true);
    s.replied(b, 50 * MS, true);        // recorded later by another thread, happened earlier
    s.replied(c, 110 * MS, true);
    assertEquals(100_000, s.longestStallMicros());
  }

  @Test
  void theLongestStall_saysWhenInTheWindowItEnded() {
    Stats s = new Stats();
    assertEquals(-1, s.longestStallEndSecond());
    s.startsAt(1_000 * MS);
    long a = s.sent(3_000 * MS);
    s.replied(a, 3_200 * MS, true);
    long b = s.sent(3_300 * MS);
    s.replied(b, 3_310 * MS, true);
    assertEquals(2.2, s.longestStallEndSecond(), 1e-9);
  }

  @Test
  void anIntervalsStalls_areItsWindows() {
    Stats window = new Stats();
    Stats interval = new Stats(window);
    long a = interval.sent(0);
    interval.replied(a, 250 * MS, true);
    assertEquals(250_000, window.longestStallMicros());
    assertEquals(250_000, interval.longestStallMicros());
  }

  @Test
  void theLoadGeneratorsOwnPauses_areTakenOutOfTheLatenciesAndTheStalls_notTheGatewaysOnes() {
    Stats s = new Stats();
    s.startsAt(0);
    Hiccups own = new Hiccups();
    own.paused(10 * MS, 148 * MS);      // the generator's collector stopped it for 138 ms

    long a = s.sent(0);
    s.spanned(0, 150 * MS);             // out through the pause: left out
    s.replied(a, 150 * MS, true);       // a stall of 150 ms, 138 of them the generator's
    long b = s.sent(151 * MS);
    s.spanned(151 * MS, 152 * MS);      // quick
    s.replied(b, 152 * MS, true);
    long c = s.sent(200 * MS);
    s.spanned(200 * MS, 260 * MS);      // slow with no pause of the generator's: the gateway's
    s.replied(c, 260 * MS, true);

    assertEquals(150_000, s.longestStallMicros());
    Stats.GeneratorFree free = s.withoutGeneratorPauses(own);
    assertEquals(2, free.rpcs().getTotalCount());
    assertEquals(1, free.overlapped());
    assertEquals(60_000, free.longestStallMicros(), "the 60 ms stall is the gateway's; of the 150, 12 are");
    assertEquals(0.26, free.longestStallEndSecond(), 1e-9);

    Hiccups.Figures window = own.between(0, 300 * MS);
    assertEquals(1, window.count());
    assertEquals(138_000, window.longestMicros());
    assertEquals(0, own.between(149 * MS, 300 * MS).count(), "a pause that ended before the window is not in it");
  }
}
