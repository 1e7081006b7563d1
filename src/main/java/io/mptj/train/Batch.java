package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A collated batch, right-padded to its longest input (dynamic padding), owned by a step's manager.
 *
 * @param instances the examples in batch order
 * @param taskIds (B) int64
 * @param ids (B, T) int64 token ids
 * @param typeIds (B, T) int64 segment ids
 * @param mask (B, T) int64, 1 for tokens and 0 for padding
 * @param labels (B) int64 class index (0 where there is none, see {@code isRegression})
 * @param targets (B) float32 regression targets (0 where there are none)
 * @param isRegression (B) float32, 1 for regression examples
 * @param labelIds (B, S) int64 seq2seq targets padded with -100, or null for encoders
 */
public record Batch(
    List<Instance> instances,
    NDArray taskIds,
    NDArray ids,
    NDArray typeIds,
    NDArray mask,
    NDArray labels,
    NDArray targets,
    NDArray isRegression,
    NDArray labelIds) {

  /** Batch size B. */
  public int size() {
    return instances.size();
  }

  /** Collates instances into arrays owned by {@code manager}. */
  public static Batch collate(List<Instance> instances, NDManager manager, long padId) {
    int b = instances.size();
    int t = instances.stream().mapToInt(Instance::length).max().orElse(0);
    long[] ids = new long[b * t];
    long[] types = new long[b * t];
    long[] mask = new long[b * t];
    long[] tasks = new long[b];
    long[] labels = new long[b];
    float[] targets = new float[b];
    float[] isReg = new float[b];
    java.util.Arrays.fill(ids, padId);
    for (int i = 0; i < b; i++) {
      Instance x = instances.get(i);
      System.arraycopy(x.ids(), 0, ids, i * t, x.length());
      System.arraycopy(x.typeIds(), 0, types, i * t, x.length());
      java.util.Arrays.fill(mask, i * t, i * t + x.length(), 1L);
      tasks[i] = x.task();
      labels[i] = Math.max(0, x.label());
      boolean reg = !Float.isNaN(x.target());
      targets[i] = reg ? x.target() : 0f;
      isReg[i] = reg ? 1f : 0f;
    }
    Shape bt = new Shape(b, t);
    return new Batch(
        List.copyOf(instances),
        manager.create(tasks),
        manager.create(ids, bt),
        manager.create(types, bt),
        manager.create(mask, bt),
        manager.create(labels),
        manager.create(targets),
        manager.create(isReg),
        labelIds(instances, manager));
  }

  private static NDArray labelIds(List<Instance> instances, NDManager manager) {
    int s = instances.stream().mapToInt(x -> x.targetIds().length).max().orElse(0);
    if (s == 0) {
      return null;
    }
    long[] out = new long[instances.size() * s];
    java.util.Arrays.fill(out, -100L);
    for (int i = 0; i < instances.size(); i++) {
      long[] y = instances.get(i).targetIds();
      System.arraycopy(y, 0, out, i * s, y.length);
    }
    return manager.create(out, new Shape(instances.size(), s));
  }
}
