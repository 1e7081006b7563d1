package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import io.mptj.engine.Tensors;

/**
 * Elementwise activations of transformer feed-forward blocks, after HF {@code activations.py}
 * ({@code ACT2FN}). None writes its input in place, so each is safe under autograd.
 */
public enum Activation {
  /** {@code max(0, x)} ({@code relu}). */
  RELU,
  /** The exact GELU {@code x Φ(x)} with the erf ({@code gelu}; Hendrycks and Gimpel 2016). */
  GELU,
  /**
   * The tanh approximation of GELU ({@code gelu_new}, {@code gelu_pytorch_tanh}): {@code 0.5 x (1 +
   * tanh(√(2/π) (x + 0.044715 x³)))}, evaluated in HF's {@code NewGELUActivation} order.
   */
  GELU_TANH,
  /** {@code x σ(x)} ({@code silu}, also called swish). */
  SILU;

  private static final float GELU_TANH_SCALE = (float) Math.sqrt(2.0 / Math.PI);

  /**
   * Applies the activation.
   *
   * @param x (...)
   * @return (...), in {@code x}'s manager
   */
  public NDArray apply(NDArray x) {
    return switch (this) {
      case RELU -> x.getNDArrayInternal().relu();
      case GELU -> x.getNDArrayInternal().gelu();
      case GELU_TANH -> geluTanh(x);
      case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
    };
  }

  private static NDArray geluTanh(NDArray x) {
    NDArray inner =
        Tensors.times(
            x.add(Tensors.times(Tensors.power(x, 3), 0.044715)), GELU_TANH_SCALE); // (...)
    return Tensors.times(x, 0.5).mul(Tensors.plus(inner.tanh(), 1)); // (...)
  }
}
