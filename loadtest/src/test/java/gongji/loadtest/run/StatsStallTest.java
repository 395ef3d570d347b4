package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The longest stall, from replies and their RPCs' send times given by the test: a span counts only
 * while an RPC was out; an idle gap between calls is no stall; a window's stalls reach its run's.
 */
class StatsStallTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aSpanWithAnRpcOutAndNoReply_isAStall_anIdleGapIsNot() {
    Stats s = new Stats();
    s.replied(0, 2 * MS);                 // the first reply: its own wait
    s.replied(1 * MS, 3 * MS);
    s.replied(500 * MS, 501 * MS);        // nothing was out from 3 ms to 500 ms: idle, not a stall
    assertEquals(2_000, s.longestStallMicros());

    s.replied(502 * MS, 640 * MS);        // sent at 502 ms, nothing replied until 640 ms
    s.replied(505 * MS, 641 * MS);        // replies close together after it: the stall is one span
    assertEquals(138_000, s.longestStallMicros());
  }

  @Test
  void repliesOutOfOrder_fromSeveralThreads_neverMakeTheLastReplyGoBack() {
    Stats s = new Stats();
    s.replied(0, 100 * MS);
    s.replied(10 * MS, 50 * MS);          // recorded later, happened earlier
    s.replied(101 * MS, 110 * MS);
    assertEquals(100_000, s.longestStallMicros(), "from 0 to 100 ms, then 100 to 110 ms");
  }

  @Test
  void anIntervalsStalls_areItsWindowsToo() {
    Stats window = new Stats();
    Stats interval = new Stats(window);
    interval.replied(0, 250 * MS);
    assertEquals(250_000, window.longestStallMicros());
    assertEquals(250_000, interval.longestStallMicros());
  }
}
