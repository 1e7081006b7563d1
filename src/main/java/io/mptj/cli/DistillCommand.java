package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.engine.Knob;
import io.mptj.method.MethodRegistry;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Distillation;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mptj distill}: multitask prompt distillation of the source teachers. */
@Command(
    name = "distill",
    mixinStandardHelpOptions = true,
    description =
        "Stage 2: distil the teacher prompts of a `source` run into a shared prompt P* and task vectors u, v.")
final class DistillCommand implements Callable<Integer>, KnobOptions.SettingsCommand {

  @Mixin TrainingOptions options;

  @Option(names = "--teachers", required = true, description = "output directory of `mptj source`")
  Path teachers;

  @Override
  public List<Knob> knobs() {
    return StageSettings.knobs(Stage.DISTILL, MethodRegistry.distiller());
  }

  @Override
  public Integer call() {
    try (Context ctx = options.context()) {
      StageSettings h = options.settings(ctx, Stage.DISTILL, MethodRegistry.distiller());
      Map<String, Object> metrics = Distillation.run(ctx, teachers, h, options.out);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", options.out.toAbsolutePath().toString());
      line.putAll(Summaries.splitScores(metrics));
      line.put("tasks", Summaries.scores(Summaries.asMap(metrics.get("tasks"))));
      line.put("params", metrics.get("params"));
      System.out.println(Json.line(line));
      return 0;
    }
  }
}
