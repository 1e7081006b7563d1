package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.LayerEdits;
import java.util.List;
import java.util.Map;

/**
 * The trainable module of a tuning method that acts on the input embeddings: the soft prompt
 * prepended to a frozen backbone's input, one per example, selected by task id so that one batch
 * can mix tasks. Open: each method under {@code io.mptj.method} brings its own.
 */
public interface PromptModule extends AutoCloseable {

  /** Number of prompt vectors P. */
  int length();

  /** Width d of each vector. */
  int dim();

  /** Number of tasks the module holds prompts for. */
  int numTasks();

  /**
   * Prompts for a batch.
   *
   * @param taskIds (B) int64 task index per example
   * @return (B, P, d), owned by {@code taskIds}' manager, differentiable w.r.t. {@link
   *     #parameters()}
   */
  NDArray forward(NDArray taskIds);

  /**
   * Prompts for a batch that may depend on the input (ATTEMPT mixes source prompts by attention
   * over the pooled input); input-independent methods return {@link #forward(NDArray)}.
   *
   * @param taskIds (B) int64 task index per example
   * @param tokens (B, T, d) the input's token embeddings, as {@link #embedTokens} returned them
   * @param tokenMask (B, T) 1 for tokens, 0 for padding
   * @return (B, P, d)
   */
  default NDArray forward(NDArray taskIds, NDArray tokens, NDArray tokenMask) {
    return forward(taskIds);
  }

  /**
   * Prompt vectors prepended to a seq2seq decoder's inputs in teacher forcing (PEFT's MPT with
   * {@code num_transformer_submodules} = 2, whose stored rows after the encoder prompt are the
   * decoder's); null for none (every other method, and generation, which PEFT runs without them).
   *
   * @return (B, P_dec, d), or null
   */
  default NDArray decoderPrompt(NDArray taskIds) {
    return null;
  }

  /**
   * The module's changes to the frozen backbone's layers for a batch (LoRA, adapters, BitFit, full
   * fine-tuning); prompt methods change none.
   *
   * @param taskIds (B) int64 task index per example
   */
  default LayerEdits edits(NDArray taskIds) {
    return LayerEdits.NONE;
  }

  /**
   * The input token embeddings as this module changes them, before the prompt is prepended: the
   * hook of methods that add an offset to the frozen token embeddings (e.g. DePT's low-rank {@code
   * A·B} over the first positions). Prompt-only methods leave them as they are.
   *
   * @param tokens (B, T, d) frozen token embeddings
   * @param taskIds (B) int64 task index per example
   * @return (B, T, d), owned by {@code tokens}' manager
   */
  default NDArray embedTokens(NDArray tokens, NDArray taskIds) {
    return tokens;
  }

  /**
   * Whether {@link #taskPrompt} is this module's whole effect on an encoder: the prompt depends on
   * the task id alone, and the module changes neither the layers, the token embeddings nor the
   * input's prompt per example. Runs of such modules can be served from one table of folded prompts
   * (vanilla prompts, SPoT, MPT's {@code P* ∘ u vᵀ}, ULPT); false by default.
   */
  default boolean promptOnly() {
    return false;
  }

  /**
   * The prompt of one task as a plain matrix (for MPT the folded {@code P* ∘ (u vᵀ)}).
   *
   * @return (P, d), owned by {@code manager}, detached from the graph
   */
  NDArray taskPrompt(NDManager manager, int task);

  /**
   * Checks that this module, loaded from a file, fits a backbone: a prompt's width is the
   * backbone's d; a layer method's tensors match the layers they change.
   *
   * @param where the file or run named in the error
   * @throws io.mptj.engine.CheckpointException naming what does not fit
   */
  default void checkFits(io.mptj.backbone.Backbone backbone, String where) {
    if (dim() != backbone.hiddenSize()) {
      throw new io.mptj.engine.CheckpointException(
          where
              + ": the adapter's token_dim "
              + dim()
              + " does not match backbone "
              + backbone.id()
              + " (d = "
              + backbone.hiddenSize()
              + ")");
    }
  }

  /** The trainable tensors, with their optimizer groups. */
  List<Parameter> parameters();

  /** Parameters shared by all tasks (P* for MPT; 0 for vanilla prompts). */
  long sharedParameterCount();

  /** Parameters that belong to one task alone (P·d for a vanilla prompt; (P + d)·r for MPT). */
  long taskParameterCount();

  /** The tensors in PEFT's saved layout, by key, as detached copies owned by {@code target}. */
  Map<String, NDArray> peftState(NDManager target);

  /** PEFT's {@code adapter_config.json} for this module on the described backbone. */
  AdapterConfig adapterConfig(PeftAdapter.Target target);

  @Override
  void close();
}
