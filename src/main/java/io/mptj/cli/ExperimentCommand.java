package io.mptj.cli;

import io.mptj.backbone.Backbones;
import io.mptj.engine.Json;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Experiment;
import io.mptj.pipeline.ExperimentSpec;
import io.mptj.task.data.DataDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mptj experiment SPEC}: every stage of a spec, then the report. */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description = {
      "Run an experiment spec (JSON or YAML; see README 'Experiments'): source prompts, distillation,",
      "target adaptation per method and seed, MPT*, few-shot, then results.md/results.html with charts in OUT/report.",
      "Finished runs are skipped, so rerunning continues an interrupted experiment."
    })
final class ExperimentCommand implements Callable<Integer> {

  @Parameters(paramLabel = "SPEC", description = "experiment spec file (.json, .yaml)")
  Path specFile;

  @Option(names = "--out", description = "output directory (default: runs/<spec file name>)")
  Path out;

  @Option(
      names = "--data-dir",
      description = "data directory (default: $MPTJ_DATA_DIR, ../shared/data, or the cache)")
  Path dataDir;

  @Option(names = "--no-progress", description = "no progress bars")
  boolean noProgress;

  @Option(
      names = "--report-only",
      description = "train nothing: write the report of the runs that have finished so far")
  boolean reportOnly;

  @Option(
      names = "--only-tasks",
      split = ",",
      paramLabel = "TASK",
      description =
          "train only these target or few-shot tasks' runs (MPT* when any of its targets is; source and"
              + " distillation when the spec has them); the report"
              + " still covers every finished run of the spec. For a long study run a few tasks at a time")
  List<String> onlyTasks = List.of();

  @Override
  public Integer call() throws IOException {
    ExperimentSpec spec = ExperimentSpec.read(specFile);
    String text = Files.readString(specFile);
    Path dir =
        out != null
            ? out
            : Path.of("runs", specFile.getFileName().toString().replaceAll("\\.(ya?ml|json)$", ""));
    String command = "./mptj experiment " + specFile + " --out " + dir;
    if (reportOnly && !onlyTasks.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "--only-tasks trains runs; --report-only trains none");
    }
    if (reportOnly) {
      try (Context ctx =
          new Context(Backbones.load(spec.backbone()), DataDir.resolve(dataDir), false)) {
        return finish(Experiment.reportOnly(spec, text, dir, ctx, command), System.nanoTime());
      }
    }
    return finish(
        run(spec, text, dir, DataDir.resolve(dataDir), !noProgress, command, Set.copyOf(onlyTasks)),
        System.nanoTime());
  }

  static Path run(
      ExperimentSpec spec,
      String text,
      Path dir,
      Path data,
      boolean progress,
      String command,
      Set<String> onlyTasks) {
    try (Context ctx = new Context(Backbones.load(spec.backbone()), data, progress)) {
      return Experiment.run(spec, text, dir, ctx, command, onlyTasks);
    }
  }

  /** Prints the tables, then the JSON line with the report directory. */
  static int finish(Path report, long startNanos) {
    System.out.println(Experiment.tables(report));
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("report", report.toAbsolutePath().toString());
    line.put("results_md", report.resolve("results.md").toAbsolutePath().toString());
    line.put("results_html", report.resolve("results.html").toAbsolutePath().toString());
    System.out.println(Json.line(line));
    return 0;
  }
}
