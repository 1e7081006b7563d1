package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;

/**
 * The pieces of multi-head dot-product attention (Vaswani et al. 2017, arXiv 1706.03762) every
 * family shares: splitting and merging heads, the additive padding mask, and {@code softmax(q kᵀ +
 * bias) v}.
 */
public final class Attention {

  /**
   * The additive score of a masked key, HF's {@code torch.finfo(float32).min}: large enough that
   * its softmax weight is exactly 0, finite so that a fully masked row stays defined.
   */
  public static final float MASKED = -Float.MAX_VALUE;

  private Attention() {}

  /**
   * Splits the last axis into heads.
   *
   * @param x (B, T, H·dk)
   * @return (B, H, T, dk), a view where the layout allows
   */
  public static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /**
   * Joins heads back into the last axis.
   *
   * @param x (B, H, T, dk)
   * @return (B, T, H·dk)
   */
  public static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  /**
   * Turns a 1/0 padding mask into HF's additive key mask {@code (1 - m) · MASKED}.
   *
   * @param mask (B, Tk), any numeric type, 1 for real positions and 0 for padding
   * @return (B, 1, 1, Tk) float32
   */
  public static NDArray additiveKeyMask(NDArray mask) {
    Shape s = mask.getShape();
    NDArray m = mask.toType(DataType.FLOAT32, false); // (B, Tk)
    return Tensors.times(Tensors.plus(m.neg(), 1), MASKED)
        .reshape(s.get(0), 1, 1, s.get(1)); // (B, 1, 1, Tk)
  }

  /**
   * Dot-product attention {@code softmax(q kᵀ + bias) v}; callers that scale by {@code 1/√dk}
   * (BERT) scale {@code q} first, T5 folds the scaling into its initialisation.
   *
   * @param q (B, H, T, dk)
   * @param k (B, H, Tk, dk)
   * @param v (B, H, Tk, dk)
   * @param bias broadcastable to (B, H, T, Tk): the additive mask, plus any position bias
   * @return (B, H, T, dk)
   */
  public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray bias) {
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(bias); // (B, H, T, Tk)
    NDArray probs = scores.softmax(3); // (B, H, T, Tk)
    return probs.matMul(v); // (B, H, T, dk)
  }

  /**
   * The same array laid out contiguously (a copy only when it is not), so that repeated matmuls
   * against it do not each copy it.
   */
  public static NDArray contiguous(NDArray x) {
    return x.flatten().reshape(x.getShape());
  }
}
