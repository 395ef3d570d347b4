package gongji.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bound on calls in flight on a clock the test moves, in front of a simulated node that finishes
 * a fixed number of calls each millisecond, first in first out: without a target the bound is the
 * setting and an admitted call waits the setting divided by the node's speed; with one, the bound
 * comes down until admitted calls wait about the target, the excess is refused, and it goes back up
 * to the setting, never above, once the load falls.
 */
class CallsInFlightTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long TARGET = 200 * MS;

  private long now = 1_000_000 * MS;
  private final AtomicInteger shed = new AtomicInteger();

  private CallsInFlight calls(int max, long target) {
    return new CallsInFlight(max, target, via -> shed.incrementAndGet(), () -> now);
  }

  /** A node that finishes {@code perMs} calls a millisecond, oldest first, behind {@code calls}. */
  private final class Node {
    final CallsInFlight calls;
    final ArrayDeque<Long> waiting = new ArrayDeque<>();
    long[] held = new long[1 << 16];
    int heldCount;

    Node(CallsInFlight calls) {
      this.calls = calls;
    }

    /** {@code ms} milliseconds in which {@code offeredPerMs} calls arrive and {@code perMs} finish, each millisecond. */
    void run(int ms, int offeredPerMs, int perMs) {
      heldCount = 0;
      for (int t = 0; t < ms; t++) {
        now += MS;
        for (int i = 0; i < offeredPerMs; i++) {
          if (calls.tryEnter("grpc")) {
            waiting.add(now);
          }
        }
        for (int i = 0; i < perMs && !waiting.isEmpty(); i++) {
          long entered = waiting.poll();
          calls.exit("grpc", entered);
          if (heldCount == held.length) {
            held = Arrays.copyOf(held, held.length * 2);
          }
          held[heldCount++] = now - entered;
        }
      }
    }

    /**
     * {@code ms} milliseconds in which {@code offeredPerMs} calls arrive and each finishes
     * {@code delayMs} after it was admitted, however many are in flight (a node that is slow, not
     * queued: a degraded disk, every call waiting its force). Returns the calls admitted.
     */
    long runSlow(int ms, int offeredPerMs, int delayMs) {
      long admitted = 0;
      for (int t = 0; t < ms; t++) {
        now += MS;
        for (int i = 0; i < offeredPerMs; i++) {
          if (calls.tryEnter("grpc")) {
            waiting.add(now);
            admitted++;
          }
        }
        while (!waiting.isEmpty() && now - waiting.peek() >= delayMs * MS) {
          calls.exit("grpc", waiting.poll());
        }
      }
      return admitted;
    }

    /** The p99 of the calls that finished in the last {@link #run}. */
    long p99() {
      long[] sorted = Arrays.copyOf(held, heldCount);
      Arrays.sort(sorted);
      return sorted[(int) (sorted.length * 0.99)];
    }
  }

  @Test
  void withoutATarget_theBoundIsTheSetting_andAnAdmittedCallWaitsItOut() {
    Node node = new Node(calls(2048, 0));
    node.run(3000, 10, 5);                              // twice what a node of 5,000 calls a second carries

    node.run(1000, 10, 5);

    assertEquals(2048, node.calls.limit());
    assertTrue(node.p99() >= 400 * MS, "2,048 in flight at 5 a millisecond: about 410 ms each, " + node.p99() / MS);
    assertTrue(shed.get() > 0);
  }

  @Test
  void withATarget_underTwiceWhatTheNodeCarries_admittedCallsWaitAboutTheTarget_andTheExcessIsRefused() {
    Node node = new Node(calls(2048, TARGET));
    node.run(3000, 10, 5);

    int shedBefore = shed.get();
    node.run(2000, 10, 5);

    assertTrue(node.p99() <= TARGET * 3 / 2, "p99 " + node.p99() / MS + " ms against a target of 200");
    assertTrue(node.calls.limit() < 2048 && node.calls.limit() >= 500,
        "about the 1,000 a node of 5 a millisecond finishes in 200 ms: " + node.calls.limit());
    assertTrue(shed.get() - shedBefore > 9_000, "about half of the 20,000 offered were refused: " + (shed.get() - shedBefore));
    assertTrue(node.calls.inFlight() <= node.calls.limit());
  }

  @Test
  void whenTheLoadFalls_theBoundGoesBackToTheSetting_neverAbove() {
    Node node = new Node(calls(2048, TARGET));
    node.run(3000, 10, 5);
    assertTrue(node.calls.limit() < 2048);

    node.run(2_000, 3, 5);                              // the backlog drains

    node.run(10_000, 3, 5);

    assertEquals(2048, node.calls.limit());
    assertTrue(node.p99() <= 2 * MS);
  }

  @Test
  void aNodeSlowButNotQueued_keepsItsBound_aCutThatShortensNoWaitIsUndone() {
    Node node = new Node(calls(2048, TARGET));
    // Every call takes 250 ms (over the target) however few are in flight; 5,000 a second offered,
    // 1,250 in flight: all of it carried by the setting, and a lower bound would shorten no wait.
    node.runSlow(2_000, 5, 250);

    long admitted = node.runSlow(30_000, 5, 250);

    assertTrue(admitted >= 150_000 * 95 / 100, "at most 5% refused over 30 s: " + admitted + " of 150,000 admitted");
    assertEquals(2048, node.calls.limit());
  }

  @Test
  void oneStallAfterIdle_doesNotBringTheBoundDown() {
    CallsInFlight calls = calls(2048, TARGET);
    now += 600_000 * MS;                                // ten minutes idle
    long burst = now;
    for (int i = 0; i < 1500; i++) {
      assertTrue(calls.tryEnter("grpc"));
    }
    now += 300 * MS;                                    // one stall of 300 ms, then all are answered
    for (int i = 0; i < 1500; i++) {
      calls.exit("grpc", burst);
    }
    assertTrue(calls.limit() >= 1024, "by half at most: " + calls.limit());
    Node node = new Node(calls);
    node.run(3_000, 3, 5);                              // then 60% of what the node carries
    assertEquals(2048, calls.limit());
  }

  @Test
  void aSettingNearTheLargestInt_neverOverflows() {
    CallsInFlight calls = calls(Integer.MAX_VALUE, TARGET);
    Node node = new Node(calls);
    node.run(3_000, 3, 5);
    assertEquals(Integer.MAX_VALUE, calls.limit());
    assertTrue(calls.tryEnter("grpc"));
  }

  @Test
  void aPauseWithFewInFlight_doesNotLowerTheBound() {
    CallsInFlight calls = calls(2048, TARGET);
    for (int i = 0; i < 10; i++) {
      long entered = now;
      assertTrue(calls.tryEnter("grpc"));
      now += 500 * MS;                                  // one call at a time, each slow (a pause, a slow disk)
      calls.exit("grpc", entered);
    }
    assertEquals(2048, calls.limit());
  }

  @Test
  void theBoundInForce_refusesAboveIt_andNeverGoesBelowTheFloor() {
    Node node = new Node(calls(2048, TARGET));
    node.run(3000, 10, 0);                              // a stalled node: nothing finishes
    node.run(3000, 10, 1);                              // then a very slow one
    int limit = node.calls.limit();
    assertTrue(limit >= CallsInFlight.FLOOR && limit < 2048, "between the floor and the setting: " + limit);

    while (node.calls.inFlight() < node.calls.limit()) {
      assertTrue(node.calls.tryEnter("grpc"));
    }
    int shedBefore = shed.get();
    assertFalse(node.calls.tryEnter("grpc"));
    assertEquals(shedBefore + 1, shed.get());
  }

  @Test
  void aSettingBelowTheFloor_isNeverLowered() {
    Node node = new Node(calls(8, TARGET));
    node.run(5000, 10, 0);
    node.run(2000, 10, 1);
    assertEquals(8, node.calls.limit());
  }
}
