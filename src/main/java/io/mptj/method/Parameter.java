package io.mptj.method;

import ai.djl.ndarray.NDArray;

/**
 * A trainable tensor with the optimizer group it belongs to.
 *
 * <p>Groups are named by whoever owns the tensor (a tuning method declares its groups and their
 * learning rates in {@link MethodConfig#learningRates()}; encoder heads use {@link #HEAD_GROUP}),
 * so a new method brings its own groups without touching the optimizer.
 *
 * @param name a stable name, used in checkpoints (e.g. {@code prompt_embeddings})
 * @param array the tensor, with gradients attached, owned by its module's manager
 * @param group the name of the learning-rate group that applies
 */
public record Parameter(String name, NDArray array, String group) {

  /** The group of encoder task heads. */
  public static final String HEAD_GROUP = "head";

  public Parameter {
    if (name == null || name.isBlank() || group == null || group.isBlank()) {
      throw new IllegalArgumentException("a parameter needs a name and a group");
    }
  }

  /** Number of scalars. */
  public long size() {
    return array.size();
  }
}
