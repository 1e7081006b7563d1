package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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

  /**
   * Rows of {@code table} picked by index, differentiable and bitwise reproducible: with one row it
   * is broadcast, otherwise gathered by a one-hot matrix product. (Advanced indexing would be
   * shorter, but its backward on CPU accumulates repeated indices in a nondeterministic order, so
   * two identical runs drift apart in the last bits and then visibly.)
   *
   * @param table (K, ...) e.g. per-task prompts
   * @param ids (B) int64 row per example
   * @return (B, ...) owned by {@code ids}' manager
   */
  public static NDArray rows(NDArray table, NDArray ids) {
    NDManager step = ids.getManager();
    Shape shape = table.getShape();
    long b = ids.getShape().get(0);
    long k = shape.get(0);
    Shape out = new Shape(b).addAll(shape.slice(1));
    NDArray picked;
    if (k == 1) {
      picked = table.broadcast(out); // (B, ...)
    } else {
      NDArray oneHot = ids.oneHot((int) k, DataType.FLOAT32); // (B, K)
      picked = oneHot.matMul(table.reshape(k, -1)).reshape(out); // (B, ...)
    }
    if (picked.getManager() != step) {
      picked.attach(step);
    }
    return picked;
  }

  /** Sets every element to zero in place (NaN and infinity included, unlike {@code x - x}). */
  public static void zero(NDArray target) {
    target.set(new NDIndex("..."), 0);
  }

  /** Overwrites a float32 tensor's values in place from a host array of the same size. */
  public static void assign(NDArray target, float[] values) {
    try (NDArray src = target.getManager().create(values, target.getShape())) {
      assign(target, src);
    }
  }

  /**
   * Inverted dropout at {@code rate} while gradients are recorded (inside a gradient collector,
   * i.e. a training step), the identity otherwise (evaluation, prediction) and when {@code rate} is
   * 0.
   */
  public static NDArray dropoutWhileTraining(NDArray x, double rate) {
    if (rate == 0 || !ai.djl.pytorch.jni.JniUtils.isGradMode()) {
      return x;
    }
    return x.getNDArrayInternal().dropout(x, (float) rate, true).singletonOrThrow();
  }
}
