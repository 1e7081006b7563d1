package io.mptj.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.Devices;
import io.mptj.engine.Reporter;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop: sample a batch, compute the objective with gradients for the trainable tensors
 * only, AdamW step; evaluate on dev every N steps keeping the best parameters by the tasks' mean
 * score; log the losses and dev scores; checkpoint (through {@link Checkpoint}) so that a killed
 * run resumes and ends exactly as an uninterrupted one.
 *
 * <p>Each step runs in its own sub-manager and {@link NDScope}: every native array it creates dies
 * with the step.
 */
public final class Trainer {

  /** Checkpoint folder inside the run directory. */
  public static final String CHECKPOINT = Checkpoint.DIR;

  /** Log file inside the run directory. */
  public static final String LOG = "train_log.jsonl";

  private static final ObjectMapper JSON = io.mptj.engine.Json.MAPPER;

  private static final int MAX_NON_FINITE = 10;

  private final TrainerConfig config;
  private final Path runDir;
  private int nonFiniteInARow;

  /** A trainer writing its log and checkpoints under {@code runDir}. */
  public Trainer(TrainerConfig config, Path runDir) {
    this.config = config;
    this.runDir = runDir;
  }

  /**
   * Result of a run.
   *
   * @param bestStep step (1-based) whose parameters were kept, or the last step without evaluation
   * @param bestScore mean dev score at that step (NaN without evaluation)
   * @param dev dev scores per task at that step
   * @param finalLoss mean training loss over the last logging window
   */
  public record Result(
      int bestStep, double bestScore, Map<String, TrainSet.Scores> dev, double finalLoss) {}

  /**
   * Trains {@code model} on {@code sets}, resuming from the run directory's checkpoint if there is
   * one.
   */
  public Result run(TaskModel model, List<TrainSet> sets, Objective objective) {
    List<Parameter> params = model.parameters();
    try (NDManager root = Devices.newManager();
        AdamW opt = new AdamW(root, params, config.optimizer())) {
      Sampler sampler = newSampler(sets);
      Checkpoint checkpoint = new Checkpoint(runDir, runDir.resolve(LOG));
      Checkpoint.State state = checkpoint.restore(params, opt, sampler);
      long padId = model.backbone().padId();
      if (objective.distills()) {
        prefillTeachers(objective.teachers(), sets, state.step, root);
      }
      try (Reporter.Progress bar = progressBar(state.step)) {
        Window window = new Window();
        for (int step = state.step; step < config.steps(); step++) {
          List<Instance> batch = draw(sampler, sets);
          double lrFactor = config.schedule().factor(step);
          StepStats s = step(model, objective, opt, batch, root, padId, lrFactor);
          window.add(s);
          logIfDue(window, step + 1, lrFactor, state);
          showProgress(bar, step + 1, s);
          if (isEvalStep(step + 1)) {
            evaluateAndKeepBest(model, sets, params, state, step + 1, padId);
          }
          if (isEvalStep(step + 1) || isCheckpointStep(step + 1)) {
            state.step = step + 1;
            checkpoint.write(params, opt, sampler, state);
          }
        }
      }
      return finish(params, state);
    }
  }

  private Sampler newSampler(List<TrainSet> sets) {
    return new Sampler(
        config.seed(),
        sizes(sets),
        config.batchSize(),
        config.stochasticTasks(),
        config.mixCap(),
        config.groupByLength(),
        (task, index) -> sets.get(task).train().get(index).length());
  }

  /**
   * Runs the teachers, before the first step, on every example the run will still draw (a second
   * sampler replays the run's draws from step 0), so that distillation steps cost what a plain step
   * costs; the time it took is reported once.
   */
  private void prefillTeachers(
      TeacherCache cache, List<TrainSet> sets, int fromStep, NDManager root) {
    Sampler ahead = newSampler(sets);
    List<Instance> draws = new ArrayList<>();
    int firstNeeded = -1; // index of the first draw at or after fromStep
    for (int step = 0; step < config.steps(); step++) {
      if (step == fromStep) {
        firstNeeded = draws.size();
      }
      draws.addAll(draw(ahead, sets));
    }
    long t0 = System.nanoTime();
    long passes = cache.prefill(draws, firstNeeded < 0 ? draws.size() : firstNeeded, root);
    if (passes > 0) {
      Reporter.current()
          .info(
              Trainer.class,
              String.format(
                  "teacher outputs for %,d examples precomputed in %.1f s",
                  passes, (System.nanoTime() - t0) / 1e9));
    }
  }

  private boolean isEvalStep(int done) {
    return config.evalEvery() > 0 && (done % config.evalEvery() == 0 || done == config.steps());
  }

  private boolean isCheckpointStep(int done) {
    return config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0;
  }

  /** Puts the best parameters back, when an evaluation kept some, and reports the run. */
  private Result finish(List<Parameter> params, Checkpoint.State state) {
    if (state.best == null) {
      return new Result(config.steps(), state.bestScore, state.bestDev, state.lastLoss);
    }
    params.forEach(p -> Tensors.assign(p.array(), state.best.get(p.name())));
    return new Result(state.bestStep, state.bestScore, state.bestDev, state.lastLoss);
  }

  private static int[] sizes(List<TrainSet> sets) {
    return sets.stream().mapToInt(s -> s.train().size()).toArray();
  }

  private static List<Instance> draw(Sampler sampler, List<TrainSet> sets) {
    List<Instance> batch = new ArrayList<>();
    for (Sampler.Pick p : sampler.next()) {
      batch.add(sets.get(p.task()).train().get(p.index()));
    }
    return batch;
  }

  private record StepStats(
      double loss,
      double taskLoss,
      double distillLoss,
      double gradNorm,
      int examples,
      long tokens,
      long nanos) {
    double examplesPerSecond() {
      return examples * 1e9 / Math.max(1, nanos);
    }
  }

  private StepStats step(
      TaskModel model,
      Objective objective,
      AdamW opt,
      List<Instance> instances,
      NDManager root,
      long padId,
      double lrFactor) {
    long t0 = System.nanoTime();
    try (NDManager m = root.newSubManager();
        NDScope scope = new NDScope()) {
      Batch batch = Batch.collate(instances, m, padId);
      List<TeacherOutput> teacher =
          objective.distills() ? objective.teachers().lookup(batch) : null;
      Objective.Loss loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = objective.compute(model, batch, teacher);
        gc.backward(loss.total());
      }
      double norm = opt.step(lrFactor);
      double total = loss.total().getFloat();
      if (!Double.isFinite(total) || !Double.isFinite(norm)) {
        recordNonFinite(instances, total, norm);
      } else {
        nonFiniteInARow = 0;
      }
      long tokens = instances.stream().mapToLong(i -> i.length() + model.prompts().length()).sum();
      double distill = loss.distill() == null ? Double.NaN : loss.distill().getFloat();
      return new StepStats(
          total,
          loss.task().getFloat(),
          distill,
          norm,
          instances.size(),
          tokens,
          System.nanoTime() - t0);
    }
  }

  /**
   * Notes a step whose loss or gradient was not finite: its update was skipped (the optimizer
   * leaves the parameters alone), and the batch is listed in {@code nonfinite.jsonl} to be looked
   * at. Many in a row mean the run diverged.
   */
  private void recordNonFinite(List<Instance> instances, double loss, double norm) {
    nonFiniteInARow++;
    ObjectNode line = JSON.createObjectNode().put("loss", loss).put("grad_norm", norm);
    var batch = line.putArray("batch");
    instances.forEach(i -> batch.addObject().put("task", i.task()).put("index", i.index()));
    try {
      Files.createDirectories(runDir);
      Files.writeString(
          runDir.resolve("nonfinite.jsonl"),
          line + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (nonFiniteInARow >= MAX_NON_FINITE) {
      throw new IllegalStateException(
          "training diverged: "
              + MAX_NON_FINITE
              + " steps in a row had a non-finite loss or"
              + " gradient (see "
              + runDir.resolve("nonfinite.jsonl")
              + "); lower the learning rate");
    }
  }

  /** Dev scores per task, in the sets' order. */
  public static Map<String, TrainSet.Scores> evaluate(
      TaskModel model, List<TrainSet> sets, int batchSize, long padId) {
    Map<String, TrainSet.Scores> out = new LinkedHashMap<>();
    for (TrainSet set : sets) {
      if (!set.dev().isEmpty()) {
        out.put(
            set.name(),
            set.evaluator().evaluate(set.dev(), predict(model, set.dev(), batchSize, padId)));
      }
    }
    return out;
  }

  /** Predictions for instances (in their order), batched by similar length. */
  public static List<TaskModel.Prediction> predict(
      TaskModel model, List<Instance> instances, int batchSize, long padId) {
    Integer[] order = new Integer[instances.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> instances.get(i).length()));
    TaskModel.Prediction[] out = new TaskModel.Prediction[instances.size()];
    try (NDManager root = Devices.newManager()) {
      for (int start = 0; start < order.length; start += batchSize) {
        int end = Math.min(order.length, start + batchSize);
        List<Instance> chunk = new ArrayList<>();
        for (int j = start; j < end; j++) {
          chunk.add(instances.get(order[j]));
        }
        try (NDManager m = root.newSubManager();
            NDScope scope = new NDScope()) {
          List<TaskModel.Prediction> preds = model.predict(Batch.collate(chunk, m, padId));
          for (int j = start; j < end; j++) {
            out[order[j]] = preds.get(j - start);
          }
        }
      }
    }
    return java.util.Arrays.asList(out);
  }

  /**
   * Scores the dev sets, logs the scores, and keeps a copy of the parameters when their mean score
   * is the best so far.
   */
  private void evaluateAndKeepBest(
      TaskModel model,
      List<TrainSet> sets,
      List<Parameter> params,
      Checkpoint.State state,
      int step,
      long padId) {
    Map<String, TrainSet.Scores> dev = evaluate(model, sets, config.evalBatchSize(), padId);
    double mean =
        dev.values().stream().mapToDouble(TrainSet.Scores::score).average().orElse(Double.NaN);
    logDev(step, mean, dev);
    if (!Double.isNaN(mean) && (state.best == null || mean > state.bestScore)) {
      state.best = snapshot(params);
      state.bestScore = mean;
      state.bestStep = step;
      state.bestDev = dev;
    }
  }

  private static Map<String, float[]> snapshot(List<Parameter> params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach(p -> out.put(p.name(), p.array().toFloatArray()));
    return out;
  }

  // ---- logging ----

  private final class Window {
    double loss;
    double task;
    double distill;
    double norm;
    long examples;
    long tokens;
    long nanos;
    int n;

    void add(StepStats s) {
      loss += s.loss;
      task += s.taskLoss;
      distill += s.distillLoss;
      norm += s.gradNorm;
      examples += s.examples;
      tokens += s.tokens;
      nanos += s.nanos;
      n++;
    }

    void clear() {
      loss = task = distill = norm = 0;
      examples = tokens = nanos = 0;
      n = 0;
    }

    double meanLoss() {
      return loss / Math.max(1, n);
    }

    ObjectNode line(int step, double lrFactor) {
      ObjectNode o =
          JSON.createObjectNode()
              .put("step", step)
              .put("loss", meanLoss())
              .put("task_loss", task / n);
      if (!Double.isNaN(distill)) {
        o.put("distill_loss", distill / n);
      }
      double secs = nanos / 1e9;
      return o.put("grad_norm", norm / n)
          .put("lr_factor", lrFactor)
          .put("examples_per_s", examples / secs)
          .put("tokens_per_s", tokens / secs);
    }
  }

  /**
   * Every {@code logEvery} steps and at the last: logs the window's means, keeps its loss as the
   * latest, and starts the window afresh.
   */
  /**
   * Writes the logging window when it is full, at the last step, and before every checkpoint, so
   * that a run resumed from a checkpoint logs the same windows as one never interrupted.
   */
  private void logIfDue(Window window, int done, double lrFactor, Checkpoint.State state) {
    if (done % config.logEvery() == 0
        || done == config.steps()
        || isEvalStep(done)
        || isCheckpointStep(done)) {
      log(window.line(done, lrFactor));
      state.lastLoss = window.meanLoss();
      window.clear();
    }
  }

  private void logDev(int step, double mean, Map<String, TrainSet.Scores> dev) {
    ObjectNode line = JSON.createObjectNode().put("step", step).put("dev_score", mean);
    ObjectNode per = line.putObject("dev");
    dev.forEach(
        (task, s) -> {
          ObjectNode t = per.putObject(task);
          t.put("score", s.score());
          s.metrics().forEach(t::put);
        });
    log(line);
  }

  private void log(ObjectNode line) {
    try {
      Files.createDirectories(runDir);
      Files.writeString(
          runDir.resolve(LOG),
          line.toString() + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + runDir.resolve(LOG), e);
    }
  }

  private Reporter.Progress progressBar(int start) {
    return config.progress()
        ? Reporter.current().progress("train", config.steps(), start, "", 1)
        : Reporter.NO_PROGRESS;
  }

  private static void showProgress(Reporter.Progress bar, int done, StepStats s) {
    bar.stepBy(1);
    bar.status(String.format(" loss %.4f  %.1f ex/s", s.loss, s.examplesPerSecond()));
  }
}
