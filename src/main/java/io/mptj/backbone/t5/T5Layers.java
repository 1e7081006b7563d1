package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.mptj.backbone.nn.LayerEdits;

/**
 * The sub-layers only T5 has, after HF {@code modeling_t5.py}: the relative-position bias lookup
 * and the (gated) feed-forward block. Norms, projections, activations and attention come from
 * {@link io.mptj.backbone.nn}.
 *
 * <p>Every op keeps an activation as its receiver, so results land in the activation's (the step's)
 * manager and never in the weights' manager.
 */
final class T5Layers {

  private T5Layers() {}

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
   * The feed-forward block: {@code wo(act(wi x))}, or {@code wo(act(wi_0 x) * wi_1 x)} when gated
   * (one GEMM over the fused {@code wi_0|wi_1} rows).
   *
   * @param x (B, T, d), already normed
   * @return (B, T, d)
   */
  static NDArray feedForward(
      NDArray x, T5Weights.FeedForward w, T5Config config, LayerEdits edits) {
    NDArray h = edits.linear(w.wi(), x); // (B, T, F) or (B, T, 2F)
    if (config.gatedActivation()) {
      NDList gateAndLinear = h.split(2, 2); // (B, T, F) views
      h = config.activation().function().apply(gateAndLinear.get(0)).mul(gateAndLinear.get(1));
    } else {
      h = config.activation().function().apply(h); // (B, T, F)
    }
    return edits.linear(w.wo(), h); // (B, T, d)
  }
}
