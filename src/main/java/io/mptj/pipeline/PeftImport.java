package io.mptj.pipeline;

import io.mptj.backbone.BackboneFamilies;
import io.mptj.backbone.BackboneFamily;
import io.mptj.backbone.Backbones;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Json;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodRegistry;
import io.mptj.method.PeftAdapter;
import io.mptj.method.TuningMethod;
import io.mptj.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mptj adapter import}: an adapter written by Hugging Face PEFT (prompt tuning or MPT, one
 * or two transformer submodules) as a run directory every command accepts. The adapter files are
 * copied unchanged; {@code config.json} records the method PEFT's type maps to, the backbone, the
 * task, the settings (the family's defaults with the adapter's prompt length) and where it came
 * from. Only the adapter and the backbone's {@code config.json} are read, so a base without a
 * tokenizer imports too.
 */
public final class PeftImport {
  private PeftImport() {}

  /**
   * Imports.
   *
   * @param peftDir a PEFT adapter directory ({@code adapter_config.json}, {@code
   *     adapter_model.safetensors})
   * @param backboneDir the base model's directory in Hugging Face layout
   * @param backboneId the id the run records (what {@code --backbone} will be given later)
   * @param tasks the tasks the adapter serves, in PEFT's task-id order (one for prompt tuning;
   *     MPT's {@code num_tasks})
   * @param dataDir the data directory recorded for later commands, or null
   * @return a JSON-ready summary
   */
  public static Map<String, Object> run(
      Path peftDir, Path backboneDir, String backboneId, List<Task> tasks, Path dataDir, Path out) {
    if (Files.exists(out.resolve(RunDir.CONFIG)) || Files.exists(out.resolve(PeftAdapter.CONFIG))) {
      throw new CheckpointException(out + " already holds a run; choose another --out");
    }
    AdapterConfig adapter = PeftAdapter.readConfig(peftDir);
    String where = peftDir.resolve(PeftAdapter.CONFIG).toString();
    TuningMethod method = MethodRegistry.forPeftType(adapter.peftType(), where);
    if (!AdapterConfig.PROMPT_TUNING.equals(adapter.peftType())
        && !AdapterConfig.MULTITASK.equals(adapter.peftType())) {
      throw new CheckpointException(
          where + ": peft_type " + adapter.peftType() + " is not PEFT's prompt tuning or MPT");
    }
    if (!"SEQ_2_SEQ_LM".equals(adapter.taskType())) {
      throw new CheckpointException(
          where
              + ": task_type "
              + adapter.taskType()
              + " — a PEFT prompt adapter carries no classification head, so only seq2seq"
              + " (SEQ_2_SEQ_LM, T5) adapters import; train encoder runs with mptj");
    }
    int k = adapter.isMultitask() ? adapter.numTasks() : 1;
    if (tasks.size() != k) {
      throw new IllegalArgumentException(
          "--task: "
              + where
              + " serves "
              + k
              + " task(s) (PEFT's task ids 0.."
              + (k - 1)
              + "); name them in that order, comma-separated");
    }
    List<String> refs = tasks.stream().map(Task::reference).toList();
    BackboneFamily family =
        BackboneFamilies.forModelType(
            Backbones.modelType(backboneDir), backboneDir.resolve("config.json"));
    int width = modelWidth(backboneDir);
    if (adapter.tokenDim() != width) {
      throw new CheckpointException(
          where
              + ": token_dim "
              + adapter.tokenDim()
              + " does not match "
              + backboneDir
              + "/config.json (d = "
              + width
              + ")");
    }
    StageSettings settings =
        StageSettings.resolve(
            family,
            Stage.ADAPT,
            method,
            SettingsMap.of(
                Map.of("prompt_length", adapter.numVirtualTokens()),
                StageSettings.allKnobs(),
                "import"));
    copyAdapter(peftDir, out);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("stage", "adapt");
    config.put("method", method.name());
    config.put("shots", 0);
    config.put("backbone", backboneId);
    if (dataDir != null) {
      config.put("data_dir", dataDir.toAbsolutePath().toString());
    }
    config.put("tasks", refs);
    config.put("hyper", settings.saved());
    config.put("imported_from", peftDir.toAbsolutePath().toString());
    config.put("peft_type", adapter.peftType());
    config.put("num_transformer_submodules", adapter.numTransformerSubmodules());
    RunDir.writeJson(out.resolve(RunDir.CONFIG), config);
    RunDir.writeJson(out.resolve(RunDir.TASKS), refs);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("out", out.toAbsolutePath().toString());
    summary.put("method", method.name());
    summary.put("tasks", refs);
    summary.put("prompt_length", adapter.numVirtualTokens());
    summary.put("num_transformer_submodules", adapter.numTransformerSubmodules());
    return summary;
  }

  private static void copyAdapter(Path from, Path out) {
    try {
      Files.createDirectories(out);
      for (String f : List.of(PeftAdapter.CONFIG, PeftAdapter.WEIGHTS)) {
        Path src = from.resolve(f);
        if (!Files.isRegularFile(src)) {
          throw new CheckpointException("no " + f + " in " + from);
        }
        Files.copy(src, out.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
      }
    } catch (IOException e) {
      throw new CheckpointException("cannot copy the adapter to " + out + ": " + e.getMessage(), e);
    }
  }

  /** {@code d_model} (T5) or {@code hidden_size} of the base's config.json. */
  private static int modelWidth(Path dir) {
    Path file = dir.resolve("config.json");
    try {
      var json = Json.MAPPER.readTree(file.toFile());
      int d = json.path("d_model").asInt(json.path("hidden_size").asInt(-1));
      if (d <= 0) {
        throw new CheckpointException(file + ": neither d_model nor hidden_size");
      }
      return d;
    } catch (IOException e) {
      throw new CheckpointException(file + ": " + e.getMessage(), e);
    }
  }
}
