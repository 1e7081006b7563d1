package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import io.mptj.engine.Tensors;

/**
 * Root-mean-square norm (Zhang and Sennrich 2019, arXiv 1910.07467), T5's {@code T5LayerNorm}:
 * {@code weight * x / sqrt(mean(x²) + eps)}, no mean subtraction and no bias.
 *
 * @param name HF module path, e.g. {@code encoder.final_layer_norm}
 * @param weight (d)
 * @param eps added to the mean square
 */
public record RmsNorm(String name, NDArray weight, float eps) {

  /**
   * Normalises.
   *
   * @param x (..., d)
   * @return (..., d), in {@code x}'s manager
   */
  public NDArray apply(NDArray x) {
    int last = x.getShape().dimension() - 1;
    NDArray variance = x.square().mean(new int[] {last}, true); // (..., 1)
    return x.div(Tensors.plus(variance, eps).sqrt()).mul(weight); // (..., d)
  }
}
