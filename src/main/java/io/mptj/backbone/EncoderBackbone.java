package io.mptj.backbone;

import ai.djl.ndarray.NDArray;
import io.mptj.backbone.nn.LayerEdits;

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

  /**
   * As {@link #encode(NDArray, NDArray, NDArray)}, with a tuning method's changes to the layers
   * applied inside the forward (LoRA, adapters, BitFit, full fine-tuning).
   *
   * @throws UnsupportedOperationException when the encoder cannot apply edits and {@code edits} is
   *     not {@link LayerEdits#NONE}
   */
  default NDArray encode(
      NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask, LayerEdits edits) {
    if (edits != LayerEdits.NONE) {
      throw new UnsupportedOperationException(id() + " cannot apply layer edits");
    }
    return encode(inputsEmbeds, tokenTypeIds, attentionMask);
  }

  /**
   * Token embeddings looked up in the word-embedding table as {@code edits} supplies it (full
   * fine-tuning trains a copy).
   *
   * @param tokenIds (B, T) int64
   * @return (B, T, d)
   */
  default NDArray embed(NDArray tokenIds, LayerEdits edits) {
    if (edits != LayerEdits.NONE) {
      throw new UnsupportedOperationException(id() + " cannot apply layer edits");
    }
    return embed(tokenIds);
  }
}
