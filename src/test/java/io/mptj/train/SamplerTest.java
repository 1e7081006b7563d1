package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Examples-proportional mixing, with and without the cap. */
class SamplerTest {

  private static double shareOfFirst(Sampler s, int batches) {
    long first = 0;
    long all = 0;
    for (int b = 0; b < batches; b++) {
      for (Sampler.Pick p : s.next()) {
        first += p.task() == 0 ? 1 : 0;
        all++;
      }
    }
    return (double) first / all;
  }

  @Test
  void mixingFollowsSizesUntilTheCapEvensThemOut() {
    int[] sizes = {10_000, 1_000};
    double uncapped = shareOfFirst(new Sampler(3, sizes, 16, false, 0), 400);
    double capped = shareOfFirst(new Sampler(3, sizes, 16, false, 1_000), 400);
    assertEquals(10 / 11.0, uncapped, 0.03, "uncapped: proportional to 10,000 : 1,000");
    assertEquals(0.5, capped, 0.04, "capped at 1,000: both count as 1,000");
  }

  @Test
  void aCappedTaskIsStillReadThroughAllItsExamples() {
    Sampler s = new Sampler(5, new int[] {50, 10}, 10, false, 10);
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (int b = 0; b < 40; b++) {
      s.next().stream().filter(p -> p.task() == 0).forEach(p -> seen.add(p.index()));
    }
    assertEquals(50, seen.size());
    assertTrue(s.consumed()[0] > 0 && s.consumed()[1] > 0);
  }
}
