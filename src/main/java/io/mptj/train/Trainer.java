package io.mptj.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Tensors;
import io.mptj.prompt.Parameter;
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
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training loop: sample a batch, compute the objective with gradients for the trainable tensors
 * only, AdamW step; evaluate on dev every N steps keeping the best parameters by the tasks' mean
 * score; checkpoint so that a killed run resumes and ends exactly as an uninterrupted one.
 *
 * <p>Each step runs in its own sub-manager and {@link NDScope}: every native array it creates dies
 * with the step.
 */
public final class Trainer {

  /** Checkpoint folder inside the run directory. */
  public static final String CHECKPOINT = "checkpoint";

  /** Log file inside the run directory. */
  public static final String LOG = "train_log.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

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
    try (NDManager root = NDManager.newBaseManager();
        AdamW opt = new AdamW(root, params, config.optimizer())) {
      Sampler sampler =
          new Sampler(config.seed(), sizes(sets), config.batchSize(), config.stochasticTasks());
      State state = restore(params, opt, sampler);
      long padId = model.backbone().padId();
      try (ProgressBar bar = progressBar(state.step)) {
        Window window = new Window();
        for (int step = state.step; step < config.steps(); step++) {
          List<Instance> batch = draw(sampler, sets);
          StepStats s =
              step(model, objective, opt, batch, root, padId, config.schedule().factor(step));
          window.add(s);
          if ((step + 1) % config.logEvery() == 0 || step + 1 == config.steps()) {
            log(window.line(step + 1, config.schedule().factor(step)));
            state.lastLoss = window.meanLoss();
            window = new Window();
          }
          if (bar != null) {
            bar.stepTo(step + 1);
            bar.setExtraMessage(
                String.format(" loss %.4f  %.1f ex/s", s.loss, s.examplesPerSecond()));
          }
          boolean evalNow =
              config.evalEvery() > 0
                  && ((step + 1) % config.evalEvery() == 0 || step + 1 == config.steps());
          if (evalNow) {
            evaluateAndKeepBest(model, sets, params, state, step + 1, padId);
          }
          if (evalNow
              || (config.checkpointEvery() > 0 && (step + 1) % config.checkpointEvery() == 0)) {
            state.step = step + 1;
            checkpoint(params, opt, sampler, state);
          }
        }
      }
      if (state.best != null) {
        load(params, state.best);
      }
      int bestStep = state.best != null ? state.bestStep : config.steps();
      return new Result(bestStep, state.bestScore, state.bestDev, state.lastLoss);
    }
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
    try (NDManager root = NDManager.newBaseManager()) {
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

  private void evaluateAndKeepBest(
      TaskModel model,
      List<TrainSet> sets,
      List<Parameter> params,
      State state,
      int step,
      long padId) {
    Map<String, TrainSet.Scores> dev = evaluate(model, sets, config.evalBatchSize(), padId);
    double mean =
        dev.values().stream().mapToDouble(TrainSet.Scores::score).average().orElse(Double.NaN);
    ObjectNode line = JSON.createObjectNode().put("step", step).put("dev_score", mean);
    ObjectNode per = line.putObject("dev");
    dev.forEach(
        (task, s) -> {
          ObjectNode t = per.putObject(task);
          t.put("score", s.score());
          s.metrics().forEach(t::put);
        });
    log(line);
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

  private static void load(List<Parameter> params, Map<String, float[]> values) {
    for (Parameter p : params) {
      float[] v = values.get(p.name());
      if (v == null || v.length != p.array().size()) {
        throw new CheckpointException(
            "checkpoint lacks parameter '" + p.name() + "' or its size differs");
      }
      io.mptj.engine.Tensors.assign(p.array(), v);
    }
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

  private ProgressBar progressBar(int start) {
    if (!config.progress()) {
      return null;
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName("train")
            .setInitialMax(config.steps())
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
            .build();
    bar.stepTo(start);
    return bar;
  }

  // ---- checkpoints ----

  private static final class State {
    int step;
    Map<String, float[]> best;
    double bestScore = Double.NaN;
    int bestStep;
    Map<String, TrainSet.Scores> bestDev = Map.of();
    double lastLoss = Double.NaN;
  }

  private void checkpoint(List<Parameter> params, AdamW opt, Sampler sampler, State state) {
    Path tmp = runDir.resolve(CHECKPOINT + ".tmp");
    Path dir = runDir.resolve(CHECKPOINT);
    Path old = runDir.resolve(CHECKPOINT + ".old");
    try (NDManager m = NDManager.newBaseManager()) {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      Map<String, NDArray> tensors = new LinkedHashMap<>(opt.state(m));
      params.forEach(p -> tensors.put("param." + p.name(), Tensors.copyTo(m, p.array())));
      Safetensors.write(tmp.resolve("state.safetensors"), tensors, Map.of("format", "mptj"));
      if (state.best != null) {
        Map<String, NDArray> best = new LinkedHashMap<>();
        state.best.forEach((k, v) -> best.put("param." + k, m.create(v)));
        Safetensors.write(tmp.resolve("best.safetensors"), best, Map.of("format", "mptj"));
      }
      Files.writeString(tmp.resolve("trainer.json"), trainerJson(sampler, state).toString());
      deleteTree(old);
      if (Files.exists(dir)) {
        Files.move(dir, old);
      }
      Files.move(tmp, dir);
      deleteTree(old);
    } catch (IOException e) {
      throw new CheckpointException(
          "cannot write checkpoint in " + runDir + ": " + e.getMessage(), e);
    }
  }

  private ObjectNode trainerJson(Sampler sampler, State state) {
    ObjectNode o =
        JSON.createObjectNode()
            .put("step", state.step)
            .put("batches", sampler.batches())
            .put("best_step", state.bestStep)
            .put("best_score", state.bestScore)
            .put("last_loss", state.lastLoss);
    var consumed = o.putArray("consumed");
    for (long c : sampler.consumed()) {
      consumed.add(c);
    }
    ObjectNode dev = o.putObject("best_dev");
    state.bestDev.forEach(
        (task, s) -> {
          ObjectNode t = dev.putObject(task).put("score", s.score());
          s.metrics().forEach(t::put);
        });
    return o;
  }

  private State restore(List<Parameter> params, AdamW opt, Sampler sampler) {
    State state = new State();
    Path dir = checkpointDir();
    if (!Files.isRegularFile(dir.resolve("trainer.json"))) {
      try {
        Files.deleteIfExists(
            runDir.resolve(
                LOG)); // a fresh start: lines of a run killed before its first checkpoint go
      } catch (IOException e) {
        throw new UncheckedIOException("cannot reset " + runDir.resolve(LOG), e);
      }
      return state;
    }
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile f = SafetensorsFile.open(dir.resolve("state.safetensors"))) {
      JsonNode j = JSON.readTree(dir.resolve("trainer.json").toFile());
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : f.names()) {
        tensors.put(name, f.load(m, name));
      }
      Map<String, float[]> values = new LinkedHashMap<>();
      params.forEach(
          p -> values.put(p.name(), require(tensors, "param." + p.name(), dir).toFloatArray()));
      load(params, values);
      opt.load(tensors);
      long[] consumed = new long[j.get("consumed").size()];
      for (int i = 0; i < consumed.length; i++) {
        consumed[i] = j.get("consumed").get(i).asLong();
      }
      sampler.restore(consumed, j.get("batches").asLong());
      state.step = j.get("step").asInt();
      state.lastLoss = j.path("last_loss").asDouble(Double.NaN);
      if (Files.isRegularFile(dir.resolve("best.safetensors"))) {
        try (SafetensorsFile b = SafetensorsFile.open(dir.resolve("best.safetensors"))) {
          state.best = new LinkedHashMap<>();
          for (Parameter p : params) {
            state.best.put(p.name(), b.readFloats("param." + p.name()));
          }
        }
        state.bestScore = j.get("best_score").asDouble();
        state.bestStep = j.get("best_step").asInt();
        state.bestDev = readDev(j.get("best_dev"));
      }
      truncateLog(state.step);
      return state;
    } catch (IOException e) {
      throw new CheckpointException("cannot resume from " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path checkpointDir() {
    Path dir = runDir.resolve(CHECKPOINT);
    Path old = runDir.resolve(CHECKPOINT + ".old");
    return !Files.isDirectory(dir) && Files.isDirectory(old) ? old : dir;
  }

  private static NDArray require(Map<String, NDArray> tensors, String key, Path dir) {
    NDArray a = tensors.get(key);
    if (a == null) {
      throw new CheckpointException(
          dir + ": checkpoint lacks '" + key + "' (was it written by a different model?)");
    }
    return a;
  }

  private static Map<String, TrainSet.Scores> readDev(JsonNode dev) {
    Map<String, TrainSet.Scores> out = new LinkedHashMap<>();
    if (dev != null) {
      dev.fields()
          .forEachRemaining(
              e -> {
                Map<String, Double> metrics = new LinkedHashMap<>();
                e.getValue()
                    .fields()
                    .forEachRemaining(
                        m -> {
                          if (!m.getKey().equals("score")) {
                            metrics.put(m.getKey(), m.getValue().asDouble());
                          }
                        });
                out.put(
                    e.getKey(), new TrainSet.Scores(metrics, e.getValue().get("score").asDouble()));
              });
    }
    return out;
  }

  /** Drops log lines written after the checkpoint being resumed, so the log reads as one run. */
  private void truncateLog(int step) throws IOException {
    Path log = runDir.resolve(LOG);
    if (!Files.isRegularFile(log)) {
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (!line.isBlank() && JSON.readTree(line).path("step").asInt() <= step) {
        kept.add(line);
      }
    }
    Files.write(log, kept);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
