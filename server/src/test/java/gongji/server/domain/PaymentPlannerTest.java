package gongji.server.domain;

import static gongji.server.domain.ItemCategory.COSMETICS;
import static gongji.server.domain.ItemCategory.DRUG;
import static gongji.server.domain.ItemCategory.HEALTH_CHECKUP;
import static gongji.server.domain.ItemCategory.MEDICAL_SERVICE;
import static gongji.server.domain.ItemCategory.NON_PROGRAMME_VACCINE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PaymentPlannerTest {
  private static final int BASE = CategoryMask.BASE;
  private static final int WITH_VACCINE = CategoryMask.payable(Set.of(NON_PROGRAMME_VACCINE));

  private static LineItem line(ItemCategory category, long amountFen) {
    return new LineItem("X", category, true, 1, amountFen);
  }

  private static LineItem outOfScope(ItemCategory category, long amountFen) {
    return new LineItem("X", category, false, 1, amountFen);
  }

  /** Runs allocate; returns the draws followed by the cash part. */
  private static long[] allocate(Bill bill, long[] available, int[] masks) {
    long[] draws = new long[available.length];
    long cash = PaymentPlanner.allocate(bill, available.length, available, masks, draws);
    long[] out = Arrays.copyOf(draws, draws.length + 1);
    out[draws.length] = cash;
    return out;
  }

  // ---- allocate -------------------------------------------------------------------------------

  @Test
  void allocate_sourcesInOrder_eachUpToWhatItHas() {
    Bill bill = Bill.of(List.of(line(DRUG, 5_000), line(MEDICAL_SERVICE, 2_000)));

    long[] split = allocate(bill, new long[] {1_000, 2_000, 10_000, 10_000}, new int[] {BASE, BASE, BASE, BASE});

    assertArrayEquals(new long[] {1_000, 2_000, 4_000, 0, 0}, split);
  }

  @Test
  void allocate_notEnoughInAnySource_restIsCash() {
    Bill bill = Bill.of(List.of(line(DRUG, 5_000)));

    assertArrayEquals(new long[] {1_000, 500, 3_500}, allocate(bill, new long[] {1_000, 500}, new int[] {BASE, BASE}));
  }

  @Test
  void allocate_noSources_allCash() {
    Bill bill = Bill.of(List.of(line(DRUG, 5_000)));

    assertEquals(5_000, PaymentPlanner.allocate(bill, 0, new long[0], new int[0], new long[0]));
  }

  @Test
  void allocate_outOfScopeAndForbidden_alwaysCash() {
    Bill bill = Bill.of(List.of(line(DRUG, 1_000), outOfScope(DRUG, 700), line(COSMETICS, 300)));

    assertArrayEquals(new long[] {1_000, 1_000}, allocate(bill, new long[] {1_000_000}, new int[] {BASE}));
  }

  @Test
  void allocate_categoryOutsideTheMask_leftForLaterSourcesOrCash() {
    Bill bill = Bill.of(List.of(line(NON_PROGRAMME_VACCINE, 3_000), line(HEALTH_CHECKUP, 500), line(DRUG, 1_000)));

    long[] split = allocate(bill, new long[] {10_000, 10_000}, new int[] {BASE, WITH_VACCINE});

    assertArrayEquals(new long[] {1_000, 3_000, 500}, split);
  }

  @Test
  void allocate_optionalCategoriesDrawnFirst_soThatLaterSourcesCanPayTheBaseOnes() {
    // The first source could pay either; if it paid the drug, the vaccine would fall to cash.
    Bill bill = Bill.of(List.of(line(DRUG, 3_000), line(NON_PROGRAMME_VACCINE, 3_000)));

    long[] split = allocate(bill, new long[] {3_000, 3_000}, new int[] {WITH_VACCINE, BASE});

    assertArrayEquals(new long[] {3_000, 3_000, 0}, split);
  }

  @Test
  void allocate_zeroAvailable_drawsNothing() {
    Bill bill = Bill.of(List.of(line(DRUG, 3_000)));

    assertArrayEquals(new long[] {0, 3_000, 0}, allocate(bill, new long[] {0, 5_000}, new int[] {BASE, BASE}));
  }

  @Test
  void allocate_negativeAvailable_throws() {
    Bill bill = Bill.of(List.of(line(DRUG, 3_000)));

    assertThrows(IllegalArgumentException.class, () -> allocate(bill, new long[] {-1}, new int[] {BASE}));
  }

  @Test
  void allocate_randomBills_conserveMoneyAndRespectEveryCap() {
    long seed = Long.getLong("gongji.seed", 7L);
    SplittableRandom random = new SplittableRandom(seed);
    ItemCategory[] categories = ItemCategory.values();
    int[] masks = {BASE, WITH_VACCINE, CategoryMask.payable(Set.of(NON_PROGRAMME_VACCINE, HEALTH_CHECKUP)), 0};
    for (int run = 0; run < 2_000; run++) {
      String where = "seed " + seed + " (-Dgongji.seed=" + seed + ") run " + run;
      List<LineItem> items = new ArrayList<>();
      int lines = 1 + random.nextInt(6);
      for (int i = 0; i < lines; i++) {
        items.add(new LineItem("X", categories[random.nextInt(categories.length)], random.nextInt(4) > 0, 1,
            random.nextLong(0, 50_000)));
      }
      Bill bill = Bill.of(items);
      int n = random.nextInt(5);
      long[] available = new long[n];
      int[] sourceMasks = new int[n];
      int union = 0;
      for (int i = 0; i < n; i++) {
        available[i] = random.nextInt(3) == 0 ? 0 : random.nextLong(0, 60_000);
        sourceMasks[i] = masks[random.nextInt(masks.length)];
        union |= sourceMasks[i];
      }
      boolean sameMask = n > 0 && Arrays.stream(sourceMasks).allMatch(m -> m == sourceMasks[0]);

      long[] draws = new long[n];
      long cash = PaymentPlanner.allocate(bill, n, available, sourceMasks, draws);

      long paid = 0;
      for (int i = 0; i < n; i++) {
        assertTrue(draws[i] >= 0 && draws[i] <= available[i], where + ": draw " + i + " " + draws[i]);
        assertTrue(draws[i] <= bill.payableFen(sourceMasks[i]), where + ": source " + i + " paid outside its mask");
        paid += draws[i];
      }
      assertEquals(bill.totalFen(), paid + cash, where + ": draws + cash = total");
      assertTrue(paid <= bill.payableFen(union), where + ": accounts paid more than they may");
      if (sameMask) {
        // With one mask for all, it is plain greedy in order: each source takes what is left, up to its cap.
        long left = bill.payableFen(sourceMasks[0]);
        for (int i = 0; i < n; i++) {
          long expected = Math.min(available[i], left);
          assertEquals(expected, draws[i], where + ": source " + i);
          left -= expected;
        }
      }
    }
  }

  // ---- shrink ---------------------------------------------------------------------------------

  @Test
  void shrink_reduction_comesOffTheLastLegFirst() {
    long[] legs = {1_000, 2_000, 3_000};

    long cash = PaymentPlanner.shrink(legs, 500, 3_500);

    assertArrayEquals(new long[] {1_000, 1_500, 0}, legs);
    assertEquals(500, cash);
  }

  @Test
  void shrink_reductionBeyondTheAccountLegs_takesCashLast() {
    long[] legs = {1_000, 2_000};

    long cash = PaymentPlanner.shrink(legs, 500, 3_200);

    assertArrayEquals(new long[] {0, 0}, legs);
    assertEquals(300, cash);
  }

  @Test
  void shrink_wholeTotal_leavesNothing() {
    long[] legs = {1_000, 2_000};

    assertEquals(0, PaymentPlanner.shrink(legs, 500, 3_500));
    assertArrayEquals(new long[] {0, 0}, legs);
  }

  @Test
  void shrink_zeroReduction_changesNothing() {
    long[] legs = {1_000, 2_000};

    assertEquals(500, PaymentPlanner.shrink(legs, 500, 0));
    assertArrayEquals(new long[] {1_000, 2_000}, legs);
  }

  @Test
  void shrink_reductionAboveTheTotal_throws() {
    assertThrows(IllegalArgumentException.class, () -> PaymentPlanner.shrink(new long[] {1_000}, 500, 1_501));
  }

  @Test
  void shrink_negativeReduction_throws() {
    assertThrows(IllegalArgumentException.class, () -> PaymentPlanner.shrink(new long[] {1_000}, 500, -1));
  }

  @Test
  void shrink_randomLegs_keepAPrefixAndNeverGrowCash() {
    long seed = Long.getLong("gongji.seed", 11L);
    SplittableRandom random = new SplittableRandom(seed);
    for (int run = 0; run < 2_000; run++) {
      String where = "seed " + seed + " (-Dgongji.seed=" + seed + ") run " + run;
      long[] before = new long[random.nextInt(5)];
      long total = 0;
      for (int i = 0; i < before.length; i++) {
        before[i] = random.nextLong(0, 10_000);
        total += before[i];
      }
      long cashBefore = random.nextLong(0, 10_000);
      total += cashBefore;
      long reduction = random.nextLong(0, total + 1);
      long[] legs = before.clone();

      long cash = PaymentPlanner.shrink(legs, cashBefore, reduction);

      assertEquals(total - reduction, Arrays.stream(legs).sum() + cash, where + ": new total");
      assertTrue(cash <= cashBefore, where + ": cash grew");
      // Some leg k is cut; the legs before it are whole and the legs after it are gone.
      int k = 0;
      while (k < legs.length && legs[k] == before[k]) {
        k++;
      }
      for (int i = k + 1; i < legs.length; i++) {
        assertEquals(0, legs[i], where + ": leg " + i + " after the cut leg " + k);
      }
      if (cash < cashBefore) {
        assertEquals(0, Arrays.stream(legs).sum(), where + ": cash shrank while an account still paid");
      }
    }
  }
}
