package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Small tensor utilities at the DJL boundary.
 *
 * <p><b>Arithmetic with a number goes through {@link #times}, {@link #plus}, {@link #over}, {@link
 * #power} and {@link #atLeast}, never through DJL's {@code NDArray.mul(Number)} and the like.</b>
 * DJL wraps the number in a 0-d tensor whose storage is a Java direct buffer ({@code from_blob})
 * and closes it as soon as the op returns; the buffer is then garbage, and the JVM frees it when it
 * likes. Autograd keeps the tensor for the backward wherever the op's derivative needs it (a
 * product needs its other factor, a power its exponent, a maximum its bound), so a backward that
 * runs after that free reads whatever the memory then holds: a finite loss with a NaN, infinite or
 * 10^15 gradient, now and then (issue 13; {@code ScalarLifetimeTest} makes it happen every time).
 * These helpers make the number with {@code full}, in memory PyTorch owns and counts references to.
 * In-place updates outside the autograd graph (the optimizer's) read the number at once and are
 * safe either way.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * {@code v} as a 0-d tensor of {@code like}'s type in {@code like}'s manager, in memory PyTorch
   * owns (so an autograd graph may keep it).
   */
  public static NDArray scalar(NDArray like, double v) {
    return like.getManager().full(new Shape(), (float) v, like.getDataType());
  }

  /** {@code x · c}, safe to differentiate (see the class comment). */
  public static NDArray times(NDArray x, double c) {
    return x.mul(scalar(x, c));
  }

  /** {@code x + c}. */
  public static NDArray plus(NDArray x, double c) {
    return x.add(scalar(x, c));
  }

  /** {@code x / c}. */
  public static NDArray over(NDArray x, double c) {
    return x.div(scalar(x, c));
  }

  /** {@code x ^ c}. */
  public static NDArray power(NDArray x, double c) {
    return x.pow(scalar(x, c));
  }

  /** {@code max(x, c)} elementwise. */
  public static NDArray atLeast(NDArray x, double c) {
    return x.maximum(scalar(x, c));
  }

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
