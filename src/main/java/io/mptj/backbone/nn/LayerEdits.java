package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;

/**
 * How a tuning method changes a frozen backbone inside its forward pass: the hook of methods that
 * act on the layers rather than on the input (LoRA on named projections, Houlsby adapters after the
 * sub-layers, BitFit's bias offsets, full fine-tuning's trainable copies). A backbone calls each
 * hook where it would use the frozen layer; {@link #NONE} leaves every layer as it is. Names are
 * the Hugging Face module paths (e.g. {@code encoder.layer.0.attention.self.query}; a fused
 * projection is named by its parts joined with {@code +}, see {@link Linear#parts()}).
 *
 * <p>An instance is made per batch by the method's module (so it may gather per-row, per-task
 * parameters by the batch's task ids) and must not be kept beyond it.
 */
public interface LayerEdits {

  /** No change: every hook returns the frozen layer's own output. */
  LayerEdits NONE = new LayerEdits() {};

  /**
   * A dense layer's output.
   *
   * @param layer the frozen layer
   * @param x (B, T, in)
   * @return (B, T, out), in {@code x}'s manager
   */
  default NDArray linear(Linear layer, NDArray x) {
    return layer.apply(x);
  }

  /**
   * A LayerNorm's output.
   *
   * @param norm the frozen norm
   * @param x (B, T, d)
   * @return (B, T, d)
   */
  default NDArray norm(LayerNorm norm, NDArray x) {
    return norm.apply(x);
  }

  /**
   * An RMS norm's output (T5).
   *
   * @param norm the frozen norm
   * @param x (B, T, d)
   * @return (B, T, d)
   */
  default NDArray rmsNorm(RmsNorm norm, NDArray x) {
    return norm.apply(x);
  }

  /**
   * The embedding table to look rows up in.
   *
   * @param name HF tensor name, e.g. {@code embeddings.word_embeddings.weight}
   * @param table (N, d) the frozen table
   * @return (N, d), the frozen table or a trainable replacement
   */
  default NDArray table(String name, NDArray table) {
    return table;
  }

  /**
   * A sub-layer's output before its residual connection (Houlsby et al. 2019 insert adapters here).
   *
   * @param module HF module path of the sub-layer's output projection's parent, e.g. {@code
   *     encoder.layer.0.attention.output} or {@code encoder.layer.0.output}
   * @param out (B, T, d)
   * @return (B, T, d)
   */
  default NDArray sublayer(String module, NDArray out) {
    return out;
  }
}
