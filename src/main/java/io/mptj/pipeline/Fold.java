package io.mptj.pipeline;

import ai.djl.ndarray.NDManager;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.method.AdapterConfig;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.task.bench.TaskRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds one task's MPT prompt {@code P* ∘ (u vᵀ)} into a plain prompt-tuning adapter, for
 * deployment where only vanilla prompt tuning is supported. The output is a run directory of its
 * own (adapter, the task's head, config), so {@code eval} and {@code predict} work on it and give
 * the same predictions.
 */
public final class Fold {
  private Fold() {}

  /**
   * Writes the folded run.
   *
   * @param taskName which of the run's tasks, or null when it has one
   * @return a JSON-ready summary
   */
  public static Map<String, Object> run(Path runDir, String taskName, Path out) {
    if (RunDir.finished(out) || Files.isRegularFile(out.resolve(PeftAdapter.CONFIG))) {
      throw new CheckpointException(out + " already holds a run; choose another --out");
    }
    List<String> tasks = RunDir.tasks(runDir);
    int index = index(tasks, taskName, runDir);
    AdapterConfig adapter = PeftAdapter.readConfig(runDir);
    if (!AdapterConfig.PROMPT_TUNING.equals(adapter.peftType()) && !adapter.isMultitask()) {
      throw new IllegalArgumentException(
          runDir
              + " is a "
              + adapter.peftType()
              + " run: fold turns an MPT (or PT) prompt into a plain prompt, and this method's"
              + " changes (layers, input offsets or input-dependent prompts) would be lost");
    }
    var target =
        new PeftAdapter.Target(
            adapter.baseModel(),
            adapter.taskType(),
            adapter.numAttentionHeads(),
            adapter.numLayers());
    try (NDManager m = Devices.newManager();
        PromptModule prompts = PeftAdapter.load(runDir, m)) {
      PeftAdapter.saveFolded(out, prompts, index, target);
      if (Files.isRegularFile(runDir.resolve(RunDir.HEADS))) {
        RunDir.saveHeads(
            out.resolve(RunDir.HEADS), Adaptation.headOf(RunDir.loadHeads(runDir, m), index, m));
      }
    }
    Map<String, Object> config = new LinkedHashMap<>(RunDir.readMap(runDir.resolve(RunDir.CONFIG)));
    config.put("tasks", List.of(tasks.get(index)));
    config.put("folded_from", runDir.toAbsolutePath().toString());
    RunDir.writeJson(out.resolve(RunDir.CONFIG), config);
    RunDir.writeJson(out.resolve(RunDir.TASKS), List.of(tasks.get(index)));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("out", out.toAbsolutePath().toString());
    summary.put("task", tasks.get(index));
    summary.put("peft_type", AdapterConfig.PROMPT_TUNING);
    summary.put("prompt_shape", PeftAdapter.shapes(out).get(io.mptj.method.pt.SoftPrompt.KEY));
    return summary;
  }

  private static int index(List<String> tasks, String taskName, Path runDir) {
    if (taskName == null) {
      if (tasks.size() != 1) {
        throw new IllegalArgumentException(
            runDir + " holds tasks " + tasks + "; choose one with --task");
      }
      return 0;
    }
    String ref = TaskRegistry.get(taskName).reference();
    int i = tasks.indexOf(ref);
    if (i < 0) {
      throw new IllegalArgumentException(
          taskName + " is not one of " + runDir + "'s tasks " + tasks);
    }
    return i;
  }
}
