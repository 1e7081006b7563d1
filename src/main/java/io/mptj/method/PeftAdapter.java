package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Devices;
import io.mptj.engine.Json;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Saves and loads prompt modules in PEFT's adapter layout: {@code adapter_config.json} plus {@code
 * adapter_model.safetensors} holding exactly {@code prompt_embeddings} (vanilla PT), or {@code
 * prompt_embeddings}, {@code prefix_task_cols} and {@code prefix_task_rows} (MPT), with metadata
 * {@code {"format": "pt"}} and no {@code base_model.} prefix.
 */
public final class PeftAdapter {

  /** Config file name. */
  public static final String CONFIG = "adapter_config.json";

  /** Weights file name. */
  public static final String WEIGHTS = "adapter_model.safetensors";

  private PeftAdapter() {}

  /**
   * Describes the backbone an adapter belongs to.
   *
   * @param taskType PEFT task type ({@code SEQ_2_SEQ_LM} or {@code SEQ_CLS})
   */
  public record Target(String baseModel, String taskType, int numAttentionHeads, int numLayers) {}

  /** Writes a module's adapter into {@code dir} (created if needed); MPT keeps all its tasks. */
  public static void save(Path dir, PromptModule module, Target target) {
    try (NDManager tmp = Devices.newManager()) {
      write(dir, module.adapterConfig(target), module.peftState(tmp));
    }
  }

  /**
   * Writes the folded prompt of one task (for MPT {@code P* ∘ (u_k v_kᵀ)}) as a plain prompt-tuning
   * adapter, for deployment where no support for the method exists.
   */
  public static void saveFolded(Path dir, PromptModule module, int task, Target target) {
    try (NDManager tmp = Devices.newManager()) {
      NDArray prompt = module.taskPrompt(tmp, task);
      AdapterConfig config = promptTuning(module.length(), module.dim(), target);
      write(dir, config, Map.of(PROMPT_KEY, prompt));
    }
  }

  private static void write(Path dir, AdapterConfig config, Map<String, NDArray> tensors) {
    try {
      Files.createDirectories(dir);
      Safetensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
      Json.writeAtomic(dir.resolve(CONFIG), config.peftJson());
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CheckpointException("cannot write adapter to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** PEFT's key of a prompt-tuning adapter's prompt. */
  public static final String PROMPT_KEY = "prompt_embeddings";

  /**
   * A {@code PROMPT_TUNING} config; mptj initialises prompts itself, so {@code prompt_tuning_init}
   * is PEFT's {@code RANDOM}.
   */
  public static AdapterConfig promptTuning(int length, int dim, Target t) {
    return AdapterConfig.of(AdapterConfig.PROMPT_TUNING, t, length, dim, null, null, null);
  }

  /** Reads an adapter's config. */
  public static AdapterConfig readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException("no " + CONFIG + " in " + dir);
    }
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> all = Json.MAPPER.readValue(file.toFile(), Map.class);
      if (all == null) {
        throw new CheckpointException(file + ": not a JSON object");
      }
      return checked(Json.MAPPER.convertValue(all, AdapterConfig.class).withJson(all), file);
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckpointException(
          file + ": " + e.getMessage().lines().findFirst().orElse("unreadable"), e);
    }
  }

  /** A prompt adapter's sizes, checked: positive, and MPT's task count and rank present. */
  private static AdapterConfig checked(AdapterConfig c, Path file) {
    boolean prompt = AdapterConfig.PROMPT_TUNING.equals(c.peftType()) || c.isMultitask();
    if (!prompt) {
      return c;
    }
    require(c.numVirtualTokens() > 0, file, "num_virtual_tokens must be positive");
    require(c.tokenDim() > 0, file, "token_dim must be positive");
    require(
        c.json() == null
            || !c.json().containsKey("num_transformer_submodules")
            || c.numTransformerSubmodules() == 1
            || c.numTransformerSubmodules() == 2,
        file,
        "num_transformer_submodules must be 1 or 2");
    if (c.isMultitask()) {
      require(c.numTasks() != null && c.numTasks() > 0, file, "num_tasks must be positive");
      require(c.numRanks() != null && c.numRanks() > 0, file, "num_ranks must be positive");
    }
    return c;
  }

  private static void require(boolean ok, Path file, String what) {
    if (!ok) {
      throw new CheckpointException(file + ": " + what);
    }
  }

  /**
   * Loads an adapter as a trainable module under {@code parent}.
   *
   * @throws CheckpointException naming the file and tensor when keys or shapes disagree with the
   *     config
   */
  public static PromptModule load(Path dir, NDManager parent) {
    AdapterConfig c = readConfig(dir);
    TuningMethod method = MethodRegistry.forPeftType(c.peftType(), dir.resolve(CONFIG).toString());
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
      return method.load(c, f, parent);
    }
  }

  /**
   * Checks that an adapter file holds exactly PEFT's keys for its type.
   *
   * @throws CheckpointException naming the file, the missing and the unexpected keys
   */
  public static void expectKeys(SafetensorsFile f, Set<String> keys) {
    if (!f.names().equals(keys)) {
      Set<String> extra = new java.util.TreeSet<>(f.names());
      extra.removeAll(keys);
      Set<String> missing = new java.util.TreeSet<>(keys);
      missing.removeAll(f.names());
      throw new CheckpointException(
          f.path()
              + ": adapter keys differ from PEFT's: missing "
              + missing
              + ", unexpected "
              + extra);
    }
  }

  /** Tensors of an adapter file by key, for inspection. */
  public static Map<String, long[]> shapes(Path dir) {
    try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
      Map<String, long[]> out = new HashMap<>();
      f.names().forEach(n -> out.put(n, f.info(n).shape()));
      return out;
    }
  }
}
