package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

/**
 * The sub-layers T5 is built from, after HF {@code modeling_t5.py}: RMS norm, attention without
 * 1/sqrt(d_kv) scaling, and the (gated) feed-forward block.
 *
 * <p>Every op keeps an activation as its receiver, so results land in the activation's (the step's)
 * manager and never in the weights' manager.
 */
final class T5Layers {

  /** HF's additive mask value, {@code torch.finfo(float32).min}. */
  static final float MASKED = -Float.MAX_VALUE;

  private static final float GELU_TANH_SCALE = (float) Math.sqrt(2.0 / Math.PI);

  private T5Layers() {}

  /**
   * T5 layer norm: {@code w * x / sqrt(mean(x²) + eps)}, no mean subtraction, no bias.
   *
   * @param x (..., d)
   * @param weight (d)
   * @return (..., d)
   */
  static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
    int last = x.getShape().dimension() - 1;
    NDArray variance = x.square().mean(new int[] {last}, true); // (..., 1)
    return x.div(variance.add(eps).sqrt()).mul(weight); // (..., d)
  }

  /**
   * {@code x @ weightᵀ} without copying the (out, in) weight.
   *
   * @param x (..., in)
   * @return (..., out)
   */
  static NDArray linear(NDArray x, NDArray weight) {
    return Linear.linear(x, weight).singletonOrThrow();
  }

  /**
   * Splits the last axis into heads.
   *
   * @param x (B, T, H·dk)
   * @return (B, H, T, dk), a view where the layout allows
   */
  static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /**
   * Joins heads back into the last axis.
   *
   * @param x (B, H, T, dk)
   * @return (B, T, H·dk)
   */
  static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  /**
   * Unscaled dot-product attention: {@code softmax(q kᵀ + bias) v}, as T5 folds the scaling into
   * its initialisation.
   *
   * @param q (B, H, T, dk)
   * @param k (B, H, Tk, dk)
   * @param v (B, H, Tk, dk)
   * @param bias broadcastable to (B, H, T, Tk): position bias plus the additive mask
   * @return (B, H, T, dk)
   */
  static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias) {
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(bias); // (B, H, T, Tk)
    NDArray probs = scores.softmax(3); // (B, H, T, Tk)
    return probs.matMul(v); // (B, H, T, dk)
  }

  /**
   * Looks up T5's relative-position bias for a table of buckets.
   *
   * @param owner any array of the step, whose manager receives the result
   * @param buckets (T, Tk) row-major bucket ids from {@link RelativePositionBuckets}
   * @param table (buckets, H) block 0's {@code relative_attention_bias}
   * @return (1, H, T, Tk)
   */
  static NDArray positionBias(NDArray owner, long[] buckets, int queries, int keys, NDArray table) {
    NDArray ids = owner.getManager().create(buckets, new Shape(queries, keys)); // (T, Tk)
    NDArray bias =
        Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow(); // (T,Tk,H)
    return bias.transpose(2, 0, 1).expandDims(0); // (1, H, T, Tk)
  }

  /**
   * The same array laid out contiguously (a copy only when it is not), so that repeated matmuls
   * against it do not each copy it.
   */
  static NDArray contiguous(NDArray x) {
    return x.flatten().reshape(x.getShape());
  }

  /**
   * Turns a 1/0 padding mask into HF's additive key mask {@code (1 - m) · finfo.min}.
   *
   * @param mask (B, Tk), any numeric type
   * @return (B, 1, 1, Tk) float32
   */
  static NDArray additiveKeyMask(NDArray mask) {
    Shape s = mask.getShape();
    NDArray m = mask.toType(DataType.FLOAT32, false); // (B, Tk)
    return m.neg().add(1f).mul(MASKED).reshape(s.get(0), 1, 1, s.get(1)); // (B, 1, 1, Tk)
  }

  /**
   * The feed-forward block: {@code wo(act(wi x))}, or {@code wo(act(wi_0 x) * wi_1 x)} when gated
   * (one GEMM over the fused {@code wi_0|wi_1} rows).
   *
   * @param x (B, T, d), already normed
   * @return (B, T, d)
   */
  static NDArray feedForward(NDArray x, T5Weights.FeedForward w, T5Config config) {
    NDArray h = linear(x, w.wi()); // (B, T, F) or (B, T, 2F)
    if (config.gatedActivation()) {
      NDList gateAndLinear = h.split(2, 2); // (B, T, F) views
      h = activate(gateAndLinear.get(0), config.activation()).mul(gateAndLinear.get(1)); // (B,T,F)
    } else {
      h = activate(h, config.activation()); // (B, T, F)
    }
    return linear(h, w.wo()); // (B, T, d)
  }

  /** Applies an HF activation elementwise. */
  static NDArray activate(NDArray x, T5Config.Activation activation) {
    return switch (activation) {
      case RELU -> Activation.relu(x);
      case GELU -> Activation.gelu(x);
      case GELU_NEW -> geluTanh(x);
      case SILU -> x.mul(Activation.sigmoid(x));
    };
  }

  /**
   * HF {@code NewGELUActivation}: {@code 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))}, evaluated
   * in HF's order.
   */
  static NDArray geluTanh(NDArray x) {
    NDArray inner = x.add(x.pow(3f).mul(0.044715f)).mul(GELU_TANH_SCALE);
    return x.mul(0.5f).mul(inner.tanh().add(1f));
  }
}
