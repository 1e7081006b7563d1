package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's checkpoint: all a killed run needs to go on exactly as if it had never stopped.
 *
 * <p>It lives in {@code checkpoint/} in the run directory: {@code state.safetensors} (parameters as
 * {@code param.NAME}, and the AdamW moments and step), {@code best.safetensors} (the best
 * parameters, once an evaluation kept some) and {@code trainer.json} (step, sampler position, best
 * step and dev scores, latest loss). A new checkpoint is written to {@code checkpoint.tmp} and
 * swapped in through {@code checkpoint.old}, so that a kill at any moment leaves one complete
 * checkpoint: {@code checkpoint}, or {@code checkpoint.old} when the kill fell between the two
 * renames.
 *
 * <p>Resuming also cuts the training log back to the checkpoint's step, and a fresh start deletes
 * it, so that the log always reads as one uninterrupted run.
 */
final class Checkpoint {

  /** Checkpoint folder inside the run directory. */
  static final String DIR = "checkpoint";

  private static final String STATE = "state.safetensors";
  private static final String BEST = "best.safetensors";
  private static final String TRAINER = "trainer.json";
  private static final String PARAM = "param.";
  private static final Map<String, String> METADATA = Map.of("format", "mptj");
  private static final ObjectMapper JSON = io.mptj.engine.Json.MAPPER;

  private final Path runDir;
  private final Path log;

  /** The checkpoint of {@code runDir}, whose training log is {@code log}. */
  Checkpoint(Path runDir, Path log) {
    this.runDir = runDir;
    this.log = log;
  }

  /**
   * Where a run stands besides its parameters and optimizer: the steps done, the best parameters so
   * far with their dev scores, and the latest logged loss.
   */
  static final class State {
    /** Steps done. */
    int step;

    /** Best parameters by name; null until an evaluation gave a score. */
    Map<String, float[]> best;

    double bestScore = Double.NaN;
    int bestStep;
    Map<String, TrainSet.Scores> bestDev = Map.of();
    double lastLoss = Double.NaN;
  }

  // ---- writing ----

  /**
   * Saves the parameters, optimizer, sampler and {@code state} (taken at {@code state.step}),
   * replacing the previous checkpoint atomically.
   */
  void write(List<Parameter> params, AdamW opt, Sampler sampler, State state) {
    Path tmp = runDir.resolve(DIR + ".tmp");
    try (NDManager m = Devices.newManager()) {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      writeTensors(tmp, params, opt, state, m);
      Files.writeString(tmp.resolve(TRAINER), trainerJson(sampler, state).toString());
      swapIn(tmp);
    } catch (IOException e) {
      throw new CheckpointException(
          "cannot write checkpoint in " + runDir + ": " + e.getMessage(), e);
    }
  }

  private static void writeTensors(
      Path tmp, List<Parameter> params, AdamW opt, State state, NDManager m) {
    Map<String, NDArray> tensors = new LinkedHashMap<>(opt.state(m));
    params.forEach(p -> tensors.put(PARAM + p.name(), Tensors.copyTo(m, p.array())));
    Safetensors.write(tmp.resolve(STATE), tensors, METADATA);
    if (state.best != null) {
      Map<String, NDArray> best = new LinkedHashMap<>();
      state.best.forEach((k, v) -> best.put(PARAM + k, m.create(v)));
      Safetensors.write(tmp.resolve(BEST), best, METADATA);
    }
  }

  private static ObjectNode trainerJson(Sampler sampler, State state) {
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

  /**
   * Replaces the checkpoint by the complete one in {@code tmp}; the previous one waits in {@code
   * checkpoint.old} until the new one is in place.
   */
  private void swapIn(Path tmp) throws IOException {
    Path dir = runDir.resolve(DIR);
    Path old = runDir.resolve(DIR + ".old");
    deleteTree(old);
    if (Files.exists(dir)) {
      Files.move(dir, old);
    }
    Files.move(tmp, dir);
    deleteTree(old);
  }

  // ---- resuming ----

  /**
   * Loads the latest checkpoint into {@code params}, {@code opt} and {@code sampler}, drops the log
   * lines written after it, and returns its state. Without a checkpoint this is a fresh start: the
   * log (of a run killed before its first checkpoint) is deleted and the state is new.
   *
   * @throws CheckpointException naming the checkpoint's directory or file when it cannot be read or
   *     does not fit the model
   */
  State restore(List<Parameter> params, AdamW opt, Sampler sampler) {
    Path dir = latest();
    if (!Files.isRegularFile(dir.resolve(TRAINER))) {
      deleteLog();
      return new State();
    }
    try {
      JsonNode trainer = JSON.readTree(dir.resolve(TRAINER).toFile());
      restoreTensors(dir.resolve(STATE), params, opt);
      restoreSampler(trainer, dir.resolve(TRAINER), sampler);
      State state = readState(dir, trainer, params);
      truncateLog(state.step);
      return state;
    } catch (IOException e) {
      throw new CheckpointException("cannot resume from " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The checkpoint to resume from: {@code checkpoint}, or {@code checkpoint.old} when a kill fell
   * between the swap's two renames.
   */
  private Path latest() {
    Path dir = runDir.resolve(DIR);
    Path old = runDir.resolve(DIR + ".old");
    return !Files.isDirectory(dir) && Files.isDirectory(old) ? old : dir;
  }

  private void deleteLog() {
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset " + log, e);
    }
  }

  /** Puts the saved parameters and optimizer state of {@code file} in place. */
  private static void restoreTensors(Path file, List<Parameter> params, AdamW opt) {
    try (NDManager m = Devices.newManager();
        SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : f.names()) {
        tensors.put(name, f.load(m, name));
      }
      Map<String, float[]> values = new LinkedHashMap<>();
      params.forEach(
          p -> values.put(p.name(), require(tensors, PARAM + p.name(), file).toFloatArray()));
      checkSizes(params, values, file);
      params.forEach(p -> Tensors.assign(p.array(), values.get(p.name())));
      restoreOptimizer(opt, tensors, file);
    }
  }

  private static NDArray require(Map<String, NDArray> tensors, String key, Path file) {
    NDArray a = tensors.get(key);
    if (a == null) {
      throw new CheckpointException(
          "checkpoint " + file + " lacks '" + key + "' (was it written by a different model?)");
    }
    return a;
  }

  private static void checkSizes(List<Parameter> params, Map<String, float[]> values, Path file) {
    for (Parameter p : params) {
      long expected = p.array().size();
      if (values.get(p.name()).length != expected) {
        throw new CheckpointException(
            "checkpoint "
                + file
                + ": parameter '"
                + p.name()
                + "' has "
                + values.get(p.name()).length
                + " values, the model's has "
                + expected);
      }
    }
  }

  private static void restoreOptimizer(AdamW opt, Map<String, NDArray> tensors, Path file) {
    try {
      opt.load(tensors);
    } catch (CheckpointException | IllegalArgumentException e) {
      throw new CheckpointException("checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Puts the sampler where it was: examples consumed per task and batches drawn. */
  private static void restoreSampler(JsonNode trainer, Path file, Sampler sampler) {
    JsonNode saved = field(trainer, "consumed", file);
    if (!saved.isArray()) {
      throw new CheckpointException(file + ": 'consumed' is not an array");
    }
    long[] consumed = new long[saved.size()];
    for (int i = 0; i < consumed.length; i++) {
      consumed[i] = saved.get(i).asLong();
    }
    try {
      sampler.restore(consumed, field(trainer, "batches", file).asLong());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file + ": " + e.getMessage(), e);
    }
  }

  private static State readState(Path dir, JsonNode trainer, List<Parameter> params) {
    Path file = dir.resolve(TRAINER);
    State state = new State();
    state.step = field(trainer, "step", file).asInt();
    state.lastLoss = trainer.path("last_loss").asDouble(Double.NaN);
    if (Files.isRegularFile(dir.resolve(BEST))) {
      state.best = readBest(dir.resolve(BEST), params);
      state.bestScore = field(trainer, "best_score", file).asDouble();
      state.bestStep = field(trainer, "best_step", file).asInt();
      state.bestDev = readDev(trainer.get("best_dev"), file);
    }
    return state;
  }

  /** {@code node}'s {@code key}, which trainer.json {@code file} must have. */
  private static JsonNode field(JsonNode node, String key, Path file) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new CheckpointException(
          file + " lacks '" + key + "' (damaged or not written by mptj?)");
    }
    return value;
  }

  private static Map<String, float[]> readBest(Path file, List<Parameter> params) {
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, float[]> best = new LinkedHashMap<>();
      for (Parameter p : params) {
        best.put(p.name(), f.readFloats(PARAM + p.name()));
      }
      checkSizes(params, best, file);
      return best;
    }
  }

  private static Map<String, TrainSet.Scores> readDev(JsonNode dev, Path file) {
    Map<String, TrainSet.Scores> out = new LinkedHashMap<>();
    if (dev != null) {
      for (Map.Entry<String, JsonNode> task : dev.properties()) {
        out.put(task.getKey(), readScores(task.getValue(), task.getKey(), file));
      }
    }
    return out;
  }

  /** One task's dev scores: {@code score} and the other metrics by name. */
  private static TrainSet.Scores readScores(JsonNode scores, String task, Path file) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> m : scores.properties()) {
      if (!m.getKey().equals("score")) {
        metrics.put(m.getKey(), m.getValue().asDouble());
      }
    }
    JsonNode score = scores.get("score");
    if (score == null) {
      throw new CheckpointException(file + ": best_dev." + task + " lacks 'score'");
    }
    return new TrainSet.Scores(metrics, score.asDouble());
  }

  /** Drops log lines written after the checkpoint being resumed, so the log reads as one run. */
  private void truncateLog(int step) throws IOException {
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
