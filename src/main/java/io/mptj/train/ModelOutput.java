package io.mptj.train;

import ai.djl.ndarray.NDArray;

/**
 * A forward pass of a prompted backbone, owned by the step's manager.
 *
 * @param logits encoder: (B, C) class logits; seq2seq: (B, S, V) teacher-forced token logits
 * @param hidden (B, d) pooled encoder output
 * @param decoderHidden seq2seq: (B, S, d) decoder last hidden states; null for encoders
 */
public record ModelOutput(NDArray logits, NDArray hidden, NDArray decoderHidden) {}
