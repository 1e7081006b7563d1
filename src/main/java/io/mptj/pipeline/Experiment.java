package io.mptj.pipeline;

import io.mptj.engine.Reporter;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodRegistry;
import io.mptj.method.TuningMethod;
import io.mptj.report.Report;
import io.mptj.report.ReportInput;
import io.mptj.report.RunRef;
import io.mptj.report.StageRef;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs an {@link ExperimentSpec} stage by stage — source prompts, distillation, target adaptation
 * per method and seed, MPT*, few-shot — skipping every run whose {@code metrics.json} already
 * exists (and resuming an unfinished one from its checkpoint), then writes the report.
 *
 * <p>Layout under the output directory: {@code source/}, {@code distill/}, {@code
 * runs/full/<method>/<task>/seed-<s>/}, {@code runs/full/mpt-star/seed-<s>/}, {@code
 * runs/k<k>/<method>/<task>/seed-<s>/}, and {@code report/}.
 */
public final class Experiment {

  private final ExperimentSpec spec;
  private final String specText;
  private final Path out;
  private final Context ctx;
  private final List<String> commands = new ArrayList<>();
  private final List<RunRef> runs = new ArrayList<>();
  private final List<StageRef> stages = new ArrayList<>();
  private int done;
  private final int total;
  private final boolean train;
  private final Set<String> onlyTasks;

  private Experiment(
      ExperimentSpec spec,
      String specText,
      Path out,
      Context ctx,
      String command,
      boolean train,
      Set<String> onlyTasks) {
    this.train = train;
    this.onlyTasks = selected(spec, onlyTasks, ctx);
    this.spec = spec;
    this.specText = specText;
    this.out = out;
    this.ctx = ctx;
    this.commands.add(command);
    this.total = countRuns(spec);
  }

  /**
   * Runs the experiment and writes its report.
   *
   * @param command the command line that started it, recorded first among the report's commands
   * @return the report directory
   */
  public static Path run(
      ExperimentSpec spec, String specText, Path out, Context ctx, String command) {
    return run(spec, specText, out, ctx, command, Set.of());
  }

  /**
   * Runs the target runs of some of the spec's tasks (and the source and distillation stages they
   * need), then writes the report of every run of the spec that has finished: a long study run a
   * few tasks at a time, in any order, in one output directory.
   *
   * @param onlyTasks task names of the spec's target or few-shot blocks; empty for every task
   * @throws IllegalArgumentException naming a task the spec does not adapt to
   */
  public static Path run(
      ExperimentSpec spec,
      String specText,
      Path out,
      Context ctx,
      String command,
      Set<String> onlyTasks) {
    return new Experiment(spec, specText, out, ctx, command, true, onlyTasks).run();
  }

  /**
   * Writes the report of the runs of a spec that have finished so far, training nothing (to look at
   * a long experiment while it runs, or at one that stopped).
   */
  public static Path reportOnly(
      ExperimentSpec spec, String specText, Path out, Context ctx, String command) {
    return new Experiment(spec, specText, out, ctx, command, false, Set.of()).run();
  }

  /**
   * The canonical names of {@code only}, each checked to be a target or few-shot task of the spec.
   */
  private static Set<String> selected(ExperimentSpec spec, Set<String> only, Context ctx) {
    List<String> given = new ArrayList<>(spec.targets().tasks());
    if (spec.fewShot() != null) {
      given.addAll(spec.fewShot().tasks());
    }
    Set<String> adapted = new java.util.TreeSet<>(names(given, ctx));
    for (String n : only) {
      if (!adapted.contains(names(List.of(n), ctx).getFirst())) {
        throw new IllegalArgumentException(
            "--only-tasks: " + n + " is not a target or few-shot task of the spec " + adapted);
      }
    }
    return Set.copyOf(names(List.copyOf(only), ctx));
  }

  /** Registry names of task references (a spec path or a data-dir name becomes the task's name). */
  private static List<String> names(List<String> references, Context ctx) {
    return tasks(references, ctx).stream().map(Task::name).toList();
  }

  /**
   * Whether this invocation trains the runs of a task (it is selected, or nothing is); MPT*, one
   * run over all targets, trains when any of them is selected.
   */
  private boolean trains(Task t) {
    return train && (onlyTasks.isEmpty() || onlyTasks.contains(t.name()));
  }

  private Path run() {
    Path source = spec.needsSources() ? source() : null;
    Path distill = needsDistillation(spec) ? distill(source) : null;
    for (long seed : spec.seeds()) {
      for (String m : spec.targets().methods()) {
        for (String t : spec.targets().tasks()) {
          adapt(
              MethodRegistry.get(m),
              t,
              0,
              seed,
              distill,
              source,
              spec.targets().settings(),
              spec.targets().grid());
        }
      }
      if (spec.multiTargetRuns()) {
        for (TuningMethod m : multiTargetMethods()) {
          multiTarget(m, seed, distill, source);
        }
      }
    }
    if (spec.fewShot() != null) {
      for (int k : spec.fewShot().shots()) {
        for (long seed : spec.seeds()) {
          for (String m : spec.fewShot().methods()) {
            for (String t : spec.fewShot().tasks()) {
              adapt(
                  MethodRegistry.get(m),
                  t,
                  k,
                  seed,
                  distill,
                  source,
                  spec.fewShot().settings(),
                  spec.fewShot().grid());
            }
          }
        }
      }
    }
    return report();
  }

  private static int countRuns(ExperimentSpec s) {
    int perSeed =
        points(s.targets().methods(), s.targets().grid()) * s.targets().tasks().size()
            + (s.multiTargetRuns() ? multiTargetMethods().size() : 0);
    int fewShot =
        s.fewShot() == null
            ? 0
            : s.fewShot().shots().size()
                * points(s.fewShot().methods(), s.fewShot().grid())
                * s.fewShot().tasks().size();
    return (needsDistillation(s) ? 1 : 0)
        + (s.needsSources() ? 1 : 0)
        + s.seeds().size() * (perSeed + fewShot);
  }

  /** Whether a method of the spec starts from the distillation run (else it is not run). */
  static boolean needsDistillation(ExperimentSpec s) {
    return (s.multiTargetRuns() && !multiTargetMethods().isEmpty())
        || s.methods().stream().anyMatch(m -> m.upstream() == io.mptj.method.Upstream.DISTILL_RUN);
  }

  /** Runs per task and seed of a block: each method's grid points (1 without a grid). */
  private static int points(List<String> methods, Map<String, List<Object>> grid) {
    return methods.stream()
        .mapToInt(m -> Math.max(1, GridSearch.points(MethodRegistry.get(m), grid).size()))
        .sum();
  }

  private void progress(String what, Path dir) {
    announce(what, RunDir.finished(dir));
  }

  /** Counts a step of the experiment and notes it (when training), marking one already done. */
  private void announce(String what, boolean finished) {
    done++;
    if (train) {
      Reporter.current()
          .info(
              Experiment.class,
              String.format(
                  Locale.ROOT,
                  "experiment [%d/%d] %s%s",
                  done,
                  total,
                  what,
                  finished ? " (done, skipped)" : ""));
    }
  }

  /** The methods run on a group of targets at once (those that share across targets: MPT*). */
  private static List<TuningMethod> multiTargetMethods() {
    return MethodRegistry.all().stream().filter(TuningMethod::sharesAcrossTargets).toList();
  }

  private StageSettings settings(Stage stage, TuningMethod method, SettingsMap given) {
    return StageSettings.resolve(ctx.backbone(), stage, method, given);
  }

  private SettingsMap overrides(SettingsMap stageOverrides, long seed) {
    return spec.settings().then(stageOverrides).with("seed", seed);
  }

  /** The upstream run a method starts from in this experiment. */
  private Path from(TuningMethod m, Path distill, Path source) {
    return switch (m.upstream()) {
      case NONE -> null;
      case SOURCE_RUN ->
          source.resolve(RunDir.slug(TaskRegistry.get(spec.spotSource(), ctx.dataDir()).name()));
      case SOURCES -> source;
      case DISTILL_RUN -> distill;
    };
  }

  private String base() {
    return "./mptj %s --backbone " + spec.backbone() + " --data-dir " + ctx.dataDir();
  }

  private Path source() {
    Path dir = out.resolve("source");
    long seed = spec.seeds().getFirst();
    SettingsMap o = overrides(spec.source().settings(), seed);
    announce("source prompts for " + spec.source().tasks(), false);
    commands.add(
        String.format(base(), "source")
            + " --tasks "
            + String.join(",", spec.source().tasks())
            + o.only(StageSettings.knobs(Stage.SOURCE, SourceTraining.method())).flags()
            + " --out "
            + dir);
    List<Task> sources = tasks(spec.source().tasks());
    if (train) {
      SourceTraining.run(ctx, sources, settings(Stage.SOURCE, SourceTraining.method(), o), dir);
    }
    for (Task t : sources) {
      stage("source " + t.name(), dir.resolve(RunDir.slug(t.name())));
    }
    return dir;
  }

  private Path distill(Path source) {
    Path dir = out.resolve("distill");
    long seed = spec.seeds().getFirst();
    SettingsMap o = overrides(spec.distill().settings(), seed);
    progress("distillation", dir);
    commands.add(
        String.format(base(), "distill")
            + " --teachers "
            + source
            + o.only(StageSettings.knobs(Stage.DISTILL, MethodRegistry.distiller())).flags()
            + " --out "
            + dir);
    if (train && !RunDir.finished(dir)) {
      Distillation.run(ctx, source, settings(Stage.DISTILL, MethodRegistry.distiller(), o), dir);
    }
    stage("distill", dir);
    return dir;
  }

  private void adapt(
      TuningMethod m,
      String task,
      int shots,
      long seed,
      Path distill,
      Path source,
      SettingsMap stage,
      Map<String, List<Object>> grid) {
    Task t = TaskRegistry.get(task, ctx.dataDir());
    Path dir =
        out.resolve("runs")
            .resolve(shots == 0 ? "full" : "k" + shots)
            .resolve(m.name())
            .resolve(RunDir.slug(t.name()))
            .resolve("seed-" + seed);
    List<Map<String, Object>> points = GridSearch.points(m, grid);
    if (points.isEmpty()) {
      adaptOne(m, task, t, shots, seed, from(m, distill, source), overrides(stage, seed), dir, "");
      run(new RunRef(m.label(), t.name(), (int) seed, shots, dir));
      return;
    }
    for (Map<String, Object> p : points) {
      SettingsMap o = overrides(stage, seed);
      for (var e : p.entrySet()) {
        o = o.with(e.getKey(), e.getValue());
      }
      String slug = GridSearch.slug(p);
      adaptOne(m, task, t, shots, seed, from(m, distill, source), o, dir.resolve(slug), " " + slug);
    }
    Path chosen = GridSearch.choose(dir, points);
    if (chosen != null) {
      run(new RunRef(m.label(), t.name(), (int) seed, shots, chosen));
    }
  }

  private void adaptOne(
      TuningMethod m,
      String task,
      Task t,
      int shots,
      long seed,
      Path from,
      SettingsMap o,
      Path dir,
      String point) {
    String method = m.name();
    if (trains(t)) {
      progress(
          method + " " + t.name() + (shots > 0 ? " k=" + shots : "") + " seed " + seed + point,
          dir);
    } else {
      done++; // counted, not announced: another invocation trains it
    }
    commands.add(
        String.format(base(), "adapt")
            + " --method "
            + method
            + (from == null ? "" : " --from " + from)
            + " --task "
            + task
            + (shots > 0 ? " --shots " + shots : "")
            + o.only(StageSettings.knobs(Stage.ADAPT, m)).flags()
            + " --out "
            + dir);
    if (trains(t) && !RunDir.finished(dir)) {
      Adaptation.run(ctx, from, List.of(t), shots, settings(Stage.ADAPT, m, o), dir);
    }
  }

  private void multiTarget(TuningMethod m, long seed, Path distill, Path source) {
    Path dir =
        out.resolve("runs").resolve("full").resolve(m.name() + "-star").resolve("seed-" + seed);
    List<Task> tasks = tasks(spec.targets().tasks());
    Path from = from(m, distill, source);
    boolean finished =
        tasks.stream().allMatch(t -> RunDir.finished(dir.resolve(RunDir.slug(t.name()))));
    announce(m.name() + "* " + spec.targets().tasks() + " seed " + seed, finished);
    SettingsMap o = overrides(spec.targets().settings(), seed);
    commands.add(
        String.format(base(), "adapt")
            + " --method "
            + m.name()
            + (from == null ? "" : " --from " + from)
            + " --tasks "
            + String.join(",", spec.targets().tasks())
            + o.only(StageSettings.knobs(Stage.ADAPT, m)).flags()
            + " --out "
            + dir);
    if (tasks.stream().anyMatch(this::trains)) { // MPT* is one run over every target
      Adaptation.run(ctx, from, tasks, 0, settings(Stage.ADAPT, m, o), dir);
    }
    for (Task t : tasks) {
      run(new RunRef(m.label() + "*", t.name(), (int) seed, 0, dir.resolve(RunDir.slug(t.name()))));
    }
  }

  /** Lists a finished run in the report (an unfinished one only exists while reporting early). */
  private void run(RunRef ref) {
    if (RunDir.finished(ref.runDir())) {
      runs.add(ref);
    }
  }

  private void stage(String label, Path dir) {
    if (RunDir.finished(dir)) {
      stages.add(new StageRef(label, dir));
    }
  }

  private List<Task> tasks(List<String> names) {
    return tasks(names, ctx);
  }

  private static List<Task> tasks(List<String> names, Context ctx) {
    return names.stream().map(n -> TaskRegistry.get(n, ctx.dataDir())).toList();
  }

  private Path report() {
    Path dir = out.resolve("report");
    ReportInput input =
        new ReportInput(
            spec.title(),
            ctx.backbone().id(),
            ctx.backbone().parameterCount(),
            runs,
            stages,
            MethodRegistry.distiller().label(),
            specText,
            commands);
    input.save(dir.resolve("report.json"));
    Report.write(dir, input);
    return dir;
  }

  /** The main results tables as text, from a written report directory. */
  public static String tables(Path reportDir) {
    return Report.mainTablesText(ReportInput.fromJson(reportDir.resolve("report.json")));
  }
}
