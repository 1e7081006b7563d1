package io.mptj.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Paired comparisons of each method with a baseline (PT when present) over the same tasks and
 * seeds: the mean test-score difference (per task over seeds, then over tasks, each task weighted
 * equally, as benchmark averages are), a 95% interval from a bootstrap that resamples seeds within
 * each task, and — where runs recorded which test examples they got right — a paired bootstrap of
 * the accuracy difference that resamples seeds and test examples together (the same example draw
 * for both methods), with its two-sided p-value.
 */
final class Paired {
  private Paired() {}

  /** Bootstrap resamples. */
  static final int RESAMPLES = 2000;

  /** The resampling seed: the report is the same every time it is written. */
  static final long SEED = 0x2303_02861L;

  /** One task's paired runs: {@code a[i]} and {@code b[i]} share a seed (and few-shot draw). */
  record TaskPairs(
      String task, double[] scoreA, double[] scoreB, String[] correctA, String[] correctB) {

    int n() {
      return scoreA.length;
    }

    /** Whether every run recorded the same number of test examples. */
    boolean perExample() {
      List<String> all = new ArrayList<>(Arrays.asList(correctA));
      all.addAll(Arrays.asList(correctB));
      return all.stream().allMatch(s -> s != null && !s.isEmpty())
          && all.stream().map(String::length).distinct().count() == 1;
    }
  }

  /**
   * The result of one comparison.
   *
   * @param pairs paired runs (tasks × seeds)
   * @param delta mean score difference, a − b, in points
   * @param lo 2.5th percentile of the seed bootstrap
   * @param hi 97.5th percentile
   * @param accDelta accuracy difference in points, NaN when runs lack per-example results
   * @param accLo 2.5th percentile of the seed × example bootstrap
   * @param accHi 97.5th percentile
   * @param p two-sided bootstrap p-value of the accuracy difference
   */
  record Comparison(
      int pairs,
      double delta,
      double lo,
      double hi,
      double accDelta,
      double accLo,
      double accHi,
      double p) {}

  /** The paired runs of {@code a} and {@code b} per task in one shots setting. */
  static List<TaskPairs> pairs(Results results, int shots, String a, String b) {
    List<TaskPairs> out = new ArrayList<>();
    for (String task : results.tasks(shots)) {
      List<Run> ra = results.runs(shots, a, task);
      List<Run> rb = results.runs(shots, b, task);
      List<Run[]> matched = new ArrayList<>();
      for (Run x : ra) {
        rb.stream()
            .filter(y -> y.ref().seed() == x.ref().seed())
            .findFirst()
            .ifPresent(y -> matched.add(new Run[] {x, y}));
      }
      if (!matched.isEmpty()) {
        out.add(
            new TaskPairs(
                task,
                matched.stream().mapToDouble(m -> m[0].metrics().testScore()).toArray(),
                matched.stream().mapToDouble(m -> m[1].metrics().testScore()).toArray(),
                matched.stream().map(m -> m[0].metrics().testCorrect()).toArray(String[]::new),
                matched.stream().map(m -> m[1].metrics().testCorrect()).toArray(String[]::new)));
      }
    }
    return out;
  }

  /** Compares over the given tasks' pairs; null when there are none. */
  static Comparison compare(List<TaskPairs> tasks) {
    if (tasks.isEmpty()) {
      return null;
    }
    int pairs = tasks.stream().mapToInt(TaskPairs::n).sum();
    double delta = meanOverTasks(tasks, (t, rng) -> scoreDelta(t, identity(t.n())), null);
    SplittableRandom rng = new SplittableRandom(SEED);
    double[] boot = new double[RESAMPLES];
    for (int r = 0; r < RESAMPLES; r++) {
      boot[r] = meanOverTasks(tasks, (t, g) -> scoreDelta(t, draw(g, t.n())), rng);
    }
    Arrays.sort(boot);
    boolean perExample = tasks.stream().allMatch(TaskPairs::perExample);
    double accDelta = Double.NaN;
    double accLo = Double.NaN;
    double accHi = Double.NaN;
    double p = Double.NaN;
    if (perExample) {
      accDelta =
          meanOverTasks(
              tasks,
              (t, g) -> accDelta(t, identity(t.n()), identity(t.correctA()[0].length())),
              null);
      double[] acc = new double[RESAMPLES];
      for (int r = 0; r < RESAMPLES; r++) {
        acc[r] =
            meanOverTasks(
                tasks,
                (t, g) -> accDelta(t, draw(g, t.n()), draw(g, t.correctA()[0].length())),
                rng);
      }
      Arrays.sort(acc);
      accLo = percentile(acc, 0.025);
      accHi = percentile(acc, 0.975);
      p = twoSided(acc);
    }
    return new Comparison(
        pairs, delta, percentile(boot, 0.025), percentile(boot, 0.975), accDelta, accLo, accHi, p);
  }

  private interface PerTask {
    double of(TaskPairs t, SplittableRandom rng);
  }

  private static double meanOverTasks(List<TaskPairs> tasks, PerTask f, SplittableRandom rng) {
    return tasks.stream().mapToDouble(t -> f.of(t, rng)).average().orElse(Double.NaN);
  }

  private static double scoreDelta(TaskPairs t, int[] seeds) {
    double s = 0;
    for (int i : seeds) {
      s += t.scoreA()[i] - t.scoreB()[i];
    }
    return s / seeds.length;
  }

  /** Accuracy difference in points over the resampled seeds and test examples. */
  private static double accDelta(TaskPairs t, int[] seeds, int[] examples) {
    double s = 0;
    for (int i : seeds) {
      s += accuracy(t.correctA()[i], examples) - accuracy(t.correctB()[i], examples);
    }
    return s / seeds.length;
  }

  private static double accuracy(String correct, int[] examples) {
    int right = 0;
    for (int e : examples) {
      right += correct.charAt(e) == '1' ? 1 : 0;
    }
    return 100.0 * right / examples.length;
  }

  private static int[] identity(int n) {
    int[] x = new int[n];
    Arrays.setAll(x, i -> i);
    return x;
  }

  private static int[] draw(SplittableRandom rng, int n) {
    int[] x = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextInt(n);
    }
    return x;
  }

  static double percentile(double[] sorted, double q) {
    int i = (int) Math.floor(q * (sorted.length - 1));
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  /** Twice the smaller tail of the bootstrap distribution beyond 0, at least 1/R. */
  static double twoSided(double[] boot) {
    long below = Arrays.stream(boot).filter(x -> x <= 0).count();
    long above = Arrays.stream(boot).filter(x -> x >= 0).count();
    double tail = Math.min(below, above) / (double) boot.length;
    return Math.min(1.0, Math.max(2 * tail, 1.0 / boot.length));
  }

  /** The baseline: PT when it ran in this shots setting, else the first method. */
  static String baseline(Results results, int shots) {
    List<String> methods = results.methods(shots);
    return methods.contains("PT") ? "PT" : methods.getFirst();
  }

  /**
   * The comparisons a report shows, {a, b} meaning a − b: every method against the baseline, then
   * MPT against the other transfer methods (SPoT, ATTEMPT) and each "MPT+X" (MPT's transfer for a
   * successor's prompt) against X alone — the questions the paper and its successors ask.
   */
  static List<String[]> comparisons(List<String> methods, String base) {
    List<String[]> out = new ArrayList<>();
    for (String m : methods) {
      if (!m.equals(base)) {
        out.add(new String[] {m, base});
      }
    }
    for (String m : methods) {
      for (String b : methods) {
        boolean transfer = m.equals("MPT") && (b.equals("SPoT") || b.equals("ATTEMPT"));
        boolean onTop = m.equals("MPT+" + b);
        if ((transfer || onTop) && !b.equals(base)) {
          out.add(new String[] {m, b});
        }
      }
    }
    return out;
  }

  /** The table of the {@link #comparisons}, or null with nothing to compare. */
  static Doc.Table table(Results results, int shots) {
    String base = baseline(results, shots);
    List<List<String>> rows = new ArrayList<>();
    for (String[] ab : comparisons(results.methods(shots), base)) {
      List<TaskPairs> all = pairs(results, shots, ab[0], ab[1]);
      Comparison c = compare(all);
      if (c != null) {
        rows.add(row(ab[0] + " − " + ab[1], c));
      }
      if (all.size() > 1) {
        for (TaskPairs t : all) {
          rows.add(row("· " + t.task(), compare(List.of(t))));
        }
      }
    }
    if (rows.isEmpty()) {
      return null;
    }
    return new Doc.Table(
        List.of(
            "Comparison",
            "Pairs",
            "Δ score",
            "95% CI (seeds)",
            "Δ accuracy",
            "95% CI (seeds × test examples)",
            "p"),
        rows);
  }

  private static List<String> row(String label, Comparison c) {
    return List.of(
        label,
        Integer.toString(c.pairs()),
        signed(c.delta()),
        interval(c.lo(), c.hi()),
        signed(c.accDelta()),
        interval(c.accLo(), c.accHi()),
        Double.isNaN(c.p()) ? Summary.MISSING : String.format(Locale.ROOT, "%.3f", c.p()));
  }

  private static String signed(double x) {
    return Double.isNaN(x) ? Summary.MISSING : String.format(Locale.ROOT, "%+.1f", x);
  }

  private static String interval(double lo, double hi) {
    return Double.isNaN(lo)
        ? Summary.MISSING
        : String.format(Locale.ROOT, "[%+.1f, %+.1f]", lo, hi);
  }
}
