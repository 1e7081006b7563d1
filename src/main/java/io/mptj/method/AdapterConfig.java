package io.mptj.method;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * PEFT's {@code adapter_config.json} for prompt tuning ({@code PromptTuningConfig}) and multitask
 * prompt tuning ({@code MultitaskPromptTuningConfig}), with PEFT's own key names so that PEFT can
 * load what mptj saves. Prompts are encoder-side only, so {@code num_transformer_submodules} is 1.
 *
 * @param peftType {@code PROMPT_TUNING} or {@code MULTITASK_PROMPT_TUNING}
 * @param taskType {@code SEQ_2_SEQ_LM} for T5, {@code SEQ_CLS} for encoders with a head
 * @param numRanks rank r (MPT only)
 * @param numTasks number of (u, v) pairs (MPT only)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdapterConfig(
    @JsonProperty("peft_type") String peftType,
    @JsonProperty("task_type") String taskType,
    @JsonProperty("base_model_name_or_path") String baseModel,
    @JsonProperty("num_virtual_tokens") int numVirtualTokens,
    @JsonProperty("token_dim") int tokenDim,
    @JsonProperty("num_transformer_submodules") int numTransformerSubmodules,
    @JsonProperty("num_attention_heads") int numAttentionHeads,
    @JsonProperty("num_layers") int numLayers,
    @JsonProperty("prompt_tuning_init") String promptTuningInit,
    @JsonProperty("prompt_tuning_init_text") String promptTuningInitText,
    @JsonProperty("tokenizer_name_or_path") String tokenizerNameOrPath,
    @JsonProperty("inference_mode") boolean inferenceMode,
    @JsonProperty("revision") String revision,
    @JsonProperty("num_ranks") Integer numRanks,
    @JsonProperty("num_tasks") Integer numTasks,
    @JsonProperty("prompt_tuning_init_task") Integer promptTuningInitTask,
    @JsonProperty("prompt_tuning_init_state_dict_path") String promptTuningInitStateDictPath,
    @JsonIgnore java.util.Map<String, Object> json) {

  /** Keeps {@code json}, the file's every key, immutable (null for a config built in code). */
  public AdapterConfig {
    json =
        json == null ? null : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(json));
  }

  /**
   * The config of a method whose PEFT config class is not prompt tuning's (LoRA, or a method PEFT
   * lacks): {@code json} is the whole file, written as it is.
   */
  public static AdapterConfig custom(
      String peftType, PeftAdapter.Target t, java.util.Map<String, Object> json) {
    java.util.Map<String, Object> all = new java.util.TreeMap<>(json);
    all.put("peft_type", peftType);
    all.putIfAbsent("task_type", t.taskType());
    all.putIfAbsent("base_model_name_or_path", t.baseModel());
    all.putIfAbsent("inference_mode", true);
    all.putIfAbsent("revision", null);
    return new AdapterConfig(
        peftType,
        t.taskType(),
        t.baseModel(),
        0,
        0,
        1,
        t.numAttentionHeads(),
        t.numLayers(),
        null,
        null,
        null,
        true,
        null,
        null,
        null,
        null,
        null,
        all);
  }

  /** This config with the file's every key, as read. */
  public AdapterConfig withJson(java.util.Map<String, Object> file) {
    return new AdapterConfig(
        peftType,
        taskType,
        baseModel,
        numVirtualTokens,
        tokenDim,
        numTransformerSubmodules,
        numAttentionHeads,
        numLayers,
        promptTuningInit,
        promptTuningInitText,
        tokenizerNameOrPath,
        inferenceMode,
        revision,
        numRanks,
        numTasks,
        promptTuningInitTask,
        promptTuningInitStateDictPath,
        file);
  }

  /**
   * A key of the file, for methods with their own config keys.
   *
   * @throws io.mptj.engine.CheckpointException naming the key when it is missing
   */
  public Object require(String key) {
    if (json == null || !json.containsKey(key)) {
      throw new io.mptj.engine.CheckpointException(
          PeftAdapter.CONFIG + " of a " + peftType + " adapter has no '" + key + "'");
    }
    return json.get(key);
  }

  /** PEFT's type name for vanilla prompt tuning. */
  public static final String PROMPT_TUNING = "PROMPT_TUNING";

  /** PEFT's type name for multitask prompt tuning. */
  public static final String MULTITASK = "MULTITASK_PROMPT_TUNING";

  /**
   * A config as mptj writes it: encoder-side prompts ({@code num_transformer_submodules} 1),
   * initialised by mptj itself (PEFT's {@code RANDOM}), for inference.
   *
   * @param numRanks MPT's rank r, or null
   * @param numTasks MPT's number of task vector pairs, or null
   * @param initTask MPT's {@code prompt_tuning_init_task}, or null
   */
  public static AdapterConfig of(
      String peftType,
      PeftAdapter.Target t,
      int length,
      int dim,
      Integer numRanks,
      Integer numTasks,
      Integer initTask) {
    return of(peftType, t, length, 1, dim, numRanks, numTasks, initTask);
  }

  /**
   * As {@link #of(String, PeftAdapter.Target, int, int, Integer, Integer, Integer)} with PEFT's
   * {@code num_transformer_submodules} (2: the stored prompt holds the decoder's rows after the
   * encoder's {@code length}).
   */
  public static AdapterConfig of(
      String peftType,
      PeftAdapter.Target t,
      int length,
      int submodules,
      int dim,
      Integer numRanks,
      Integer numTasks,
      Integer initTask) {
    return new AdapterConfig(
        peftType,
        t.taskType(),
        t.baseModel(),
        length,
        dim,
        submodules,
        t.numAttentionHeads(),
        t.numLayers(),
        "RANDOM",
        null,
        null,
        true,
        null,
        numRanks,
        numTasks,
        initTask,
        null,
        null);
  }

  /**
   * The file's content with exactly the keys of PEFT's config class for the type ({@code
   * PromptTuningConfig} or {@code MultitaskPromptTuningConfig}, as PEFT 0.7.1 writes them — see
   * {@code ../shared/fixtures/peft}), in PEFT's (sorted) order: a prompt-tuning adapter carries no
   * MPT keys, which PEFT versions before 0.14 reject. Another type (a plug-in method's) keeps every
   * key.
   */
  public java.util.SortedMap<String, Object> peftJson() {
    if (json != null && !PROMPT_TUNING.equals(peftType) && !MULTITASK.equals(peftType)) {
      return new java.util.TreeMap<>(json);
    }
    java.util.SortedMap<String, Object> m = new java.util.TreeMap<>();
    m.put("auto_mapping", null);
    m.put("base_model_name_or_path", baseModel);
    m.put("inference_mode", inferenceMode);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("num_layers", numLayers);
    m.put("num_transformer_submodules", numTransformerSubmodules);
    m.put("num_virtual_tokens", numVirtualTokens);
    m.put("peft_type", peftType);
    m.put("prompt_tuning_init", promptTuningInit);
    m.put("prompt_tuning_init_text", promptTuningInitText);
    m.put("revision", revision);
    m.put("task_type", taskType);
    m.put("token_dim", tokenDim);
    m.put("tokenizer_kwargs", null);
    m.put("tokenizer_name_or_path", tokenizerNameOrPath);
    if (!PROMPT_TUNING.equals(peftType)) { // MPT's keys; a plug-in method's type keeps them too
      m.put("num_ranks", numRanks);
      m.put("num_tasks", numTasks);
      m.put("prompt_tuning_init_state_dict_path", promptTuningInitStateDictPath);
      m.put("prompt_tuning_init_task", promptTuningInitTask);
    }
    return m;
  }

  /** Whether this is an MPT adapter. */
  public boolean isMultitask() {
    return MULTITASK.equals(peftType);
  }
}
