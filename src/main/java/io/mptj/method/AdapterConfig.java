package io.mptj.method;

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
    @JsonProperty("prompt_tuning_init_state_dict_path") String promptTuningInitStateDictPath) {

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
    return new AdapterConfig(
        peftType,
        t.taskType(),
        t.baseModel(),
        length,
        dim,
        1,
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
        null);
  }

  /** Whether this is an MPT adapter. */
  public boolean isMultitask() {
    return MULTITASK.equals(peftType);
  }
}
