package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * A frozen dense layer {@code y = x Wᵀ + b} with an HF {@code (out, in)} weight, named by its HF
 * module path (e.g. {@code encoder.layer.0.attention.self.query}) so that tuning methods acting on
 * named projections can find it. A fused projection is named by its parts joined with {@code +}.
 *
 * @param name HF module path
 * @param weight (out, in)
 * @param bias (out), or {@code null}
 */
public record Linear(String name, NDArray weight, NDArray bias) {

  /** Checks the weight is (out, in) and the bias (out). */
  public Linear {
    if (weight.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          name + ": weight must be (out, in), got " + weight.getShape());
    }
    if (bias != null
        && (bias.getShape().dimension() != 1
            || bias.getShape().get(0) != weight.getShape().get(0))) {
      throw new IllegalArgumentException(
          name + ": bias " + bias.getShape() + " does not match weight " + weight.getShape());
    }
  }

  /** The HF module paths this layer computes: its own name, or each part of a fused projection. */
  public java.util.List<String> parts() {
    return java.util.List.of(name.split("\\+"));
  }

  /** Number of input features. */
  public long in() {
    return weight.getShape().get(1);
  }

  /** Number of output features. */
  public long out() {
    return weight.getShape().get(0);
  }

  /**
   * Applies the layer without copying the weight.
   *
   * @param x (..., in)
   * @return (..., out), in {@code x}'s manager
   */
  public NDArray apply(NDArray x) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  /**
   * The output rows {@code [from, to)} of this layer as a layer of their own (views, no copy), e.g.
   * the query rows of a fused Q|K|V projection.
   */
  public Linear rows(String partName, long from, long to) {
    NDIndex rows = new NDIndex("{}:{}", from, to);
    return new Linear(partName, weight.get(rows), bias == null ? null : bias.get(rows));
  }
}
