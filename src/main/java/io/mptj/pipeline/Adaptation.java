package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Seeds;
import io.mptj.prompt.MultitaskPrompt;
import io.mptj.prompt.PeftAdapter;
import io.mptj.prompt.PromptModule;
import io.mptj.prompt.SoftPrompt;
import io.mptj.task.Task;
import io.mptj.train.Objective;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3, target adaptation (Wang et al., 2023, §3.2), and the baselines trained with the same
 * budget:
 *
 * <ul>
 *   <li>{@code mpt}: P* from distillation, u and v initialised to the average of the source task
 *       vectors; P*, u, v (and an encoder's head) are trained with the task loss, at two learning
 *       rates.
 *   <li>{@code pt}: vanilla prompt tuning from sampled vocabulary (Lester et al., 2021).
 *   <li>{@code spot}: vanilla prompt tuning initialised from one source prompt (Vu et al., 2022).
 * </ul>
 *
 * <p>With several target tasks, {@code mpt} runs MPT* (multi-target): P* shared by the group and
 * trained jointly with each task's own u, v; then each task alone trains its u, v (and head) on top
 * of the group's frozen P*, so P* stays shared. {@code pt} and {@code spot} train each task
 * separately.
 */
public final class Adaptation {
  private Adaptation() {}

  /** Adaptation methods. */
  public enum Method {
    MPT,
    PT,
    SPOT
  }

  /**
   * Adapts to one or more target tasks.
   *
   * @param from the distillation run (mpt) or a source-task run (spot); null for pt
   * @param shots k examples per class for few-shot training, or 0 for the full training set
   * @return metrics.json content of the run (single task) or of each task's run (several)
   */
  public static Map<String, Object> run(
      Context ctx, Method method, Path from, List<Task> tasks, int shots, Hyper h, Path out) {
    if (method == Method.MPT && from == null) {
      throw new IllegalArgumentException("--method mpt needs --from DIR (a distillation run)");
    }
    if (method == Method.SPOT && from == null) {
      throw new IllegalArgumentException("--method spot needs --from DIR (one source task's run)");
    }
    if (tasks.size() == 1) {
      return single(ctx, method, from, tasks.getFirst(), shots, h, out);
    }
    if (method == Method.MPT) {
      return multiTarget(ctx, from, tasks, shots, h, out);
    }
    Map<String, Object> all = new LinkedHashMap<>();
    for (Task t : tasks) {
      Path dir = out.resolve(Runs.slug(t.name()));
      all.put(
          t.name(),
          RunDir.finished(dir)
              ? RunDir.readMap(dir.resolve(RunDir.METRICS))
              : single(ctx, method, from, t, shots, h, dir));
    }
    return all;
  }

  private static Map<String, Object> single(
      Context ctx, Method method, Path from, Task task, int shots, Hyper h, Path out) {
    Runs.checkOut(out);
    try (NDManager m = NDManager.newBaseManager()) {
      PromptModule prompts = initialPrompts(ctx, method, from, 1, h, m);
      Hyper hp = h.withPromptLength(prompts.length());
      try (TaskModel model = Models.build(ctx.backbone(), prompts, List.of(task), null, hp, m)) {
        List<PreparedTask> prepared = Runs.prepare(ctx, List.of(task), hp, shots);
        long params = model.taskParameterCount(0) + prompts.sharedParameterCount();
        return Runs.trainAndSave(
            ctx,
            out,
            model,
            prepared,
            hp,
            Objective.taskOnly(),
            config(method, from, shots, h, "adapt"),
            new long[] {params},
            0,
            "RANDOM");
      }
    }
  }

  private static Map<String, Object> config(
      Method method, Path from, int shots, Hyper h, String command) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command", command);
    c.put("method", method.name().toLowerCase(java.util.Locale.ROOT));
    c.put("seed", h.seed());
    c.put("shots", shots);
    c.put("from", from == null ? null : from.toAbsolutePath().toString());
    return c;
  }

  /** The starting prompt module of a method for {@code k} target tasks. */
  static PromptModule initialPrompts(
      Context ctx, Method method, Path from, int k, Hyper h, NDManager m) {
    if (from != null && method != Method.PT && Files.isRegularFile(from.resolve(RunDir.CONFIG))) {
      Runs.requireCompatible(from, ctx, h);
    }
    return switch (method) {
      case PT ->
          new SoftPrompt(
              m,
              Models.initialPrompt(
                      ctx.backbone(),
                      m,
                      h.promptLength(),
                      h.init(),
                      Seeds.derive(h.seed(), "pt-prompt", 0))
                  .expandDims(0)
                  .repeat(0, k));
      case SPOT -> new SoftPrompt(m, spotPrompt(from, m).expandDims(0).repeat(0, k));
      case MPT -> {
        try (PromptModule source = PeftAdapter.load(from, m)) {
          if (!(source instanceof MultitaskPrompt mpt)) {
            throw new CheckpointException(
                from + " is not a distillation run (its adapter is not MULTITASK_PROMPT_TUNING)");
          }
          NDArray[] uv = mpt.averagedTaskVectors(m, k);
          yield new MultitaskPrompt(m, mpt.sharedPrompt(m), uv[0], uv[1]);
        }
      }
    };
  }

  private static NDArray spotPrompt(Path from, NDManager m) {
    if (Files.isRegularFile(from.resolve(SourceTraining.TEACHERS))) {
      throw new CheckpointException(
          from
              + " holds several source prompts; pass one of them to --from, e.g. "
              + from.resolve(Distillation.readTeachers(from).dirs().getFirst().getFileName()));
    }
    if (!PeftAdapter.readConfig(from)
        .peftType()
        .equals(io.mptj.prompt.AdapterConfig.PROMPT_TUNING)) {
      throw new CheckpointException(
          from
              + " is not a vanilla prompt (its adapter is "
              + PeftAdapter.readConfig(from).peftType()
              + "); SPoT starts from one source task's run of ./mptj source, e.g. SOURCE_DIR/glue-MRPC");
    }
    try (PromptModule p = PeftAdapter.load(from, m)) {
      return p.taskPrompt(m, 0);
    }
  }

  /**
   * MPT*: the group jointly, then each task's vectors (and head) alone on the group's frozen P*.
   */
  private static Map<String, Object> multiTarget(
      Context ctx, Path from, List<Task> tasks, int shots, Hyper h, Path out) {
    Path jointDir = out.resolve("joint");
    int tau = tasks.size();
    try (NDManager m = NDManager.newBaseManager()) {
      if (!RunDir.finished(jointDir)) {
        Runs.checkOut(jointDir);
        PromptModule prompts = initialPrompts(ctx, Method.MPT, from, tau, h, m);
        Hyper hp = h.withPromptLength(prompts.length());
        try (TaskModel model = Models.build(ctx.backbone(), prompts, tasks, null, hp, m)) {
          long[] perTask = new long[tau];
          for (int i = 0; i < tau; i++) {
            perTask[i] = model.taskParameterCount(i) + prompts.sharedParameterCount() / tau;
          }
          Runs.trainAndSave(
              ctx,
              jointDir,
              model,
              Runs.prepare(ctx, tasks, hp, shots),
              hp,
              Objective.taskOnly(),
              config(Method.MPT, from, shots, h, "adapt-joint"),
              perTask,
              prompts.sharedParameterCount(),
              "RANDOM");
        }
      }
      List<String> jointTasks = RunDir.tasks(jointDir);
      List<String> asked = tasks.stream().map(Task::reference).toList();
      if (!jointTasks.equals(asked)) {
        throw new CheckpointException(
            jointDir
                + " was trained jointly on "
                + jointTasks
                + ", not on "
                + asked
                + "; give the same --tasks in the same order, or another --out");
      }
      Map<String, Object> all = new LinkedHashMap<>();
      for (int i = 0; i < tau; i++) {
        Path dir = out.resolve(Runs.slug(tasks.get(i).name()));
        all.put(
            tasks.get(i).name(),
            RunDir.finished(dir)
                ? RunDir.readMap(dir.resolve(RunDir.METRICS))
                : alone(ctx, jointDir, from, tasks, i, shots, h, dir, m));
      }
      return all;
    }
  }

  private static Map<String, Object> alone(
      Context ctx,
      Path jointDir,
      Path from,
      List<Task> tasks,
      int i,
      int shots,
      Hyper h,
      Path dir,
      NDManager m) {
    Runs.checkOut(dir);
    try (PromptModule joint = PeftAdapter.load(jointDir, m)) {
      MultitaskPrompt group = (MultitaskPrompt) joint;
      NDArray[] uv = group.taskVectors(m, i, 1);
      MultitaskPrompt prompts = new MultitaskPrompt(m, group.sharedPrompt(m), uv[0], uv[1], true);
      Hyper hp = h.withPromptLength(prompts.length());
      TaskHeads heads =
          ctx.backbone() instanceof io.mptj.backbone.EncoderBackbone
              ? headOf(RunDir.loadHeads(jointDir, m), i, m)
              : null;
      try (TaskModel model =
          Models.build(ctx.backbone(), prompts, List.of(tasks.get(i)), heads, hp, m)) {
        long params = model.taskParameterCount(0) + group.sharedParameterCount() / tasks.size();
        Map<String, Object> config = config(Method.MPT, from, shots, h, "adapt-multi");
        config.put("method", "mpt*");
        config.put("group", tasks.stream().map(Task::name).toList());
        return Runs.trainAndSave(
            ctx,
            dir,
            model,
            Runs.prepare(ctx, List.of(tasks.get(i)), hp, shots),
            hp,
            Objective.taskOnly(),
            config,
            new long[] {params},
            group.sharedParameterCount(),
            "RANDOM");
      }
    }
  }

  /** Task {@code i}'s head out of a set (which it closes). */
  static TaskHeads headOf(TaskHeads all, int i, NDManager m) {
    int c = all.numClasses()[i];
    TaskHeads one =
        new TaskHeads(
            m,
            all.weight().get(i + ":" + (i + 1) + ", :" + c + ", :"),
            all.bias().get(i + ":" + (i + 1) + ", :" + c),
            new int[] {c});
    all.close();
    return one;
  }
}
