package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.engine.Knob;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.SourceTraining;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import io.mptj.task.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mptj source}: one teacher prompt per source task (vanilla prompt tuning). */
@Command(
    name = "source",
    mixinStandardHelpOptions = true,
    description =
        "Stage 1: train one vanilla prompt per source task (the teachers), into OUT/<task>/.")
final class SourceCommand implements Callable<Integer>, KnobOptions.SettingsCommand {

  @Mixin TrainingOptions options;

  @Option(
      names = "--tasks",
      required = true,
      description = "source tasks, e.g. glue/MNLI,glue/QNLI,glue/QQP,glue/SST-2")
  String tasks;

  @Override
  public List<Knob> knobs() {
    return StageSettings.knobs(Stage.SOURCE, SourceTraining.method());
  }

  @Override
  public Integer call() {
    List<Task> list = options.tasks(tasks);
    try (Context ctx = options.context()) {
      StageSettings h = options.settings(ctx, Stage.SOURCE, SourceTraining.method());
      Map<String, Object> results = SourceTraining.run(ctx, list, h, options.out);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", options.out.toAbsolutePath().toString());
      line.put("teachers", Summaries.scores(results));
      System.out.println(Json.line(line));
      return 0;
    }
  }
}
