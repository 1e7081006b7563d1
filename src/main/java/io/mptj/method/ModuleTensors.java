package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.mptj.engine.Tensors;

/** The copies every module makes of its tensors: trainable ones it owns, detached ones it saves. */
public final class ModuleTensors {
  private ModuleTensors() {}

  /** A copy of {@code initial} owned by {@code owner} that asks for its gradient. */
  public static NDArray trainable(NDArray initial, NDManager owner) {
    NDArray p = initial.duplicate();
    p.attach(owner);
    p.setRequiresGradient(true);
    return p;
  }

  /** A detached copy of {@code x} owned by {@code target} ({@link Tensors#copyTo}). */
  public static NDArray detached(NDArray x, NDManager target) {
    return Tensors.copyTo(target, x);
  }

  /**
   * A detached copy of the first task's slice of a per-task tensor (K, ...): (...); the slice view
   * is freed here, not left in the tensor's manager.
   */
  public static NDArray firstTask(NDArray perTask, NDManager target) {
    try (NDScope scope = new NDScope()) {
      return Tensors.copyTo(target, perTask.get(0));
    }
  }
}
