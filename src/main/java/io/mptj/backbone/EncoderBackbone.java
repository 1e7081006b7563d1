package io.mptj.backbone;

import ai.djl.ndarray.NDArray;

/** A bidirectional encoder (BERT family) whose output feeds a small task head. */
public non-sealed interface EncoderBackbone extends Backbone {

  /**
   * Runs the encoder on input embeddings (soft prompt first, then token embeddings). Position and
   * token-type embeddings are added inside, over the whole (prompt plus tokens) sequence.
   *
   * @param inputsEmbeds (B, L, d) word-level embeddings
   * @param tokenTypeIds (B, L) int64 segment ids, or {@code null} for all zeros
   * @param attentionMask (B, L) int64 or float, 1 for real positions and 0 for padding
   * @return last hidden states (B, L, d)
   */
  NDArray encode(NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask);
}
