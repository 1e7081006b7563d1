package io.mptj.train;

import java.util.List;
import java.util.Map;

/**
 * One task's tokenized examples and how its predictions are scored.
 *
 * @param name task name, e.g. {@code glue/RTE}
 * @param train training instances (their {@code task} field is this set's index in the run)
 * @param dev instances for model selection; may be empty
 * @param evaluator scores predictions on {@code dev} (in order)
 */
public record TrainSet(String name, List<Instance> train, List<Instance> dev, Evaluator evaluator) {

  /** Scores predictions made on a list of instances (in the same order). */
  @FunctionalInterface
  public interface Evaluator {
    Scores evaluate(List<Instance> instances, List<TaskModel.Prediction> predictions);
  }

  /** Metrics by name and the task's headline score (percent, as the paper averages it). */
  public record Scores(Map<String, Double> metrics, double score) {}
}
