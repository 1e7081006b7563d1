package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

/** Small tensor utilities at the DJL boundary. */
public final class Tensors {
  private Tensors() {}

  /**
   * Overwrites {@code target}'s values in place with {@code source}'s (same shape), keeping its
   * identity and gradient flag. Goes through PyTorch's {@code index_put_} rather than DJL's {@code
   * set(Buffer)}, whose native side uses a deprecated guard that prints a warning.
   */
  public static void assign(NDArray target, NDArray source) {
    if (!target.getShape().equals(source.getShape())) {
      throw new IllegalArgumentException(
          "cannot assign " + source.getShape() + " to " + target.getShape());
    }
    target.set(new NDIndex("..."), source);
  }

  /**
   * A detached copy of {@code a} (own storage, no gradient history) owned by {@code target},
   * whatever manager {@code a} belongs to; nothing else is left behind.
   */
  public static NDArray copyTo(NDManager target, NDArray a) {
    try (NDScope scope = new NDScope()) {
      NDArray copy = a.stopGradient().duplicate();
      NDScope.unregister(copy);
      copy.attach(target);
      return copy;
    }
  }

  /** Overwrites a float32 tensor's values in place from a host array of the same size. */
  public static void assign(NDArray target, float[] values) {
    try (NDArray src = target.getManager().create(values, target.getShape())) {
      assign(target, src);
    }
  }
}
