package io.mptj.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.engine.Knob;
import io.mptj.engine.NativeMemory;
import io.mptj.engine.Timing;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.RunDir;
import io.mptj.pipeline.SourceTraining;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import io.mptj.task.Task;
import io.mptj.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mptj bench train}: a real task's prompt-tuning run, timed as the trainer logs it (useful
 * tokens per second: each input's own length plus the prompt, not the padding), with the peak
 * resident set and the native arrays left alive. Every training flag applies (for example {@code
 * --group-by-length}), so two settings compare on the same task, steps and seed.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Trains a prompt on a real task (a fresh run in --out) and prints its throughput: useful tokens/s",
      "and examples/s over the logged windows after the first, wall and training time, peak RSS of the",
      "training and of the whole process, dev score."
    })
final class BenchTrain implements Callable<Integer>, KnobOptions.SettingsCommand {

  @Mixin TrainingOptions options;

  @Option(
      names = "--task",
      defaultValue = "glue/RTE",
      description = "the task trained (default: ${DEFAULT-VALUE})")
  String task;

  @Option(
      names = "--record",
      defaultValue = "bench/results",
      description =
          "folder whose train.jsonl gets the result line ('' : none; default: ${DEFAULT-VALUE})")
  String record;

  @Override
  public List<Knob> knobs() {
    return StageSettings.knobs(Stage.SOURCE, SourceTraining.method());
  }

  @Override
  public Integer call() {
    List<Task> tasks = options.tasks(task);
    Path dir = options.out.resolve(RunDir.slug(tasks.get(0).name()));
    if (Files.exists(dir)) {
      throw new IllegalArgumentException(
          dir + " exists: bench train times a fresh run, give another --out");
    }
    long t0 = System.nanoTime();
    Map<String, Object> line = new LinkedHashMap<>();
    try (Context ctx = options.context()) {
      StageSettings h = options.settings(ctx, Stage.SOURCE, SourceTraining.method());
      Map<String, Object> metrics = SourceTraining.run(ctx, tasks, h, options.out);
      line.put("bench", "train");
      line.put("backbone", ctx.backbone().id());
      line.put("task", tasks.get(0).name());
      line.putAll(h.saved());
      line.put("wall_s", round((System.nanoTime() - t0) / 1e9));
      line.putAll(throughput(dir.resolve(Trainer.LOG)));
      // the run's own training figures are in its metrics (train_seconds, peak_rss_mb); this is the
      // whole process's peak, model loading and the final dev/test evaluation included
      line.put("process_peak_rss_mib", round(NativeMemory.peakResidentBytes() / 1048576.0));
      line.put("live_arrays_after", NativeMemory.liveArrays());
      Object scores = metrics.get(tasks.get(0).name());
      if (scores instanceof Map<?, ?> m) {
        line.put("steps", m.get("steps")); // the steps taken (--epochs resolves per run)
        line.put("train_seconds", m.get("train_seconds"));
        line.put("train_peak_rss_mib", m.get("peak_rss_mb"));
      }
      line.put("scores", scores);
    }
    BenchRecord.print("train", line, record);
    return 0;
  }

  /** Medians over the train log's windows, the first (warm-up) left out when there are others. */
  static Map<String, Object> throughput(Path log) {
    List<Double> tokens = new ArrayList<>();
    List<Double> examples = new ArrayList<>();
    try {
      for (String l : Files.readAllLines(log)) {
        JsonNode n = Json.LENIENT.readTree(l);
        if (n.has("tokens_per_s")) {
          tokens.add(n.get("tokens_per_s").asDouble());
          examples.add(n.get("examples_per_s").asDouble());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tokens_per_s", round(median(tokens)));
    out.put("examples_per_s", round(median(examples)));
    out.put("windows", tokens.size());
    return out;
  }

  /** The median of the windows after the first (warm-up), or of the only one. */
  private static double median(List<Double> xs) {
    return Timing.median(xs.size() > 1 ? xs.subList(1, xs.size()) : xs);
  }

  static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }
}
