package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Examples-proportional mixing, with and without the cap; length grouping. */
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

  /** Length of example i of task t: a fixed pseudo-random value in [1, 128]. */
  private static int len(int t, int i) {
    return 1 + (int) (Math.floorMod((i * 2654435761L) ^ (t * 40503L), 128L));
  }

  private static Sampler grouped(int pool) {
    return new Sampler(7, new int[] {200, 60}, 8, true, 0, pool, SamplerTest::len);
  }

  private static java.util.List<java.util.List<Sampler.Pick>> batches(Sampler s, int n) {
    java.util.List<java.util.List<Sampler.Pick>> out = new java.util.ArrayList<>();
    for (int b = 0; b < n; b++) {
      out.add(s.next());
    }
    return out;
  }

  private static long[] taskCounts(java.util.List<Sampler.Pick> batch) {
    return new long[] {
      batch.stream().filter(p -> p.task() == 0).count(),
      batch.stream().filter(p -> p.task() == 1).count()
    };
  }

  /** Padding a batch costs: its longest input times its size, summed over batches. */
  private static long paddedTokens(java.util.List<java.util.List<Sampler.Pick>> bs) {
    long sum = 0;
    for (var b : bs) {
      sum += (long) b.size() * b.stream().mapToInt(p -> len(p.task(), p.index())).max().orElse(0);
    }
    return sum;
  }

  @Test
  void groupingKeepsTheExamplesAndTheMixingAndPadsLess() {
    int pool = 10;
    var plain = batches(new Sampler(7, new int[] {200, 60}, 8, true, 0), 50);
    var byLength = batches(grouped(pool), 50);
    for (int p = 0; p < 50; p += pool) {
      java.util.List<String> a = new java.util.ArrayList<>();
      java.util.List<String> b = new java.util.ArrayList<>();
      java.util.List<String> countsA = new java.util.ArrayList<>();
      java.util.List<String> countsB = new java.util.ArrayList<>();
      for (int i = p; i < p + pool; i++) {
        plain.get(i).forEach(x -> a.add(x.task() + ":" + x.index()));
        byLength.get(i).forEach(x -> b.add(x.task() + ":" + x.index()));
        countsA.add(java.util.Arrays.toString(taskCounts(plain.get(i))));
        countsB.add(java.util.Arrays.toString(taskCounts(byLength.get(i))));
      }
      java.util.Collections.sort(a);
      java.util.Collections.sort(b);
      java.util.Collections.sort(countsA);
      java.util.Collections.sort(countsB);
      assertEquals(a, b, "pool " + p / pool + " reads the same examples");
      assertEquals(countsA, countsB, "pool " + p / pool + " keeps each batch's task counts");
    }
    long before = paddedTokens(plain);
    long after = paddedTokens(byLength);
    assertTrue(after < 0.75 * before, "padded tokens " + after + " vs " + before + " ungrouped");
  }

  @Test
  void aGroupedSamplerResumesMidPoolToTheSameBatches() {
    var whole = batches(grouped(6), 20);
    for (int cut : new int[] {0, 3, 6, 11}) {
      Sampler first = grouped(6);
      batches(first, cut);
      Sampler resumed = grouped(6);
      resumed.restore(first.consumed(), first.batches());
      assertEquals(whole.subList(cut, 20), batches(resumed, 20 - cut), "resumed after " + cut);
    }
  }
}
