package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.pipeline.Adaptation;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Hyper;
import io.mptj.pipeline.Stage;
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
final class AdaptCommand implements Callable<Integer> {

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
      description = "mpt, pt or spot (default: ${DEFAULT-VALUE})")
  Adaptation.Method method;

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
  public Integer call() {
    List<Task> tasks = TrainingOptions.tasks(target.task != null ? target.task : target.tasks);
    if (method == Adaptation.Method.PT && from != null) {
      throw new IllegalArgumentException(
          "--from is not used by --method pt (vanilla prompt tuning starts from the vocabulary)");
    }
    if (shots < 0) {
      throw new IllegalArgumentException("--shots must be >= 0, got " + shots);
    }
    try (Context ctx = options.context()) {
      Hyper h = options.hyper(ctx, Stage.ADAPT);
      Map<String, Object> metrics = Adaptation.run(ctx, method, from, tasks, shots, h, options.out);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", options.out.toAbsolutePath().toString());
      line.put("method", method.name().toLowerCase(java.util.Locale.ROOT));
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
