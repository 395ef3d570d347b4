package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The heap of sales keeps the order it always had (by time, ties by sale id as strings compare)
 * now that it compares times and ids kept in arrays beside the sales: seeded runs of offers,
 * moves, removals and polls, checked against a sorted set after every step.
 */
class TxnHeapTest {
  private static final int SEEDS = 200;
  private static final int STEPS = 400;
  private static final Comparator<Txn> BY_TOUCHED_THEN_ID =
      Comparator.<Txn>comparingLong(t -> t.touchedAtMillis).thenComparing(t -> t.id);

  @Test
  void theIdsOrderNumberSortsAsTheIdsDo() {
    SplittableRandom random = new SplittableRandom(7);
    List<String> ids = new ArrayList<>(List.of("T0", "T1", "TZ", "T10", "TZZZZZZZZZZZ", "TA", "T", "B1", "W1A"));
    for (int i = 0; i < 5_000; i++) {
      // Small numbers (short ids, many prefixes of one another) and large ones, up to 12 characters.
      long n = random.nextBoolean() ? random.nextLong(50_000) : random.nextLong(Long.MAX_VALUE >>> 8);
      ids.add(Ledger.id(random.nextBoolean() ? 'T' : 'B', n));
    }
    for (int i = 0; i < 20_000; i++) {
      String a = ids.get(random.nextInt(ids.size()));
      String b = ids.get(random.nextInt(ids.size()));
      long oa = TxnHeap.order(a);
      long ob = TxnHeap.order(b);
      if (oa != Long.MAX_VALUE && ob != Long.MAX_VALUE) {
        assertEquals(Integer.signum(a.compareTo(b)), Long.signum(oa - ob), a + " against " + b);
      }
    }
    // Beyond what the number holds, the strings decide (the heap compares them whenever one is this).
    assertEquals(Long.MAX_VALUE, TxnHeap.order("T" + "1".repeat(12)));
    assertEquals(Long.MAX_VALUE, TxnHeap.order("Tz"));
  }

  @Test
  void pollsInTheOrderOfTimeThenIdThroughOffersMovesAndRemovals() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      TxnHeap heap = new TxnHeap(TxnHeap.By.TOUCHED);
      TreeSet<Txn> expected = new TreeSet<>(BY_TOUCHED_THEN_ID);
      List<Txn> inHeap = new ArrayList<>();
      long nextId = random.nextLong(1_000_000);
      long nextLongId = 0;
      for (int step = 0; step < STEPS; step++) {
        int action = random.nextInt(10);
        if (action < 5 || inHeap.isEmpty()) { // a new sale; few distinct times, so ties abound
          // Every few ids one far above the rest: longer than 12 characters, its ties go by the strings.
          long number = random.nextInt(20) == 0 ? Long.MAX_VALUE - nextLongId++ : nextId++;
          Txn t = sale(Ledger.id('T', number), random.nextLong(8));
          heap.offer(t);
          expected.add(t);
          inHeap.add(t);
        } else if (action < 7) { // touched again: its time moves, up or down
          Txn t = inHeap.get(random.nextInt(inHeap.size()));
          expected.remove(t);
          t.touchedAtMillis = random.nextLong(8);
          heap.offer(t);
          expected.add(t);
        } else if (action < 9) { // closes, or is let go of
          Txn t = inHeap.remove(random.nextInt(inHeap.size()));
          heap.remove(t);
          expected.remove(t);
        } else {
          Txn t = heap.poll();
          assertSame(expected.pollFirst(), t, "seed " + seed + " step " + step);
          inHeap.remove(t);
        }
        assertEquals(expected.size(), heap.size(), "seed " + seed + " step " + step);
        assertSame(expected.isEmpty() ? null : expected.first(), heap.peek(), "seed " + seed + " step " + step);
      }
      while (!expected.isEmpty()) {
        assertSame(expected.pollFirst(), heap.poll(), "seed " + seed + " at the end");
      }
      assertNull(heap.poll());
      assertEquals(0, heap.legsFen());
    }
  }

  private static Txn sale(String id, long touchedAtMillis) {
    Txn t = new Txn(id, null, null, null, null, 0, 0, new TxnLeg[0], 0, touchedAtMillis, touchedAtMillis);
    t.touchedAtMillis = touchedAtMillis;
    return t;
  }
}
