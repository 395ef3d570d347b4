package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

/** The rule of --find-max-rate, step by step, against scripted outcomes. */
class RateSearchTest {
  /** Runs a search whose steps meet as {@code meets} says; returns the rates it tried, in order. */
  private static List<Double> run(RateSearch search, DoublePredicate meets, boolean[] oneOffMisses) {
    List<Double> rates = new ArrayList<>();
    int step = 0;
    while (!search.done()) {
      double rate = search.rate();
      rates.add(rate);
      boolean oneOff = step < oneOffMisses.length && oneOffMisses[step];
      search.record(meets.test(rate) && !oneOff);
      step++;
    }
    return rates;
  }

  @Test
  void climbsByHalvesThenBisectsAndConfirmsEachMiss() {
    RateSearch search = new RateSearch(1000);
    List<Double> rates = run(search, r -> r <= 2000, new boolean[0]);
    // 1000, 1500, 2250 missed twice, then (1500+2250)/2 = 1875 met, 2062.5 missed twice (10% over 1875:
    // not yet within), 1968.75 met: within 10%.
    assertEquals(List.of(1000.0, 1500.0, 2250.0, 2250.0, 1875.0, 2062.5, 2062.5, 1968.75), rates);
    assertEquals(1968.75, search.best());
  }

  @Test
  void aOneOffMissDoesNotEndTheClimb() {
    RateSearch search = new RateSearch(1000);
    // The second step (1500) misses once (a pause), then meets when run again.
    List<Double> rates = run(search, r -> r <= 2000, new boolean[] {false, true});
    assertEquals(List.of(1000.0, 1500.0, 1500.0, 2250.0, 2250.0, 1875.0, 2062.5, 2062.5, 1968.75), rates);
    assertEquals(1968.75, search.best());
  }

  @Test
  void nothingMetHalvesDownAndStopsUnderOnePerSecond() {
    RateSearch search = new RateSearch(4);
    List<Double> rates = run(search, r -> false, new boolean[0]);
    assertEquals(List.of(4.0, 4.0, 2.0, 2.0, 1.0, 1.0), rates);
    assertEquals(0.0, search.best());
    assertTrue(search.rate() < 1);
  }

  @Test
  void stopsAfterItsStepsAreSpent() {
    RateSearch search = new RateSearch(1);
    List<Double> rates = run(search, r -> true, new boolean[0]);
    assertEquals(RateSearch.MAX_STEPS, rates.size());
    assertFalse(search.confirming());
  }

  @Test
  void aStepShorterThanAThousandTimesWhatAStallPassesTheObjective_isTooShortToJudgeByOneStall() {
    // A 48.9 ms stall against 20 ms: the RPCs sent in its first 28.9 ms wait past 20 ms; they
    // outnumber 0.1% of a step of 28.9 s or less, whatever the rate.
    assertEquals(29, RateSearch.stepSecondsNeeded(10, 48_900, 20));
    assertEquals(29, RateSearch.stepSecondsNeeded(28.9, 48_900, 20));
    assertEquals(0, RateSearch.stepSecondsNeeded(29, 48_900, 20));
    assertEquals(0, RateSearch.stepSecondsNeeded(60, 48_900, 20));
    assertEquals(26, RateSearch.stepSecondsNeeded(5, 45_000, 20), "strictly more than 25 s");
    // A stall within the objective decides nothing; without an objective there is nothing to decide.
    assertEquals(0, RateSearch.stepSecondsNeeded(5, 20_000, 20));
    assertEquals(0, RateSearch.stepSecondsNeeded(5, 900_000, 0));
  }
}
