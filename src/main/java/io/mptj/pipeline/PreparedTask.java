package io.mptj.pipeline;

import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Predictions;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.train.Instance;
import io.mptj.train.TaskModel;
import io.mptj.train.TrainSet;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task read and split as in the paper, with its examples turned into model instances lazily: each
 * example is tokenized the first time a batch draws it and kept for the rest of the run.
 */
public final class PreparedTask {

  private static final AtomicLong TOKENIZED = new AtomicLong();

  private final Task task;
  private final Splits splits;
  private final Encoding encoding;
  private final Map<String, List<Instance>> instances;

  /**
   * @param splits the task's train/dev/test examples (train possibly few-shot)
   * @param encoding how examples become instances
   */
  public PreparedTask(Task task, Splits splits, Encoding encoding) {
    this.task = task;
    this.splits = splits;
    this.encoding = encoding;
    this.instances =
        Map.of(
            "train", lazy(splits.train()), "dev", lazy(splits.dev()), "test", lazy(splits.test()));
  }

  /** The task. */
  public Task task() {
    return task;
  }

  /** The task's examples after splitting. */
  public Splits splits() {
    return splits;
  }

  /** How examples become instances. */
  public Encoding encoding() {
    return encoding;
  }

  /** Training instances. */
  public List<Instance> train() {
    return instances.get("train");
  }

  /** Dev instances. */
  public List<Instance> dev() {
    return instances.get("dev");
  }

  /** Test instances. */
  public List<Instance> test() {
    return instances.get("test");
  }

  /** The split by name: train, dev or test. */
  public List<Example> examples(String split) {
    return switch (split) {
      case "train" -> splits.train();
      case "dev" -> splits.dev();
      case "test" -> splits.test();
      default ->
          throw new IllegalArgumentException("unknown split '" + split + "' (train, dev, test)");
    };
  }

  /** Instances of a split by name. */
  public List<Instance> instances(String split) {
    examples(split);
    return instances.get(split);
  }

  /** The trainer's view of this task: train and dev instances and the task's own scoring. */
  public TrainSet trainSet() {
    return new TrainSet(task.name(), train(), dev(), this::score);
  }

  /**
   * Scores predictions for instances of this task with the task's metrics.
   *
   * @param instances instances whose {@code index} points into the split they came from
   */
  public TrainSet.Scores score(List<Instance> instances, List<TaskModel.Prediction> predictions) {
    List<Example> split = splitOf(instances);
    List<Example> gold = instances.stream().map(i -> split.get(i.index())).toList();
    Map<String, Double> metrics = task.evaluate(gold, toPredictions(predictions));
    return new TrainSet.Scores(metrics, task.score(metrics));
  }

  /**
   * Per example, whether the predicted class is the gold one, as a string of {@code 0}/{@code 1} in
   * instance order (what a paired bootstrap over test examples resamples); null for tasks that are
   * not classification.
   */
  public String correctness(List<Instance> instances, List<TaskModel.Prediction> predictions) {
    if (task.kind() != TaskKind.CLASSIFICATION) {
      return null;
    }
    List<Example> split = splitOf(instances);
    StringBuilder out = new StringBuilder(instances.size());
    for (int i = 0; i < instances.size(); i++) {
      boolean right =
          split.get(instances.get(i).index()).label() instanceof Label.ClassIndex(int gold)
              && gold == predictions.get(i).label();
      out.append(right ? '1' : '0');
    }
    return out.toString();
  }

  private List<Example> splitOf(List<Instance> instances) {
    for (String name : List.of("dev", "test", "train")) {
      List<Example> s = examples(name);
      if (instances instanceof Lazy l && l.examples == s) {
        return s;
      }
    }
    throw new IllegalArgumentException("instances do not come from a split of " + task.name());
  }

  /** Converts model predictions to the task's prediction kind. */
  public Predictions toPredictions(List<TaskModel.Prediction> predictions) {
    if (task.kind() == TaskKind.REGRESSION) {
      return Predictions.values(
          predictions.stream().mapToDouble(TaskModel.Prediction::value).toArray());
    }
    if (task.kind() == TaskKind.GENERATION) {
      return Predictions.texts(predictions.stream().map(TaskModel.Prediction::text).toList());
    }
    return Predictions.classes(
        predictions.stream().mapToInt(TaskModel.Prediction::label).toArray());
  }

  private List<Instance> lazy(List<Example> examples) {
    return new Lazy(examples, encoding);
  }

  /** How many examples were tokenized in this process (for tests of the once-per-example cache). */
  public static long tokenizedCount() {
    return TOKENIZED.get();
  }

  private static final class Lazy extends AbstractList<Instance> {
    private final List<Example> examples;
    private final Encoding encoding;
    private final Instance[] cache;

    Lazy(List<Example> examples, Encoding encoding) {
      this.examples = examples;
      this.encoding = encoding;
      this.cache = new Instance[examples.size()];
    }

    @Override
    public Instance get(int i) {
      Instance x = cache[i];
      if (x == null) {
        x = encoding.instance(examples.get(i), i);
        cache[i] = x;
        TOKENIZED.incrementAndGet();
      }
      return x;
    }

    @Override
    public int size() {
      return examples.size();
    }
  }
}
