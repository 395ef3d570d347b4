package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A binding id is made from its number, and only that spelling names it. */
class BindingIdTest {

  @Test
  void everyNumber_roundTrips() {
    SplittableRandom random = new SplittableRandom(9L);
    long[] edges = {0, 1, 35, 36, 1_295, 1_296, Long.MAX_VALUE};
    for (long n : edges) {
      assertEquals(n, BindingState.seqOf(Ledger.id(BindingState.KIND, n)), "edge " + n);
    }
    for (int i = 0; i < 100_000; i++) {
      long n = random.nextLong(Long.MAX_VALUE);
      assertEquals(n, BindingState.seqOf(Ledger.id(BindingState.KIND, n)), "number " + n);
    }
  }

  @Test
  void otherSpellings_nameNoBinding() {
    for (String id : new String[] {"", "B", "b1", "B01", "B00", "Bz", "B-1", "B 1", "X1", "B1Y2CG4V1GF9KAB",
        "B1Y2P0IJ32E8E8", "BZZZZZZZZZZZZZ", "B１"}) {
      assertEquals(-1, BindingState.seqOf(id), id);
    }
    assertEquals(0, BindingState.seqOf("B0"));
    assertEquals(36 * 36 - 1, BindingState.seqOf("BZZ"));
  }
}
