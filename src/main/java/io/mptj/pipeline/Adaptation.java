package io.mptj.pipeline;

import ai.djl.ndarray.NDManager;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.engine.Reporter;
import io.mptj.engine.Seeds;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.SourceChoice;
import io.mptj.method.TuningMethod;
import io.mptj.method.Upstream;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.train.Objective;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3, target adaptation (Wang et al., 2023, §3.2), with any registered tuning method at the
 * same budget: MPT from a distillation run, and the baselines (vanilla PT, SPoT from a source
 * prompt, …), each as its {@link TuningMethod} builds it.
 *
 * <p>With several target tasks, a method that {@link TuningMethod#sharesAcrossTargets() shares
 * across targets} (MPT*) trains the group jointly ({@code OUT/joint}), then each task alone on top
 * of the group's frozen shared part ({@code OUT/<task>}); other methods train each task separately.
 */
public final class Adaptation {
  private Adaptation() {}

  /**
   * Adapts to one or more target tasks with {@code h}'s method.
   *
   * @param from the upstream run the method starts from ({@link TuningMethod#upstream()}), or null
   * @param shots k examples per class for few-shot training, or 0 for the full training set
   * @return metrics.json content of the run (single task) or of each task's run (several)
   */
  public static Map<String, Object> run(
      Context ctx, Path from, List<Task> tasks, int shots, StageSettings h, Path out) {
    TuningMethod method = h.method();
    requireUpstream(method, from);
    if (tasks.size() == 1) {
      return single(ctx, from, tasks.getFirst(), shots, h, out);
    }
    if (method.sharesAcrossTargets()) {
      return multiTarget(ctx, from, tasks, shots, h, out);
    }
    Map<String, Object> all = new LinkedHashMap<>();
    for (Task t : tasks) {
      Path dir = out.resolve(RunDir.slug(t.name()));
      all.put(
          t.name(),
          RunDir.finished(dir)
              ? RunDir.readMap(dir.resolve(RunDir.METRICS))
              : single(ctx, from, t, shots, h, dir));
    }
    return all;
  }

  /** Checks {@code --from} against what the method starts from, naming the flag. */
  public static void requireUpstream(TuningMethod method, Path from) {
    String flag = "--method " + method.name();
    switch (method.upstream()) {
      case NONE -> {
        if (from != null) {
          throw new IllegalArgumentException(
              "--from is not used by " + flag + " (it starts from scratch)");
        }
      }
      case SOURCE_RUN -> {
        if (from == null) {
          throw new IllegalArgumentException(flag + " needs --from DIR (one source task's run)");
        }
      }
      case SOURCES -> {
        if (from == null) {
          throw new IllegalArgumentException(
              flag + " needs --from DIR (the output of ./mptj source, with teachers.json)");
        }
      }
      case DISTILL_RUN -> {
        if (from == null) {
          throw new IllegalArgumentException(flag + " needs --from DIR (a distillation run)");
        }
      }
    }
  }

  private static Map<String, Object> single(
      Context ctx, Path from, Task task, int shots, StageSettings h, Path out) {
    RunDir.checkOut(out);
    try (NDManager m = Devices.newManager()) {
      Map<String, Object> config = config(h.method().name(), from, shots, h, "adapt");
      int source =
          h.config().sourceChoice() == SourceChoice.NONE
              ? -1
              : chooseSource(ctx, from, task, shots, h, config);
      PromptModule prompts = initialModule(ctx, from, 1, h, m, source);
      StageSettings hp = h.withPromptLength(prompts.length());
      TaskHeads heads = upstreamHeads(ctx, from, task, hp, source, config, m);
      try (TaskModel model = Models.build(ctx.backbone(), prompts, List.of(task), heads, hp, m)) {
        List<PreparedTask> prepared = Preparation.prepare(ctx, List.of(task), hp, shots);
        long params = model.taskParameterCount(0) + model.sharedParameterCount();
        return Training.trainAndSave(
            ctx,
            new TrainRequest(
                out, model, prepared, hp, Objective.taskOnly(), config, new long[] {params}, 0));
      }
    }
  }

  /**
   * The upstream task a target starts from, chosen on the target's dev split among the candidates
   * ({@link SourceChoice}: every source, or those sharing the most class names with the target):
   * each candidate's start (its task vectors and, with {@code --head-init source}, its head) is
   * scored before any training, and the best kept. Records the candidates and scores under {@code
   * source_selection}.
   */
  private static int chooseSource(
      Context ctx, Path from, Task task, int shots, StageSettings h, Map<String, Object> config) {
    List<Task> upstream = upstreamTasks(ctx, from);
    List<String> sources = upstream.stream().map(Task::name).toList();
    Map<String, Object> selection = new LinkedHashMap<>();
    List<Integer> candidates = candidates(upstream, task, h.config().sourceChoice(), selection);
    Map<String, Object> dev = new LinkedHashMap<>();
    int best = candidates.getFirst();
    double bestScore = Double.NEGATIVE_INFINITY;
    List<PreparedTask> prepared = null;
    for (int k : candidates) {
      try (NDManager trial = Devices.newManager()) {
        PromptModule prompts = initialModule(ctx, from, 1, h, trial, k);
        StageSettings hp = h.withPromptLength(prompts.length());
        TaskHeads heads = upstreamHeads(ctx, from, task, hp, k, new LinkedHashMap<>(), trial);
        try (TaskModel model =
            Models.build(ctx.backbone(), prompts, List.of(task), heads, hp, trial)) {
          prepared =
              prepared != null ? prepared : Preparation.prepare(ctx, List.of(task), hp, shots);
          Map<String, Object> s =
              Evaluation.scoreSplit(model, prepared.getFirst(), "dev", hp.run().evalBatchSize());
          if (s == null) {
            throw new IllegalArgumentException(
                "--target-init best chooses on the dev split; " + task.name() + " has none");
          }
          double score = (Double) s.get("score");
          dev.put(sources.get(k), score);
          if (score > bestScore) {
            bestScore = score;
            best = k;
          }
        }
      }
    }
    selection.put("chosen", sources.get(best));
    selection.put("dev_before_training", dev);
    config.put("source_selection", selection);
    return best;
  }

  /**
   * The upstream tasks (indices) a target may start from: all of them for {@link SourceChoice#DEV};
   * for {@link SourceChoice#LABELS} those sharing the most class names with the target (all when
   * none shares one). Records each source's count under {@code shared_labels}.
   */
  static List<Integer> candidates(
      List<Task> upstream, Task target, SourceChoice choice, Map<String, Object> selection) {
    List<Integer> all = java.util.stream.IntStream.range(0, upstream.size()).boxed().toList();
    if (choice != SourceChoice.LABELS) {
      return all;
    }
    Map<String, Object> counts = new LinkedHashMap<>();
    int[] shared = new int[upstream.size()];
    for (int k = 0; k < upstream.size(); k++) {
      shared[k] = HeadTransfer.sharedNames(target.labels(), upstream.get(k).labels());
      counts.put(upstream.get(k).name(), shared[k]);
    }
    selection.put("shared_labels", counts);
    int most = java.util.Arrays.stream(shared).max().orElse(0);
    return most == 0 ? all : all.stream().filter(k -> shared[k] == most).toList();
  }

  private static List<Task> upstreamTasks(Context ctx, Path from) {
    return RunDir.tasks(from).stream().map(r -> TaskRegistry.get(r, ctx.dataDir())).toList();
  }

  /**
   * A single target's starting head from the upstream run: the shared head carried over ({@code
   * --head shared}), or with {@code --head-init source} a task head mapped class by class from
   * upstream task {@code source} (or any, when -1); null for a fresh one. Records the mapping under
   * {@code head_init}.
   */
  private static TaskHeads upstreamHeads(
      Context ctx,
      Path from,
      Task task,
      StageSettings h,
      int source,
      Map<String, Object> config,
      NDManager m) {
    if (h.head().readout() == Readout.SHARED) {
      return carriedHeads(ctx, from, List.of(task), h, m);
    }
    if (!(ctx.backbone() instanceof EncoderBackbone enc)
        || h.head().readout() != Readout.TASK
        || !h.head().fromSource()
        || from == null
        || task.kind() != TaskKind.CLASSIFICATION
        || !Files.isRegularFile(from.resolve(RunDir.HEADS))) {
      return null;
    }
    List<Task> upstreamTasks = upstreamTasks(ctx, from);
    try (TaskHeads up = RunDir.loadHeads(from, m)) {
      if (up.readout() == Readout.LABEL) {
        return null; // label scores are not linear weights
      }
      HeadTransfer.Mapped mapped =
          HeadTransfer.mapped(
              enc,
              up,
              upstreamTasks,
              source,
              task,
              h.head(),
              Seeds.derive(h.run().seed(), "heads", 1),
              m);
      config.put("head_init", mapped.origin());
      return mapped.heads();
    }
  }

  private static Map<String, Object> config(
      String method, Path from, int shots, StageSettings h, String command) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("command", command);
    c.put("method", method);
    c.put("seed", h.run().seed());
    c.put("shots", shots);
    c.put("from", from == null ? null : from.toAbsolutePath().toString());
    return c;
  }

  /** The starting module of the stage's method for {@code k} target tasks. */
  static PromptModule initialModule(Context ctx, Path from, int k, StageSettings h, NDManager m) {
    return initialModule(ctx, from, k, h, m, -1);
  }

  /** As {@link #initialModule(Context, Path, int, StageSettings, NDManager)}, from a source. */
  static PromptModule initialModule(
      Context ctx, Path from, int k, StageSettings h, NDManager m, int source) {
    TuningMethod method = h.method();
    if (from != null
        && method.upstream() != Upstream.NONE
        && Files.isRegularFile(from.resolve(RunDir.CONFIG))) {
      RunDir.requireCompatible(from, ctx, h.head());
    }
    long seed = Seeds.derive(h.run().seed(), method.name() + "-prompt", 0);
    return method.create(
        new TuningMethod.Init(ctx.backbone(), k, from, seed, source), h.config(), m);
  }

  /**
   * A group jointly, then each task's own part (and head) alone on the group's frozen shared part.
   */
  private static Map<String, Object> multiTarget(
      Context ctx, Path from, List<Task> tasks, int shots, StageSettings h, Path out) {
    Path jointDir = out.resolve("joint");
    int tau = tasks.size();
    try (NDManager m = Devices.newManager()) {
      if (!RunDir.finished(jointDir)) {
        RunDir.checkOut(jointDir);
        PromptModule prompts = initialModule(ctx, from, tau, h, m);
        StageSettings hp = h.withPromptLength(prompts.length());
        TaskHeads heads = carriedHeads(ctx, from, tasks, hp, m);
        try (TaskModel model = Models.build(ctx.backbone(), prompts, tasks, heads, hp, m)) {
          long[] perTask = new long[tau];
          for (int i = 0; i < tau; i++) {
            perTask[i] = model.taskParameterCount(i) + model.sharedParameterCount() / tau;
          }
          Training.trainAndSave(
              ctx,
              new TrainRequest(
                  jointDir,
                  model,
                  Preparation.prepare(ctx, tasks, hp, shots),
                  hp,
                  Objective.taskOnly(),
                  config(h.method().name(), from, shots, h, "adapt-joint"),
                  perTask,
                  model.sharedParameterCount()));
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
        Path dir = out.resolve(RunDir.slug(tasks.get(i).name()));
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
      StageSettings h,
      Path dir,
      NDManager m) {
    RunDir.checkOut(dir);
    try (PromptModule joint = PeftAdapter.load(jointDir, m)) {
      PromptModule prompts = h.method().alone(joint, i, m);
      StageSettings hp = h.withPromptLength(prompts.length());
      TaskHeads heads =
          Models.hasHeads(ctx.backbone()) ? headOf(RunDir.loadHeads(jointDir, m), i, m) : null;
      long jointShared = joint.sharedParameterCount(); // its head is retrained per task here
      try (TaskModel model =
          Models.build(ctx.backbone(), prompts, List.of(tasks.get(i)), heads, hp, m)) {
        long params = model.taskParameterCount(0) + jointShared / tasks.size();
        Map<String, Object> config = config(h.method().name(), from, shots, h, "adapt-multi");
        config.put("method", h.method().name() + "*");
        config.put("group", tasks.stream().map(Task::name).toList());
        return Training.trainAndSave(
            ctx,
            new TrainRequest(
                dir,
                model,
                Preparation.prepare(ctx, List.of(tasks.get(i)), hp, shots),
                hp,
                Objective.taskOnly(),
                config,
                new long[] {params},
                jointShared));
      }
    }
  }

  /**
   * The readout targets start from: with {@code --head shared}, the upstream run's shared head
   * (SPoT's source run, MPT's distillation run) extended to the targets' classes; else null (a
   * fresh readout, {@link Models#freshHeads}).
   */
  static TaskHeads carriedHeads(
      Context ctx, Path from, List<Task> tasks, StageSettings h, NDManager m) {
    if (!Models.hasHeads(ctx.backbone())
        || h.head().readout() != Readout.SHARED
        || from == null
        || !Files.isRegularFile(from.resolve(RunDir.HEADS))) {
      return null;
    }
    try (TaskHeads up = RunDir.loadHeads(from, m)) {
      if (up.readout() != Readout.SHARED) {
        Reporter.current()
            .warn(
                Adaptation.class,
                "--head shared: "
                    + from
                    + " was trained with --head "
                    + up.readout().key()
                    + ", so the targets' shared head starts fresh");
        return null;
      }
      long seed = Seeds.derive(h.run().seed(), "heads", tasks.size());
      return up.sharedFor(m, Models.classes(tasks), seed);
    }
  }

  /** Task {@code i}'s head out of a set (which it closes). */
  static TaskHeads headOf(TaskHeads all, int i, NDManager m) {
    TaskHeads one = all.taskOf(m, i);
    all.close();
    return one;
  }
}
