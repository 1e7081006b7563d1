package io.mptj.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outputs of the frozen teacher prompts, computed once per training example and kept on the host.
 *
 * <p>The teachers never change during distillation, so a training example's teacher pass is the
 * same every time it is drawn; the cache runs the teacher only for examples it has not seen yet,
 * batched.
 */
public final class TeacherCache {

  private final TaskModel teacher;
  private final long padId;
  private final Map<Long, TeacherOutput> cache = new HashMap<>();
  private long teacherPasses;

  /** A cache over {@code teacher} (whose task indices match the student's). */
  public TeacherCache(TaskModel teacher, long padId) {
    this.teacher = teacher;
    this.padId = padId;
  }

  /**
   * Teacher outputs for every example of the batch, in batch order; call outside a gradient
   * collector.
   */
  public List<TeacherOutput> lookup(Batch batch) {
    Map<Long, Instance> missing = new LinkedHashMap<>();
    for (Instance x : batch.instances()) {
      long key = key(x);
      if (!cache.containsKey(key)) {
        missing.putIfAbsent(key, x);
      }
    }
    if (!missing.isEmpty()) {
      compute(new ArrayList<>(missing.values()), batch.ids().getManager());
    }
    List<TeacherOutput> out = new ArrayList<>(batch.size());
    for (Instance x : batch.instances()) {
      out.add(cache.get(key(x)));
    }
    return out;
  }

  private void compute(List<Instance> instances, NDManager parent) {
    try (NDManager m = parent.newSubManager();
        NDScope scope = new NDScope()) {
      Batch sub = Batch.collate(instances, m, padId);
      List<TeacherOutput> outs = teacher.summarize(sub, teacher.forward(sub));
      for (int i = 0; i < instances.size(); i++) {
        cache.put(key(instances.get(i)), outs.get(i));
      }
      teacherPasses += instances.size();
    }
  }

  private static long key(Instance x) {
    return ((long) x.task() << 32) | (x.index() & 0xffffffffL);
  }

  /** How many example passes the teacher has run (each training example at most once). */
  public long teacherPasses() {
    return teacherPasses;
  }

  /** Number of cached examples. */
  public int size() {
    return cache.size();
  }
}
