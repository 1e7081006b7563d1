package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.Attention;

/**
 * The decoder's self-attention keys and values of the positions decoded so far, one pair per block,
 * for incremental (greedy) decoding. The arrays belong to the cache's manager; each append frees
 * the pair it replaces, so a long generation holds one pair per block, not one per step.
 */
final class KvCache {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;

  /**
   * @param manager owner of the cached arrays, alive for the whole generation
   * @param blocks number of decoder blocks
   */
  KvCache(NDManager manager, int blocks) {
    this.manager = manager;
    this.keys = new NDArray[blocks];
    this.values = new NDArray[blocks];
  }

  /** Number of cached positions. */
  int length() {
    return keys[0] == null ? 0 : (int) keys[0].getShape().get(2);
  }

  /**
   * Appends new positions to one block's keys and values.
   *
   * @param k (N, H, S, dk) the new positions' keys
   * @param v (N, H, S, dk) the new positions' values
   * @return the block's keys and values over all positions, each (N, H, cached + S, dk)
   */
  NDList append(int block, NDArray k, NDArray v) {
    keys[block] = replace(keys[block], k);
    values[block] = replace(values[block], v);
    return new NDList(keys[block], values[block]);
  }

  private NDArray replace(NDArray old, NDArray fresh) {
    NDArray all = old == null ? Attention.contiguous(fresh) : old.concat(fresh, 2);
    all.attach(manager);
    if (old != null) {
      old.close();
    }
    return all;
  }
}
