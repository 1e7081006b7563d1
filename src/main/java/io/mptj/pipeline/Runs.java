package io.mptj.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.CheckpointException;
import io.mptj.prompt.Parameter;
import io.mptj.task.FewShot;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.train.AdamW;
import io.mptj.train.Instance;
import io.mptj.train.Objective;
import io.mptj.train.Schedule;
import io.mptj.train.TaskModel;
import io.mptj.train.TrainSet;
import io.mptj.train.Trainer;
import io.mptj.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The part every stage shares: prepare tasks, train a model, evaluate, write the run directory. */
final class Runs {
  private Runs() {}

  /**
   * Reads and splits tasks as in the paper, sampling k examples (per class) from train when shots >
   * 0.
   */
  static List<PreparedTask> prepare(Context ctx, List<Task> tasks, Hyper h, int shots) {
    List<PreparedTask> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      Splits s = t.trainingSplits(ctx.dataDir());
      if (shots > 0) {
        s = new Splits(FewShot.sample(s.train(), shots, h.seed()), s.dev(), s.test());
      }
      if (s.train().isEmpty()) {
        throw new IllegalArgumentException(
            "task " + t.name() + " has no training examples in " + ctx.dataDir());
      }
      out.add(
          new PreparedTask(t, s, new Encoding(ctx.backbone(), t, i, maxInputLength(ctx, t, h))));
    }
    return out;
  }

  /**
   * Checks that a run this stage starts from (a teacher, a distillation run, a source prompt) was
   * trained on the same backbone and, for encoders, with the same pooling, naming the run and both
   * values.
   */
  static void requireCompatible(Path upstream, Context ctx, Hyper h) {
    Map<String, Object> config = RunDir.readMap(upstream.resolve(RunDir.CONFIG));
    Object backbone = config.get("backbone");
    if (!ctx.backbone().id().equals(backbone)) {
      throw new CheckpointException(
          upstream
              + " was trained on backbone "
              + backbone
              + ", this run uses "
              + ctx.backbone().id()
              + " (pass the same --backbone)");
    }
    Object hyper = config.get("hyper");
    Object pooling = hyper instanceof Map<?, ?> m ? m.get("pooling") : null;
    if (ctx.backbone() instanceof io.mptj.backbone.EncoderBackbone
        && pooling != null
        && !pooling.toString().equals(h.pooling().name())) {
      throw new CheckpointException(
          upstream
              + " pooled with "
              + pooling
              + ", this run with "
              + h.pooling()
              + " (pass the same --pooling)");
    }
  }

  /** Refuses to overwrite a finished run; an unfinished one (checkpoint, no metrics) is resumed. */
  static boolean checkOut(Path dir) {
    if (RunDir.finished(dir)) {
      throw new CheckpointException(
          dir + " already holds a finished run (metrics.json); choose another --out or remove it");
    }
    boolean resuming = Files.isDirectory(dir.resolve(Trainer.CHECKPOINT));
    if (resuming) {
      System.err.println("mptj: resuming the unfinished run in " + dir);
    }
    return resuming;
  }

  static TrainerConfig trainerConfig(Hyper h, boolean progress) {
    var lrs =
        Map.of(
            Parameter.Group.SHARED,
            h.lrShared(),
            Parameter.Group.TASK,
            h.lrTask(),
            Parameter.Group.HEAD,
            h.lrHead());
    int warmup = Math.min(h.warmupSteps(), h.steps() / 2);
    return new TrainerConfig(
        h.steps(),
        h.batchSize(),
        h.evalEvery(),
        Math.max(32, h.batchSize() * 2),
        Math.max(10, h.steps() / 10),
        h.seed(),
        h.stochasticTasks(),
        new AdamW.Settings(lrs, 0.9, 0.999, 1e-8, h.weightDecay(), h.clipNorm()),
        new Schedule(h.schedule(), warmup, h.steps()),
        Math.max(1, Math.min(10, h.steps() / 50)),
        progress);
  }

  /**
   * Trains, restores the best dev checkpoint, evaluates dev and test per task, and writes the run.
   *
   * @param config the resolved settings saved as config.json (hyper-parameters are added)
   * @param perTaskParams trainable parameters attributed to each task (the paper's "params/task")
   * @param sharedParams parameters shared by all the run's tasks
   * @return metrics.json's content
   */
  static Map<String, Object> trainAndSave(
      Context ctx,
      Path dir,
      TaskModel model,
      List<PreparedTask> tasks,
      Hyper h,
      Objective objective,
      Map<String, Object> config,
      long[] perTaskParams,
      long sharedParams,
      String init) {
    Hyper hr = h.forTraining(tasks);
    Map<String, Object> cfg = new LinkedHashMap<>(config);
    cfg.put("backbone", ctx.backbone().id());
    cfg.put("data_dir", ctx.dataDir().toString());
    cfg.put("tasks", tasks.stream().map(t -> t.task().reference()).toList());
    cfg.put("hyper", hr);
    TrainerConfig trainer = trainerConfig(hr, ctx.progress());
    cfg.put(
        "trainer",
        Map.of(
            "eval_batch_size",
            trainer.evalBatchSize(),
            "checkpoint_every",
            trainer.checkpointEvery(),
            "log_every",
            trainer.logEvery(),
            "optimizer",
            "AdamW",
            "betas",
            List.of(0.9, 0.999),
            "eps",
            1e-8));
    requireSameSettings(dir, cfg);
    RunDir.writeJson(dir.resolve(RunDir.CONFIG), cfg);
    long start = System.nanoTime();
    List<TrainSet> sets = tasks.stream().map(PreparedTask::trainSet).toList();
    Trainer.Result r = new Trainer(trainer, dir).run(model, sets, objective);
    h = hr;
    double seconds = (System.nanoTime() - start) / 1e9;
    RunDir.saveModel(dir, model, tasks.stream().map(t -> t.task().reference()).toList(), init);
    Map<String, Object> metrics =
        evaluate(model, tasks, perTaskParams, sharedParams, ctx.backbone().parameterCount(), h);
    metrics.putAll(cfgSummary(config));
    metrics.put("best_step", r.bestStep());
    metrics.put("steps", h.steps());
    metrics.put("train_seconds", Math.round(seconds * 10) / 10.0);
    RunDir.writeJson(dir.resolve(RunDir.METRICS), metrics);
    return metrics;
  }

  /**
   * Refuses to resume an unfinished run under different settings: the checkpoint's parameters,
   * moments and sampler state would continue a different run than {@code config} describes.
   */
  static void requireSameSettings(Path dir, Map<String, Object> config) {
    Path saved = dir.resolve(RunDir.CONFIG);
    if (!Files.isDirectory(dir.resolve(Trainer.CHECKPOINT)) || !Files.isRegularFile(saved)) {
      return;
    }
    JsonNode before = RunDir.JSON.valueToTree(RunDir.readMap(saved));
    JsonNode now = RunDir.JSON.valueToTree(config);
    String diff = firstDifference(before, now, "");
    if (diff != null) {
      throw new CheckpointException(
          dir
              + " holds an unfinished run with other settings ("
              + diff
              + "); resume it with the same settings, or choose another --out");
    }
  }

  /**
   * The path of the first differing value between two config trees, ignoring paths like data_dir.
   */
  static String firstDifference(JsonNode a, JsonNode b, String path) {
    if (a.isObject() && b.isObject()) {
      java.util.Set<String> keys = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        if (VOLATILE.contains(k)) {
          continue;
        }
        String d = firstDifference(a.path(k), b.path(k), path.isEmpty() ? k : path + "." + k);
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    boolean same =
        a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) == 0
            : a.equals(b);
    return same ? null : path + ": " + a + " then, " + b + " now";
  }

  private static final java.util.Set<String> VOLATILE = java.util.Set.of("data_dir", "trainer");

  private static Map<String, Object> cfgSummary(Map<String, Object> config) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : List.of("method", "seed", "shots")) {
      if (config.containsKey(k)) {
        out.put(k, config.get(k));
      }
    }
    return out;
  }

  /**
   * metrics.json for a model: for one task, its dev and test metrics with {@code score}; for
   * several, per-task entries under {@code tasks} and the mean score per split at the top.
   */
  /**
   * One split's metrics and {@code score} for a task, or null when the split has no labelled
   * examples (an unlabelled test file, or a missing validation file).
   */
  static Map<String, Object> scoreSplit(TaskModel model, PreparedTask t, String split, int batch) {
    List<Instance> xs = t.instances(split);
    if (xs.isEmpty() || !t.examples(split).getFirst().labelled()) {
      return null;
    }
    TrainSet.Scores s = t.score(xs, Trainer.predict(model, xs, batch, model.backbone().padId()));
    Map<String, Object> m = new LinkedHashMap<>(s.metrics());
    m.put("score", s.score());
    return m;
  }

  /** Evaluation batch size for a run's batch size. */
  static int evalBatch(Hyper h) {
    return Math.max(32, h.batchSize() * 2);
  }

  /**
   * Input token cap of a task: the run's, the task's own, and what the backbone's positions leave.
   */
  static int maxInputLength(Context ctx, Task t, Hyper h) {
    return Math.min(
        Math.min(h.maxLength(), t.maxInputLength()),
        ctx.backbone().maxPositions() - h.promptLength());
  }

  static Map<String, Object> evaluate(
      TaskModel model,
      List<PreparedTask> tasks,
      long[] perTaskParams,
      long sharedParams,
      long backboneParams,
      Hyper h) {
    int batch = evalBatch(h);
    Map<String, Object> perTask = new LinkedHashMap<>();
    Map<String, List<Double>> means = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      PreparedTask t = tasks.get(i);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("task", t.task().name());
      for (String split : List.of("dev", "test")) {
        Map<String, Object> m = scoreSplit(model, t, split, batch);
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
    out.put(
        "params",
        params(
            meanPerTask,
            sharedParams,
            backboneParams)); // the mean over tasks; each task's under "tasks"
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  static Map<String, Object> params(long taskSpecific, long shared, long backbone) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("task_specific", taskSpecific);
    p.put("shared", shared);
    p.put("backbone", backbone);
    p.put("percent_of_backbone", Math.round(1e6 * 100.0 * taskSpecific / backbone) / 1e6);
    return p;
  }

  /** The folder name of a task: its name with '/' replaced by '-'. */
  static String slug(String task) {
    return task.replace('/', '-').replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
