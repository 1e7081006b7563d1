package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import io.mptj.backbone.Backbone;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.engine.Json;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Tensors;
import io.mptj.method.PeftAdapter;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run directory (DESIGN.md "Contracts"): {@code config.json} (resolved settings), the PEFT
 * adapter ({@code adapter_config.json}, {@code adapter_model.safetensors}), encoder task heads in
 * {@code heads.safetensors}, {@code tasks.json} (task order of the adapter's task index), {@code
 * train_log.jsonl} and {@code metrics.json}.
 */
public final class RunDir {

  /** Resolved settings. */
  public static final String CONFIG = "config.json";

  /** Metrics per split with parameter counts. */
  public static final String METRICS = "metrics.json";

  /** Encoder task heads. */
  public static final String HEADS = "heads.safetensors";

  /** Task order. */
  public static final String TASKS = "tasks.json";

  private RunDir() {}

  /** PEFT's description of the backbone an adapter belongs to. */
  public static PeftAdapter.Target target(Backbone backbone) {
    String type = Models.peftTaskType(backbone);
    return new PeftAdapter.Target(backbone.id(), type, backbone.numHeads(), backbone.numLayers());
  }

  /** Saves the model's trainable parts and the task order. */
  public static void saveModel(Path dir, TaskModel model, List<String> tasks) {
    PeftAdapter.save(dir, model.prompts(), target(model.backbone()));
    if (model instanceof EncoderTaskModel enc) {
      saveHeads(dir.resolve(HEADS), enc.heads());
    }
    writeJson(dir.resolve(TASKS), tasks);
  }

  /** Writes task heads (R, C, d) with their readout and class counts in the metadata. */
  static void saveHeads(Path file, TaskHeads heads) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "mptj");
    meta.put("readout", heads.readout().key());
    meta.put("num_classes", Arrays.toString(heads.numClasses()));
    try (NDManager m = Devices.newManager()) {
      Map<String, NDArray> t = new LinkedHashMap<>();
      t.put("weight", Tensors.copyTo(m, heads.weight()));
      t.put("bias", Tensors.copyTo(m, heads.bias()));
      Safetensors.write(file, t, meta);
    }
  }

  /** Loads saved heads under {@code parent}. */
  public static TaskHeads loadHeads(Path dir, NDManager parent) {
    Path file = dir.resolve(HEADS);
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(
          "no " + HEADS + " in " + dir + " (an encoder run saves its task heads there)");
    }
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager tmp = parent.newSubManager()) {
      String classes = f.metadata().get("num_classes");
      if (classes == null) {
        throw new CheckpointException(file + ": metadata lacks num_classes");
      }
      int[] numClasses =
          Arrays.stream(classes.replaceAll("[\\[\\] ]", "").split(","))
              .mapToInt(Integer::parseInt)
              .toArray();
      Readout readout = readoutOf(file, f.metadata().getOrDefault("readout", "task"));
      long[] w = f.info("weight").shape();
      try {
        return new TaskHeads(
            parent,
            readout,
            f.require(tmp, "weight", w),
            f.require(tmp, "bias", w[0], w[1]),
            numClasses);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(file + ": " + e.getMessage(), e);
      }
    }
  }

  private static Readout readoutOf(Path file, String name) {
    try {
      return Readout.parse(name);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(
          file + ": metadata readout '" + name + "' is none of task, shared, label", e);
    }
  }

  /** Whether {@code dir} holds a finished run (its metrics.json is written last). */
  public static boolean finished(Path dir) {
    return Files.isRegularFile(dir.resolve(METRICS));
  }

  /** The task order of a saved run. */
  public static List<String> tasks(Path dir) {
    return readJson(dir.resolve(TASKS), new TypeReference<List<String>>() {});
  }

  /** Writes pretty JSON atomically. */
  public static void writeJson(Path file, Object value) {
    try {
      Json.writeAtomic(file, value);
    } catch (java.io.UncheckedIOException e) {
      throw new CheckpointException(e.getMessage(), e.getCause());
    }
  }

  /** Reads JSON, naming the file on errors. */
  public static <T> T readJson(Path file, TypeReference<T> type) {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException("missing " + file);
    }
    try {
      return Json.MAPPER.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new CheckpointException(file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a JSON object as a map. */
  public static Map<String, Object> readMap(Path file) {
    return readJson(file, new TypeReference<Map<String, Object>>() {});
  }

  /** Refuses to overwrite a finished run; an unfinished one (checkpoint, no metrics) is resumed. */
  static boolean checkOut(Path dir) {
    if (finished(dir)) {
      throw new CheckpointException(
          dir + " already holds a finished run (metrics.json); choose another --out or remove it");
    }
    boolean resuming = Files.isDirectory(dir.resolve(io.mptj.train.Trainer.CHECKPOINT));
    if (resuming) {
      io.mptj.engine.Reporter.current().info(RunDir.class, "resuming the unfinished run in " + dir);
    }
    return resuming;
  }

  /**
   * Checks that a run this stage starts from (a teacher, a distillation run, a source prompt) was
   * trained on the same backbone and, for encoders, with the same pooling, naming the run and both
   * values.
   */
  static void requireCompatible(Path upstream, Context ctx, io.mptj.train.HeadSettings head) {
    Map<String, Object> config = readMap(upstream.resolve(CONFIG));
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
    if (Models.hasHeads(ctx.backbone())
        && pooling != null
        && !pooling.toString().equals(head.pooling().name())) {
      throw new CheckpointException(
          upstream
              + " pooled with "
              + pooling
              + ", this run with "
              + head.pooling()
              + " (pass the same --pooling)");
    }
  }

  /**
   * Refuses to resume an unfinished run under different settings: the checkpoint's parameters,
   * moments and sampler state would continue a different run than {@code config} describes.
   */
  static void requireSameSettings(Path dir, Map<String, Object> config) {
    Path saved = dir.resolve(CONFIG);
    if (!Files.isDirectory(dir.resolve(io.mptj.train.Trainer.CHECKPOINT))
        || !Files.isRegularFile(saved)) {
      return;
    }
    com.fasterxml.jackson.databind.JsonNode before = Json.MAPPER.valueToTree(readMap(saved));
    com.fasterxml.jackson.databind.JsonNode now = Json.MAPPER.valueToTree(config);
    settingsAddedSince(before, now);
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
   * A run setting that a run folder written by an older mptj did not record ran at its default:
   * fills such keys into {@code before}'s hyper from {@code now} when {@code now} holds the
   * default.
   */
  private static void settingsAddedSince(
      com.fasterxml.jackson.databind.JsonNode before, com.fasterxml.jackson.databind.JsonNode now) {
    if (!(before.path("hyper") instanceof com.fasterxml.jackson.databind.node.ObjectNode old)) {
      return;
    }
    for (io.mptj.engine.Knob k : io.mptj.train.RunSettings.KNOBS) {
      com.fasterxml.jackson.databind.JsonNode v = now.path("hyper").path(k.saved());
      if (!old.has(k.saved())
          && !v.isMissingNode()
          && v.equals(Json.MAPPER.valueToTree(k.defaultValue()))) {
        old.set(k.saved(), v);
      }
    }
  }

  /**
   * The path of the first differing value between two config trees, ignoring paths like data_dir.
   */
  static String firstDifference(
      com.fasterxml.jackson.databind.JsonNode a,
      com.fasterxml.jackson.databind.JsonNode b,
      String path) {
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

  /** The folder name of a task: its name with '/' replaced by '-'. */
  public static String slug(String task) {
    return task.replace('/', '-').replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
