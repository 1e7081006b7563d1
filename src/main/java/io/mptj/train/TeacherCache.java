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
 * same every time it is drawn. {@link #prefill} runs it once, before training, for every example
 * the run will draw, in length-sorted chunks without gradients (cheaper than inside the
 * mixed-length training batches, and out of the step); {@link #lookup} computes anything still
 * missing on demand.
 */
public final class TeacherCache {

  private final TaskModel teacher;
  private final long padId;
  private final Map<Long, TeacherOutput> cache = new HashMap<>();
  private long teacherPasses;
  private final List<List<Long>> passes = new ArrayList<>();

  /** Examples per teacher pass of {@link #prefill}. */
  static final int PREFILL_CHUNK = 64;

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

  /**
   * Computes the teacher outputs of every example in {@code runDraws} from draw {@code firstNeeded}
   * on. The chunks are fixed by the whole run's draws (distinct examples sorted by length, then by
   * task and index), not by where the run starts, so a resumed run computes each output in the same
   * chunk, and to the same bits, as an uninterrupted one; a chunk holding none of the needed
   * examples is skipped.
   *
   * @param runDraws every example the run draws, from its first step, in draw order
   * @param firstNeeded index in {@code runDraws} of the first draw still to train on
   * @return number of example passes run
   */
  public long prefill(List<Instance> runDraws, int firstNeeded, NDManager parent) {
    Map<Long, Instance> distinct = new LinkedHashMap<>();
    runDraws.forEach(x -> distinct.putIfAbsent(key(x), x));
    java.util.Set<Long> needed = new java.util.HashSet<>();
    for (Instance x : runDraws.subList(firstNeeded, runDraws.size())) {
      if (!cache.containsKey(key(x))) {
        needed.add(key(x));
      }
    }
    List<Instance> sorted = new ArrayList<>(distinct.values());
    sorted.sort(
        java.util.Comparator.comparingInt(Instance::length).thenComparingLong(TeacherCache::key));
    long before = teacherPasses;
    for (int start = 0; start < sorted.size(); start += PREFILL_CHUNK) {
      List<Instance> chunk = sorted.subList(start, Math.min(sorted.size(), start + PREFILL_CHUNK));
      if (chunk.stream().anyMatch(x -> needed.contains(key(x)))) {
        compute(chunk, parent);
      }
    }
    return teacherPasses - before;
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
      passes.add(instances.stream().map(TeacherCache::key).toList());
    }
  }

  private static long key(Instance x) {
    return ((long) x.task() << 32) | (x.index() & 0xffffffffL);
  }

  /** How many example passes the teacher has run (each training example at most once). */
  public long teacherPasses() {
    return teacherPasses;
  }

  /** The examples (task and index keys) of each teacher pass so far, in order. */
  List<List<Long>> passes() {
    return passes;
  }

  /** Number of cached examples. */
  public int size() {
    return cache.size();
  }
}
