package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;

/**
 * LayerNorm over the last axis (Ba et al. 2016, arXiv 1607.06450): {@code (x - mean) / sqrt(var +
 * eps) * weight + bias}, as {@code torch.nn.LayerNorm}.
 *
 * @param name HF module path, e.g. {@code embeddings.LayerNorm}
 * @param weight (d)
 * @param bias (d)
 * @param eps added to the variance
 */
public record LayerNorm(String name, NDArray weight, NDArray bias, float eps) {

  /**
   * Normalises.
   *
   * @param x (..., d)
   * @return (..., d), in {@code x}'s manager
   */
  public NDArray apply(NDArray x) {
    return x.getNDArrayInternal()
        .layerNorm(x, weight.getShape(), weight, bias, eps)
        .singletonOrThrow();
  }
}
