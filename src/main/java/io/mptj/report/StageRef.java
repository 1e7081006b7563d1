package io.mptj.report;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An extra run whose training curves the report shows on their own, e.g. the multitask distillation
 * stage (total, task and distillation loss).
 *
 * @param label the caption, e.g. {@code distill}
 * @param runDir the run directory holding {@code train_log.jsonl}
 */
public record StageRef(String label, Path runDir) {

  /** Validates the fields. */
  public StageRef {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("stage label is blank");
    }
    Objects.requireNonNull(runDir, "stage run_dir");
  }
}
