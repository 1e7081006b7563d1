package io.mptj.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One finished training run listed in a report: a method's adaptation to one target task with one
 * seed.
 *
 * @param method the label shown in the report's rows, e.g. {@code PT}, {@code SPoT}, {@code MPT},
 *     {@code MPT*}
 * @param task the target task, e.g. {@code glue/RTE}
 * @param seed the run's seed
 * @param shots 0 for the full training set, else k of the few-shot setting
 * @param runDir the run directory holding {@code metrics.json}, {@code train_log.jsonl} and the
 *     adapter
 */
public record RunRef(String method, String task, int seed, int shots, Path runDir) {

  /** Validates the fields. */
  public RunRef {
    if (method == null || method.isBlank()) {
      throw new IllegalArgumentException("run method label is blank");
    }
    if (task == null || task.isBlank()) {
      throw new IllegalArgumentException("run task is blank (method " + method + ")");
    }
    if (shots < 0) {
      throw new IllegalArgumentException("run shots must be >= 0, got " + shots);
    }
    Objects.requireNonNull(runDir, "run_dir");
  }

  /** A short description for error messages. */
  public String describe() {
    return method + " " + task + " seed " + seed + (shots == 0 ? "" : " k=" + shots);
  }
}
