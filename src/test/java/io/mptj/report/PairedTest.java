package io.mptj.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Paired comparisons against the baseline: differences, bootstrap intervals, p-values. */
class PairedTest {

  private static Run run(String method, String task, int seed, double score, String correct) {
    RunMetrics m =
        new RunMetrics(
            task,
            method.toLowerCase(java.util.Locale.ROOT),
            seed,
            16,
            Map.of("score", score),
            Map.of("score", score),
            new RunMetrics.Params(10, 0),
            -1,
            -1,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            correct);
    return new Run(new RunRef(method, task, seed, 16, Path.of("/nonexistent")), m, null);
  }

  private static String correct(int right, int n) {
    return "1".repeat(right) + "0".repeat(n - right);
  }

  @Test
  void aConsistentGainHasAnIntervalAboveZero() {
    List<Run> runs = new ArrayList<>();
    for (int seed = 1; seed <= 5; seed++) {
      // 200 test examples: PT gets 100 right, MPT the same 100 plus 20 more
      runs.add(run("PT", "RTE", seed, 50, correct(100, 200)));
      runs.add(run("MPT", "RTE", seed, 60 + seed % 2, correct(120, 200)));
    }
    Results r = new Results(runs);
    Paired.Comparison c = Paired.compare(Paired.pairs(r, 16, "MPT", "PT"));
    assertEquals(5, c.pairs());
    assertEquals(10.6, c.delta(), 1e-9); // mean of 11, 10, 11, 10, 11
    assertTrue(c.lo() >= 10 && c.hi() <= 11, c.lo() + " " + c.hi());
    assertEquals(10.0, c.accDelta(), 1e-9);
    assertTrue(c.accLo() > 0, "interval " + c.accLo() + ".." + c.accHi());
    assertTrue(c.p() < 0.01, "p " + c.p());
    Doc.Table t = Paired.table(r, 16);
    assertEquals("MPT − PT", t.rows().getFirst().getFirst());
    assertEquals("+10.6", t.rows().getFirst().get(2));
  }

  @Test
  void noiseAroundZeroGivesAnIntervalThatContainsIt() {
    List<Run> runs = new ArrayList<>();
    for (int seed = 1; seed <= 5; seed++) {
      String a = seed % 2 == 0 ? "10".repeat(20) : "01".repeat(20);
      runs.add(run("PT", "CB", seed, 50, "10".repeat(20)));
      runs.add(run("MPT", "CB", seed, seed % 2 == 0 ? 50 : 50, a));
    }
    Paired.Comparison c = Paired.compare(Paired.pairs(new Results(runs), 16, "MPT", "PT"));
    assertTrue(c.accLo() < 0 && c.accHi() > 0, c.accLo() + " " + c.accHi());
    assertTrue(c.p() > 0.2, "p " + c.p());
  }

  @Test
  void runsWithoutPerExampleResultsStillGetTheSeedInterval() {
    List<Run> runs = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      runs.add(run("PT", "WiC", seed, 50 + seed, null));
      runs.add(run("SPoT", "WiC", seed, 52 + seed, null));
    }
    Paired.Comparison c = Paired.compare(Paired.pairs(new Results(runs), 16, "SPoT", "PT"));
    assertEquals(2.0, c.delta(), 1e-9);
    assertTrue(Double.isNaN(c.accDelta()) && Double.isNaN(c.p()));
    // a method without a baseline partner is left out
    assertNull(Paired.compare(Paired.pairs(new Results(runs), 16, "MPT", "PT")));
  }

  @Test
  void severalTasksAddARowPerTaskUnderTheOverallOne() {
    List<Run> runs = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      runs.add(run("PT", "glue/RTE", seed, 50, correct(10, 20)));
      runs.add(run("MPT", "glue/RTE", seed, 55, correct(11, 20)));
      runs.add(run("PT", "superglue/CB", seed, 60, correct(12, 20)));
      runs.add(run("MPT", "superglue/CB", seed, 58, correct(11, 20)));
    }
    Doc.Table t = Paired.table(new Results(runs), 16);
    assertEquals(3, t.rows().size());
    assertEquals("+1.5", t.rows().get(0).get(2)); // (5 + -2) / 2, tasks weighted equally
    assertEquals("· glue/RTE", t.rows().get(1).getFirst());
    assertEquals("+5.0", t.rows().get(1).get(2));
    assertEquals("-2.0", t.rows().get(2).get(2));
  }

  @Test
  void mptIsAlsoComparedWithTheOtherTransferMethodsAndMptPlusXWithX() {
    List<Run> runs = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      runs.add(run("PT", "glue/RTE", seed, 50, correct(10, 20)));
      runs.add(run("SPoT", "glue/RTE", seed, 52, correct(10, 20)));
      runs.add(run("MPT", "glue/RTE", seed, 55, correct(11, 20)));
      runs.add(run("DePT", "glue/RTE", seed, 51, correct(10, 20)));
      runs.add(run("MPT+DePT", "glue/RTE", seed, 54 + seed, correct(12, 20)));
    }
    Doc.Table t = Paired.table(new Results(runs), 16);
    List<String> labels = t.rows().stream().map(List::getFirst).toList();
    assertEquals(
        List.of(
            "SPoT − PT", "MPT − PT", "DePT − PT", "MPT+DePT − PT", "MPT − SPoT", "MPT+DePT − DePT"),
        labels);
    assertEquals("+3.0", t.rows().get(4).get(2)); // 55 − 52
    assertEquals("+5.0", t.rows().get(5).get(2)); // mean of 55, 56, 57 − 51
    assertEquals("+10.0", t.rows().get(5).get(4)); // 12/20 − 10/20 right
  }
}
