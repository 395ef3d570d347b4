package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The active set: whole families chosen by the seed; with every person active, the draws of before. */
class WorkloadTest {

  @Test
  void activeFamilies_fewerThanTheDataSet_distinctInOrderAndTheSameForTheSameSeed() {
    int[] chosen = Workload.activeFamilies(1_000, 50, 7);

    assertEquals(50, IntStream.of(chosen).distinct().count());
    assertTrue(IntStream.range(1, chosen.length).allMatch(i -> chosen[i - 1] < chosen[i]), "in the data set's order");
    assertTrue(IntStream.of(chosen).allMatch(f -> f >= 0 && f < 1_000));
    assertArrayEquals(chosen, Workload.activeFamilies(1_000, 50, 7));
    assertNotEquals(List.of(chosen), List.of(Workload.activeFamilies(1_000, 50, 8)));
  }

  @Test
  void activeFamilies_asManyAsTheDataSetOrMore_everyFamilyInOrder() {
    assertArrayEquals(new int[] {0, 1, 2, 3}, Workload.activeFamilies(4, 4, 7));
    assertArrayEquals(new int[] {0, 1, 2, 3}, Workload.activeFamilies(4, 9, 7));
  }

  @Test
  void generated_activePeople_roundedUpToFamiliesAndEverySaleDrawnFromThem() {
    Workload w = Workload.generated("act", 400, 200, 6, 3);

    assertEquals(8, w.active().size(), "6 persons: two families");
    assertEquals(400, w.people().size());
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 100; i++) {
      assertTrue(w.active().contains(w.payer(r)));
      assertTrue(w.active().contains(w.shortPatient(i)));
      assertTrue(w.active().contains(w.walletPatient(i)));
    }
  }

  @Test
  void generated_everyPersonActive_drawsWhatARunWithoutAnActiveSetDrew() {
    Workload all = Workload.generated("all", 40, 20);
    Workload same = Workload.generated("all", 40, 20, 40, 99);

    assertEquals(all.people(), same.active());
    SplittableRandom a = new SplittableRandom(5);
    SplittableRandom b = new SplittableRandom(5);
    for (int i = 0; i < 50; i++) {
      assertEquals(all.payer(a), same.payer(b));
      assertEquals(all.shortPatient(i), same.shortPatient(i));
      assertEquals(all.walletPatient(i), same.walletPatient(i));
    }
  }
}
