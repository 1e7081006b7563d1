package io.mptj.report;

import io.mptj.engine.JsonFields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's {@code metrics.json}: per-split metrics in percent, with {@code score} the task's
 * headline metric (the one the paper averages), and trainable parameter counts.
 *
 * @param task the target task
 * @param method the pipeline's method name (e.g. {@code mpt}); the report's row label comes from
 *     the {@link RunRef}
 * @param seed the run's seed
 * @param shots 0 for full data, else k
 * @param dev dev-split metrics by name, including {@code score}
 * @param test test-split metrics by name, including {@code score}
 * @param params trainable parameter counts
 * @param bestStep the step whose prompt was kept, or -1 when not recorded
 * @param steps the steps trained, or -1 when not recorded
 * @param trainSeconds wall-clock training time, or NaN when not recorded
 * @param peakRssMb the process's peak resident memory while training (MiB), or NaN when not
 *     recorded
 * @param startRssMb the process's resident memory when training started (MiB; in a JVM that ran
 *     earlier runs, what they left resident), or NaN when not recorded
 * @param testCorrect per test example whether the run got it right ({@code 0}/{@code 1}, in the
 *     test split's order), or null when not recorded (older runs, tasks that are not
 *     classification)
 */
public record RunMetrics(
    String task,
    String method,
    int seed,
    int shots,
    Map<String, Double> dev,
    Map<String, Double> test,
    Params params,
    int bestStep,
    int steps,
    double trainSeconds,
    double peakRssMb,
    double startRssMb,
    String testCorrect) {

  /** The file name in a run directory. */
  public static final String FILE = "metrics.json";

  /** The per-example correctness string's key in the test split. */
  public static final String CORRECT = "correct";

  /** The headline metric's key in each split. */
  public static final String SCORE = "score";

  /**
   * Trainable parameter counts of a run.
   *
   * @param taskSpecific parameters that belong to the target task alone
   * @param shared parameters shared with other tasks (0 when none)
   */
  public record Params(long taskSpecific, long shared) {

    /** Validates the counts. */
    public Params {
      if (taskSpecific < 0 || shared < 0) {
        throw new IllegalArgumentException("parameter counts must be >= 0");
      }
    }
  }

  /** Copies the maps, keeping their order, and checks that both hold a {@code score}. */
  public RunMetrics {
    dev = Collections.unmodifiableMap(new LinkedHashMap<>(dev));
    test = Collections.unmodifiableMap(new LinkedHashMap<>(test));
    if (testCorrect != null && !testCorrect.matches("[01]*")) {
      throw new IllegalArgumentException("test.correct must be a string of 0 and 1");
    }
    if (!dev.containsKey(SCORE) || !test.containsKey(SCORE)) {
      throw new IllegalArgumentException("dev and test metrics must include '" + SCORE + "'");
    }
  }

  /** The test split's headline score. */
  public double testScore() {
    return test.get(SCORE);
  }

  /**
   * Reads {@code metrics.json} from a run directory.
   *
   * @throws ReportException naming the directory when the file is absent, or the file and field
   *     when a field is missing or malformed
   */
  public static RunMetrics read(Path runDir) {
    Path file = runDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new ReportException("no " + FILE + " in run directory " + runDir);
    }
    JsonFields f = JsonInput.read(file);
    JsonFields p = f.object("params");
    return new RunMetrics(
        f.text("task"),
        f.text("method", ""),
        f.integer("seed"),
        f.integer("shots"),
        split(f, "dev"),
        split(f, "test"),
        new Params(p.count("task_specific"), p.has("shared") ? p.count("shared") : 0),
        f.has("best_step") ? f.integer("best_step") : -1,
        f.has("steps") ? f.integer("steps") : -1,
        f.number("train_seconds", Double.NaN),
        f.number("peak_rss_mb", Double.NaN),
        f.number("start_rss_mb", Double.NaN),
        correct(f));
  }

  private static String correct(JsonFields f) {
    JsonFields test = f.object("test");
    if (!test.has(CORRECT)) {
      return null;
    }
    String s = test.text(CORRECT);
    if (!s.matches("[01]*")) {
      throw test.error(CORRECT, "must be a string of 0 and 1, one per test example");
    }
    return s;
  }

  private static Map<String, Double> split(JsonFields f, String name) {
    Map<String, Double> m = f.numbers(name, java.util.Set.of(CORRECT));
    if (!m.containsKey(SCORE)) {
      throw f.error(name + "." + SCORE, "missing (the task's headline metric)");
    }
    return m;
  }
}
