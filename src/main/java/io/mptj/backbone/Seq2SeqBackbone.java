package io.mptj.backbone;

import ai.djl.ndarray.NDArray;

/**
 * An encoder-decoder (T5 family) with a language-model head. Prompts go to the encoder only, as in
 * the MPT paper and ATTEMPT.
 */
public non-sealed interface Seq2SeqBackbone extends Backbone {

  /** Padding token id (also the label id ignored as -100 is mapped to before decoding). */
  int padTokenId();

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
   * Decoder outputs.
   *
   * @param logits (B, S, V)
   * @param lastHiddenState (B, S, d), after the final norm and before the LM head
   */
  record DecoderOutput(NDArray logits, NDArray lastHiddenState) {}
}
