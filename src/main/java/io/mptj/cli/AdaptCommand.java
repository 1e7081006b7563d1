package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.engine.Knob;
import io.mptj.method.MethodRegistry;
import io.mptj.method.TuningMethod;
import io.mptj.pipeline.Adaptation;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import io.mptj.task.Task;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mptj adapt}: target adaptation with MPT, or the PT and SPoT baselines. */
@Command(
    name = "adapt",
    mixinStandardHelpOptions = true,
    description = {
      "Stage 3: adapt to target task(s). --method mpt (default) starts from a `distill` run's P* and averaged task"
          + " vectors; pt trains a vanilla prompt from sampled vocabulary; spot starts from one source prompt.",
      "With --tasks a,b,c, mpt runs MPT*: the group jointly (OUT/joint), then each task's vectors alone (OUT/<task>)."
    })
final class AdaptCommand implements Callable<Integer>, KnobOptions.SettingsCommand {

  @Mixin TrainingOptions options;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--task", required = true, description = "one target task, e.g. superglue/CB")
    String task;

    @Option(names = "--tasks", required = true, description = "several target tasks (multi-target)")
    String tasks;
  }

  @Option(
      names = "--method",
      defaultValue = "mpt",
      description = "a tuning method: mpt, pt, spot, ... (default: ${DEFAULT-VALUE})")
  String method;

  @Option(
      names = "--from",
      description = "the distillation run (mpt) or one source task's run (spot)")
  Path from;

  @Option(
      names = "--shots",
      defaultValue = "0",
      description = "k training examples per class (few-shot); 0 = all")
  int shots;

  @Override
  public List<Knob> knobs() {
    return TrainingOptions.union(
        MethodRegistry.all().stream().map(m -> StageSettings.knobs(Stage.ADAPT, m)).toList());
  }

  @Override
  public Integer call() {
    List<Task> tasks = options.tasks(target.task != null ? target.task : target.tasks);
    TuningMethod m = MethodRegistry.get(method);
    Adaptation.requireUpstream(m, from);
    if (shots < 0) {
      throw new IllegalArgumentException("--shots must be >= 0, got " + shots);
    }
    try (Context ctx = options.context()) {
      StageSettings h = options.settings(ctx, Stage.ADAPT, m);
      Map<String, Object> metrics = Adaptation.run(ctx, from, tasks, shots, h, options.out);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", options.out.toAbsolutePath().toString());
      line.put("method", m.name());
      if (tasks.size() == 1) {
        line.put("task", tasks.getFirst().name());
        line.putAll(Summaries.splitScores(metrics));
        line.put("params", metrics.get("params"));
      } else {
        line.put("tasks", Summaries.scores(metrics));
      }
      System.out.println(Json.line(line));
      return 0;
    }
  }
}
