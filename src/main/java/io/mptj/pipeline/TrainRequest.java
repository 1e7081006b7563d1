package io.mptj.pipeline;

import io.mptj.train.Objective;
import io.mptj.train.TaskModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run to train, evaluate and save.
 *
 * @param dir the run directory
 * @param model the model to train (its trainable parts are saved)
 * @param tasks the prepared tasks, in the model's task order
 * @param settings the stage's settings (saved resolved in config.json)
 * @param objective the loss (task only, or with distillation)
 * @param config what the stage records in config.json besides the settings (command, method, seed,
 *     shots, upstream runs)
 * @param perTaskParams trainable parameters attributed to each task (the paper's "params/task")
 * @param sharedParams parameters shared by all the run's tasks
 */
record TrainRequest(
    Path dir,
    TaskModel model,
    List<PreparedTask> tasks,
    StageSettings settings,
    Objective objective,
    Map<String, Object> config,
    long[] perTaskParams,
    long sharedParams) {

  TrainRequest {
    if (perTaskParams.length != tasks.size()) {
      throw new IllegalArgumentException(
          perTaskParams.length + " parameter counts for " + tasks.size() + " tasks");
    }
    config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
  }
}
