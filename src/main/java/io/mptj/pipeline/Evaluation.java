package io.mptj.pipeline;

import io.mptj.train.Instance;
import io.mptj.train.TaskModel;
import io.mptj.train.TrainSet;
import io.mptj.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scores a trained model on its tasks' splits and writes the {@code metrics.json} content. */
final class Evaluation {
  private Evaluation() {}

  /**
   * One split's metrics and {@code score} for a task, or null when the split has no labelled
   * examples (an unlabelled test file, or a missing validation file).
   */
  static Map<String, Object> scoreSplit(TaskModel model, PreparedTask t, String split, int batch) {
    List<Instance> xs = t.instances(split);
    if (xs.isEmpty() || !t.examples(split).getFirst().labelled()) {
      return null;
    }
    List<TaskModel.Prediction> predictions =
        Trainer.predict(model, xs, batch, model.backbone().padId());
    TrainSet.Scores s = t.score(xs, predictions);
    Map<String, Object> m = new LinkedHashMap<>(s.metrics());
    m.put("score", s.score());
    String correct = "test".equals(split) ? t.correctness(xs, predictions) : null;
    if (correct != null) {
      m.put("correct", correct); // per test example, for paired comparisons in the report
    }
    return m;
  }

  /**
   * metrics.json for a model: for one task, its dev and test metrics with {@code score}; for
   * several, per-task entries under {@code tasks} and the mean score per split at the top.
   *
   * @param perTaskParams trainable parameters attributed to each task (the paper's "params/task")
   * @param sharedParams parameters shared by all the run's tasks
   */
  static Map<String, Object> evaluate(
      TaskModel model,
      List<PreparedTask> tasks,
      long[] perTaskParams,
      long sharedParams,
      int evalBatch) {
    long backboneParams = model.backbone().parameterCount();
    Map<String, Object> perTask = new LinkedHashMap<>();
    Map<String, List<Double>> means = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      PreparedTask t = tasks.get(i);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("task", t.task().name());
      for (String split : List.of("dev", "test")) {
        Map<String, Object> m = scoreSplit(model, t, split, evalBatch);
        if (m != null) {
          entry.put(split, m);
          means.computeIfAbsent(split, k -> new ArrayList<>()).add((Double) m.get("score"));
        }
      }
      entry.put("params", params(perTaskParams[i], sharedParams, backboneParams));
      perTask.put(t.task().name(), entry);
    }
    if (tasks.size() == 1) {
      return new LinkedHashMap<>(castMap(perTask.values().iterator().next()));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tasks", perTask);
    means.forEach(
        (split, scores) ->
            out.put(
                split,
                Map.of("score", scores.stream().mapToDouble(d -> d).average().orElse(Double.NaN))));
    long meanPerTask = Math.round(java.util.Arrays.stream(perTaskParams).average().orElse(0));
    // the mean over tasks; each task's own count is under "tasks"
    out.put("params", params(meanPerTask, sharedParams, backboneParams));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  /** The {@code params} entry: task-specific and shared counts, and % of the backbone. */
  static Map<String, Object> params(long taskSpecific, long shared, long backbone) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("task_specific", taskSpecific);
    p.put("shared", shared);
    p.put("backbone", backbone);
    p.put("percent_of_backbone", Math.round(1e6 * 100.0 * taskSpecific / backbone) / 1e6);
    return p;
  }
}
