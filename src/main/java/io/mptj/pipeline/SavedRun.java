package io.mptj.pipeline;

import ai.djl.ndarray.NDManager;
import io.mptj.backbone.Backbone;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.train.Instance;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import io.mptj.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A finished run directory reloaded for evaluation and prediction. */
public final class SavedRun implements AutoCloseable {

  private final Path dir;
  private final Context ctx;
  private final List<Task> tasks;
  private final StageSettings.Saved settings;
  private final NDManager manager;
  private final TaskModel model;
  private boolean ownsContext;
  private volatile String method;

  private SavedRun(
      Path dir,
      Context ctx,
      List<Task> tasks,
      StageSettings.Saved settings,
      NDManager manager,
      PromptModule prompts,
      TaskHeads heads) {
    this.manager = manager;
    this.dir = dir;
    this.ctx = ctx;
    this.tasks = tasks;
    this.settings = settings;
    this.model =
        Models.build(
            ctx.backbone(),
            prompts,
            tasks,
            heads,
            settings.head(),
            settings.distill().topK(),
            settings.run().seed(),
            manager);
  }

  /** The {@code backbone} a run was trained on, from its config.json. */
  public static String backboneOf(Path dir) {
    Object b = RunDir.readMap(dir.resolve(RunDir.CONFIG)).get("backbone");
    if (b == null) {
      throw new CheckpointException(dir.resolve(RunDir.CONFIG) + ": no \"backbone\"");
    }
    return b.toString();
  }

  /** The data directory a run was trained with, from its config.json. */
  public static Path dataDirOf(Path dir) {
    Object d = RunDir.readMap(dir.resolve(RunDir.CONFIG)).get("data_dir");
    return d == null ? null : Path.of(d.toString());
  }

  /**
   * Reloads a run with the backbone and data directory it was trained with, unless overridden (e.g.
   * a local copy of the backbone, or the data on another machine); closing it closes the backbone.
   */
  public static SavedRun open(Path dir, String backboneOverride, Path dataDirOverride) {
    Path data = dataDirOverride != null ? dataDirOverride : dataDirOf(dir);
    if (data == null || !Files.isDirectory(data)) {
      data = io.mptj.task.data.DataDir.resolve(dataDirOverride);
    }
    Context ctx =
        new Context(
            io.mptj.backbone.Backbones.load(
                backboneOverride != null ? backboneOverride : backboneOf(dir)),
            data,
            false);
    try {
      SavedRun run = open(dir, ctx);
      run.ownsContext = true;
      return run;
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  /** Reloads a run on an already loaded backbone (which must be the one it was trained on). */
  public static SavedRun open(Path dir, Context ctx) {
    StageSettings.Saved settings = readSettings(dir);
    List<Task> tasks = RunDir.tasks(dir).stream().map(TaskRegistry::get).toList();
    NDManager manager = Devices.newManager();
    try {
      PromptModule prompts = PeftAdapter.load(dir, manager);
      prompts.checkFits(ctx.backbone(), dir.toString());
      TaskHeads heads = Models.hasHeads(ctx.backbone()) ? RunDir.loadHeads(dir, manager) : null;
      return new SavedRun(dir, ctx, tasks, settings, manager, prompts, heads);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static StageSettings.Saved readSettings(Path dir) {
    Path file = dir.resolve(RunDir.CONFIG);
    Object hyper = RunDir.readMap(file).get("hyper");
    if (!(hyper instanceof Map<?, ?> saved)) {
      throw new CheckpointException(file + ": no \"hyper\" settings");
    }
    @SuppressWarnings("unchecked")
    Map<String, ?> values = (Map<String, ?>) saved;
    return StageSettings.fromSaved(values, file + ": hyper");
  }

  /** The run's tasks, in adapter order. */
  public List<Task> tasks() {
    return tasks;
  }

  /**
   * Evaluates a split and records it in metrics.json.
   *
   * @return per task, its metrics for the split (with {@code score})
   */
  public Map<String, Map<String, Object>> evaluate(String split) {
    List<PreparedTask> prepared =
        Preparation.prepare(ctx, tasks, settings.run(), model.prompts().length(), 0);
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (PreparedTask t : prepared) {
      Map<String, Object> m =
          Evaluation.scoreSplit(model, t, split, settings.run().evalBatchSize());
      if (m == null) {
        throw new IllegalArgumentException(
            "task "
                + t.task().name()
                + " has no labelled "
                + split
                + " examples in "
                + ctx.dataDir());
      }
      out.put(t.task().name(), m);
    }
    record(split, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private void record(String split, Map<String, Map<String, Object>> results) {
    Path file = dir.resolve(RunDir.METRICS);
    Map<String, Object> metrics =
        Files.isRegularFile(file) ? RunDir.readMap(file) : new LinkedHashMap<>();
    if (tasks.size() == 1) {
      metrics.put(split, results.values().iterator().next());
    } else {
      Map<String, Object> per =
          (Map<String, Object>) metrics.computeIfAbsent("tasks", k -> new LinkedHashMap<>());
      results.forEach(
          (t, m) ->
              ((Map<String, Object>) per.computeIfAbsent(t, k -> new LinkedHashMap<>()))
                  .put(split, m));
      double mean =
          results.values().stream()
              .mapToDouble(m -> ((Number) m.get("score")).doubleValue())
              .average()
              .orElse(Double.NaN);
      metrics.put(split, Map.of("score", mean));
    }
    RunDir.writeJson(file, metrics);
  }

  /**
   * Predicts for raw inputs, each a map of the task's field names to text.
   *
   * @param taskName which of the run's tasks (null when it has one)
   * @return one JSON-ready map per input: {@code label} (and per-label {@code scores}) for
   *     classification, {@code value} for regression, {@code text} for generation
   */
  public List<Map<String, Object>> predict(String taskName, List<Map<String, String>> inputs) {
    String task = tasks.get(taskIndex(taskName)).name();
    return predictMixed(inputs.stream().map(in -> new Query(task, in)).toList()).predictions();
  }

  /** One input for one of the run's tasks. */
  public record Query(String task, Map<String, String> fields) {}

  /**
   * Predictions for inputs of any of the run's tasks, mixed: every row carries its task id, so one
   * forward pass serves them all (each row's prompt and head chosen by its id).
   *
   * @param predictions one per query, in order, as {@link #predict(String, List)} describes them
   * @param tokens input tokens over all rows (before the prompt)
   */
  public record Answers(List<Map<String, Object>> predictions, long tokens) {}

  /** Predicts a mixed list of queries in batches of up to 64 rows. */
  public Answers predictMixed(List<Query> queries) {
    Map<String, Encoding> encodings = new LinkedHashMap<>();
    List<Instance> xs = new ArrayList<>();
    long tokens = 0;
    for (int i = 0; i < queries.size(); i++) {
      Query q = queries.get(i);
      Encoding enc = encodings.computeIfAbsent(q.task(), this::encoding);
      Instance x = enc.instance(new Example("input:" + (i + 1), q.fields(), Label.NONE), i);
      tokens += x.length();
      xs.add(x);
    }
    List<TaskModel.Prediction> preds = Trainer.predict(model, xs, 64, ctx.backbone().padId());
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < preds.size(); i++) {
      out.add(describe(encodings.get(queries.get(i).task()).task(), preds.get(i)));
    }
    return new Answers(out, tokens);
  }

  private Encoding encoding(String taskName) {
    return encoding(taskName, taskIndex(taskName));
  }

  /** The encoding of {@code taskName}'s inputs with rows tagged {@code id} (a fused table's). */
  Encoding encoding(String taskName, int id) {
    Task task = tasks.get(taskIndex(taskName));
    int cap =
        Preparation.maxInputLength(ctx, task, settings.run().maxLength(), model.prompts().length());
    return new Encoding(ctx.backbone(), task, id, cap);
  }

  /** The loaded model. */
  TaskModel model() {
    return model;
  }

  /** The context the run was opened in (its backbone). */
  Context context() {
    return ctx;
  }

  /** The run's directory. */
  public Path dir() {
    return dir;
  }

  /** Trainable parameters that belong to task {@code taskName} alone (prompt part plus head). */
  public long taskParameterCount(String taskName) {
    return model.taskParameterCount(taskIndex(taskName));
  }

  /** The tuning method the run was trained with, from its config.json (read once). */
  public String method() {
    if (method == null) {
      Object m = RunDir.readMap(dir.resolve(RunDir.CONFIG)).get("method");
      method = m == null ? "unknown" : m.toString();
    }
    return method;
  }

  private int taskIndex(String taskName) {
    if (taskName == null) {
      if (tasks.size() != 1) {
        throw new IllegalArgumentException(
            "this run has tasks "
                + tasks.stream().map(Task::name).toList()
                + "; choose one with --task");
      }
      return 0;
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (tasks.get(i).name().equals(taskName)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "task "
            + taskName
            + " is not one of this run's "
            + tasks.stream().map(Task::name).toList());
  }

  static Map<String, Object> describe(Task task, TaskModel.Prediction p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", task.name());
    if (task.kind() == TaskKind.REGRESSION) {
      out.put("value", p.value());
    } else if (task.kind() == TaskKind.GENERATION) {
      out.put("text", p.text());
    } else {
      out.put(
          "label",
          p.label() >= 0 && p.label() < task.labels().size() ? task.labels().get(p.label()) : null);
      Map<String, Float> scores = new LinkedHashMap<>();
      for (int i = 0; i < p.scores().length && i < task.labels().size(); i++) {
        scores.put(task.labels().get(i), p.scores()[i]);
      }
      out.put("scores", scores);
    }
    return out;
  }

  /** P, the positions the run's module prepends to every input (0 for a layer method). */
  public int promptLength() {
    return model.prompts().length();
  }

  /** The backbone the run is loaded on. */
  public Backbone backbone() {
    return ctx.backbone();
  }

  @Override
  public void close() {
    model.close();
    manager.close();
    if (ownsContext) {
      ctx.close();
    }
  }
}
