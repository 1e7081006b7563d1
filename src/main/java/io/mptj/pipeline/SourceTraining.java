package io.mptj.pipeline;

import ai.djl.ndarray.NDManager;
import io.mptj.engine.Devices;
import io.mptj.engine.Seeds;
import io.mptj.method.MethodRegistry;
import io.mptj.method.PromptModule;
import io.mptj.method.TuningMethod;
import io.mptj.task.Task;
import io.mptj.train.Objective;
import io.mptj.train.TaskModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 1, source training (Wang et al., 2023, §3.1 "Prompt distillation", teachers): one vanilla
 * prompt per source task (Lester et al., 2021), each trained alone and saved in {@code
 * OUT/<task>/}, listed in {@code OUT/teachers.json}.
 */
public final class SourceTraining {

  /** The index of a source-training output directory. */
  public static final String TEACHERS = "teachers.json";

  /** The method of the teachers: the paper's are vanilla prompts, each trained alone. */
  public static final String TEACHER_METHOD = "pt";

  /** The teachers' tuning method. */
  public static TuningMethod method() {
    return MethodRegistry.get(TEACHER_METHOD);
  }

  private SourceTraining() {}

  /**
   * Trains one teacher prompt per task (already trained ones are kept, so a killed run continues).
   *
   * @return per task, its metrics.json content
   */
  public static Map<String, Object> run(Context ctx, List<Task> tasks, StageSettings h, Path out) {
    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, String> dirs = existingTeachers(ctx, h, out);
    for (int i = 0; i < tasks.size(); i++) {
      Task task = tasks.get(i);
      Path dir = out.resolve(RunDir.slug(task.name()));
      dirs.put(task.reference(), dir.getFileName().toString());
      if (RunDir.finished(dir)) {
        RunDir.requireCompatible(dir, ctx, h.head());
        results.put(task.name(), RunDir.readMap(dir.resolve(RunDir.METRICS)));
        continue;
      }
      results.put(task.name(), trainOne(ctx, task, h, dir, i));
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("backbone", ctx.backbone().id());
    index.put("prompt_length", h.config().virtualTokens());
    index.put("tasks", dirs);
    RunDir.writeJson(out.resolve(TEACHERS), index);
    return results;
  }

  /**
   * Teachers already listed in {@code out}: kept, so that a later call adds tasks to the same
   * index.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, String> existingTeachers(Context ctx, StageSettings h, Path out) {
    Path index = out.resolve(TEACHERS);
    Map<String, String> dirs = new LinkedHashMap<>();
    if (Files.isRegularFile(index)) {
      Map<String, Object> json = RunDir.readMap(index);
      if (!ctx.backbone().id().equals(json.get("backbone"))
          || !Integer.valueOf(h.config().virtualTokens()).equals(json.get("prompt_length"))) {
        throw new io.mptj.engine.CheckpointException(
            index
                + " lists teachers of backbone "
                + json.get("backbone")
                + " with prompt length "
                + json.get("prompt_length")
                + "; this run is "
                + ctx.backbone().id()
                + " with "
                + h.config().virtualTokens()
                + " (use another --out)");
      }
      dirs.putAll((Map<String, String>) json.getOrDefault("tasks", Map.of()));
    }
    return dirs;
  }

  private static Map<String, Object> trainOne(
      Context ctx, Task task, StageSettings h, Path dir, int i) {
    RunDir.checkOut(dir);
    List<PreparedTask> prepared = Preparation.prepare(ctx, List.of(task), h, 0);
    TuningMethod.Init init =
        new TuningMethod.Init(
            ctx.backbone(), 1, null, Seeds.derive(h.run().seed(), "teacher-prompt", i));
    try (NDManager m = Devices.newManager();
        PromptModule prompt = h.method().create(init, h.config(), m);
        TaskModel model = Models.build(ctx.backbone(), prompt, List.of(task), null, h, m)) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("command", "source");
      config.put("method", h.method().name());
      config.put("seed", h.run().seed());
      config.put("shots", 0);
      long params = model.taskParameterCount(0);
      return Training.trainAndSave(
          ctx,
          new TrainRequest(
              dir, model, prepared, h, Objective.taskOnly(), config, new long[] {params}, 0));
    }
  }
}
