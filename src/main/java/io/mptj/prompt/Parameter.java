package io.mptj.prompt;

import ai.djl.ndarray.NDArray;

/**
 * A trainable tensor with the optimizer group it belongs to.
 *
 * @param name a stable name, used in checkpoints (e.g. {@code prompt_embeddings})
 * @param array the tensor, with gradients attached, owned by its module's manager
 * @param group which learning rate applies
 */
public record Parameter(String name, NDArray array, Group group) {

  /** Optimizer groups: the paper trains shared and task-specific parts at different rates. */
  public enum Group {
    /** A prompt matrix: the shared P* of MPT, or a vanilla prompt. */
    SHARED,
    /** MPT's task vectors u, v. */
    TASK,
    /** A task head of an encoder backbone. */
    HEAD
  }

  /** Number of scalars. */
  public long size() {
    return array.size();
  }
}
