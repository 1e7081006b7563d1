package io.mptj.backbone;

import ai.djl.ndarray.NDArray;

/**
 * An encoder-decoder (T5 family) with a language-model head. Prompts go to the encoder only, as in
 * the MPT paper and ATTEMPT.
 */
public non-sealed interface Seq2SeqBackbone extends Backbone {

  /**
   * This backbone with a tuning method's changes to its layers applied in every computation
   * (encode, decode, scoring, generation, embedding): a view for one batch that shares the weights.
   *
   * @throws UnsupportedOperationException when the family cannot apply edits and {@code edits} is
   *     not {@link io.mptj.backbone.nn.LayerEdits#NONE}
   */
  default Seq2SeqBackbone withEdits(io.mptj.backbone.nn.LayerEdits edits) {
    if (edits != io.mptj.backbone.nn.LayerEdits.NONE) {
      throw new UnsupportedOperationException(id() + " cannot apply layer edits");
    }
    return this;
  }

  /** Padding token id (also the label id ignored as -100 is mapped to before decoding). */
  int padTokenId();

  @Override
  default long padId() {
    return padTokenId();
  }

  /** End-of-sequence token id. */
  int eosTokenId();

  /** First token fed to the decoder. */
  int decoderStartTokenId();

  /**
   * Runs the encoder.
   *
   * @param inputsEmbeds (B, L, d) soft prompt then token embeddings, unscaled
   * @param attentionMask (B, L), 1 for real positions, 0 for padding
   * @return encoder last hidden state (B, L, d) after the final norm
   */
  NDArray encode(NDArray inputsEmbeds, NDArray attentionMask);

  /**
   * Runs the decoder with teacher forcing.
   *
   * @param decoderInputIds (B, S) int64
   * @param encoderHidden (B, L, d) from {@link #encode}
   * @param encoderMask (B, L)
   * @return logits (B, S, V) and the decoder's last hidden state (B, S, d)
   */
  DecoderOutput decode(NDArray decoderInputIds, NDArray encoderHidden, NDArray encoderMask);

  /**
   * Runs the decoder with teacher forcing on decoder input embeddings (e.g. a decoder prompt before
   * the embedded shifted labels).
   *
   * @param decoderInputsEmbeds (B, S, d)
   * @param encoderHidden (B, L, d)
   * @param encoderMask (B, L)
   * @return logits (B, S, V) and last hidden state (B, S, d)
   */
  DecoderOutput decodeEmbeds(
      NDArray decoderInputsEmbeds, NDArray encoderHidden, NDArray encoderMask);

  /**
   * HF {@code _shift_right}: the decoder inputs for teacher forcing.
   *
   * @param labels (B, S) integer, -100 where ignored
   * @return (B, S) int64: the start id, then the labels without the last, -100 replaced by pad
   */
  NDArray shiftRight(NDArray labels);

  /**
   * Teacher-forced loss: mean cross-entropy over the label positions that are not -100.
   *
   * @param logits (B, S, V) from {@link #decode}
   * @param labels (B, S) integer
   * @return scalar float32, owned by {@code logits}' manager
   */
  NDArray loss(NDArray logits, NDArray labels);

  /**
   * Greedy decoding (HF {@code generate} with {@code num_beams=1, do_sample=False}): rows that
   * emitted EOS are padded; stops after {@code maxNewTokens} or when every row has finished.
   *
   * @param inputsEmbeds (B, L, d) encoder input embeddings, soft prompt first
   * @param attentionMask (B, L)
   * @return B rows of token ids, each starting with the decoder start id, of equal length ≤ 1 +
   *     maxNewTokens
   */
  long[][] generate(NDArray inputsEmbeds, NDArray attentionMask, int maxNewTokens);

  /**
   * Rank classification: the log-likelihood of each of a fixed set of label sequences as the output
   * for each input.
   *
   * @param inputsEmbeds (B, L, d) encoder input embeddings, soft prompt first
   * @param attentionMask (B, L)
   * @param labelIds C label token sequences, each ending with EOS
   */
  LabelScores scoreLabels(NDArray inputsEmbeds, NDArray attentionMask, long[][] labelIds);

  /**
   * Rank-classification result.
   *
   * @param scores [B][C] sum of the label tokens' log-probabilities
   * @param best [B] index of the highest-scoring label (the first one on ties)
   */
  record LabelScores(float[][] scores, int[] best) {}

  /**
   * Decoder outputs.
   *
   * @param logits (B, S, V)
   * @param lastHiddenState (B, S, d), after the final norm and before the LM head
   */
  record DecoderOutput(NDArray logits, NDArray lastHiddenState) {}
}
