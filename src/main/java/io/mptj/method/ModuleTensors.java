package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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

  /** A detached copy of {@code x} owned by {@code target}. */
  public static NDArray detached(NDArray x, NDManager target) {
    NDArray c = x.stopGradient().duplicate();
    c.attach(target);
    return c;
  }

  /** A detached copy of the first task's slice of a per-task tensor (K, ...): (...). */
  public static NDArray firstTask(NDArray perTask, NDManager target) {
    return detached(perTask.get(0), target);
  }
}
