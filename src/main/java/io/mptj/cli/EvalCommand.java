package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.pipeline.SavedRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mptj eval}: evaluates a finished run on a split and records it in metrics.json. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a run directory on its tasks' dev or test split (updates metrics.json).")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, description = "a run directory")
  Path run;

  @Option(
      names = "--split",
      defaultValue = "test",
      description = "dev or test (default: ${DEFAULT-VALUE})")
  String split;

  @Option(
      names = "--data-dir",
      description = "data directory (default: the run's, else the usual resolution)")
  Path dataDir;

  @Option(
      names = "--backbone",
      description = "override the run's backbone (e.g. a local copy of it)")
  String backbone;

  @Override
  public Integer call() {
    if (!split.equals("dev") && !split.equals("test")) {
      throw new IllegalArgumentException("--split must be dev or test, got '" + split + "'");
    }
    try (SavedRun saved = open(run, backbone, dataDir)) {
      Map<String, Map<String, Object>> results = saved.evaluate(split);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("run", run.toAbsolutePath().toString());
      line.put("split", split);
      if (results.size() == 1) {
        var e = results.entrySet().iterator().next();
        line.put("task", e.getKey());
        line.putAll(e.getValue());
      } else {
        line.put("tasks", results);
      }
      System.out.println(Json.line(line));
      return 0;
    }
  }

  /** Opens a saved run with its own backbone and data directory unless overridden. */
  static SavedRun open(Path run, String backbone, Path dataDir) {
    return SavedRun.open(run, backbone, dataDir);
  }
}
