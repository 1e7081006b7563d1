package io.mptj.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;

/**
 * Deterministic batch sampler over one or more tasks.
 *
 * <p>Each task is read in epochs, each epoch a fresh permutation derived from (seed, task, epoch).
 * With several tasks, batches follow examples-proportional mixing (Raffel et al., 2020) and,
 * optionally, MPT's stochastic task sampling (Wang et al., 2023, §3.2): each batch first draws a
 * number K in [2, S] of tasks, then K distinct tasks with probability proportional to their sizes,
 * and splits the batch among them in proportion to their sizes. Sizes used for mixing may be capped
 * (Raffel et al., 2020: a task counts as at most K examples), so that one large task does not crowd
 * out the others; each task is still read through all of its examples. The whole state is the count
 * of examples consumed per task and the number of batches drawn, so a resumed run continues exactly
 * where it stopped.
 *
 * <p>Length grouping (optional; HF transformers' {@code group_by_length}): batches are drawn in
 * pools of G. Within a pool each batch keeps the task counts it was drawn with, but each task's
 * examples are sorted by input length and dealt out to the pool's batches in order, so a batch
 * holds examples of similar length and dynamic padding pads less; the pool's batches are then
 * returned in a seeded random order. Every example is still read once per epoch, and the task
 * mixing is unchanged. The resumable state is then taken at the start of the current pool (the pool
 * is drawn again on restore, and the batches already returned are skipped).
 */
public final class Sampler {

  private final long seed;
  private final int[] sizes;
  private final int[] rates;
  private final int batchSize;
  private final boolean stochasticTasks;
  private final long[] consumed;
  private long batches;
  private final int groupBatches;
  private final IntBinaryOperator length;
  private long[] consumedAtPool;
  private List<List<Pick>> pool = List.of();

  /**
   * @param sizes training examples per task (each > 0)
   * @param stochasticTasks whether to draw a random subset of tasks per batch (needs 2+ tasks)
   */
  public Sampler(long seed, int[] sizes, int batchSize, boolean stochasticTasks) {
    this(seed, sizes, batchSize, stochasticTasks, 0);
  }

  /**
   * @param mixCap mixing counts a task as at most this many examples (0: no cap)
   */
  public Sampler(long seed, int[] sizes, int batchSize, boolean stochasticTasks, int mixCap) {
    this(seed, sizes, batchSize, stochasticTasks, mixCap, 0, null);
  }

  /**
   * @param groupBatches pool size of length grouping in batches (0 or 1: off)
   * @param length input length of (task, example index); read only when grouping is on
   */
  public Sampler(
      long seed,
      int[] sizes,
      int batchSize,
      boolean stochasticTasks,
      int mixCap,
      int groupBatches,
      IntBinaryOperator length) {
    if (groupBatches > 1 && length == null) {
      throw new IllegalArgumentException("length grouping needs the examples' lengths");
    }
    this.groupBatches = Math.max(1, groupBatches);
    this.length = length;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] <= 0) {
        throw new IllegalArgumentException("task " + i + " has no training examples");
      }
    }
    this.seed = seed;
    this.sizes = sizes.clone();
    this.rates = sizes.clone();
    if (mixCap > 0) {
      for (int i = 0; i < rates.length; i++) {
        rates[i] = Math.min(rates[i], mixCap);
      }
    }
    this.batchSize = batchSize;
    this.stochasticTasks = stochasticTasks && sizes.length > 1;
    this.consumed = new long[sizes.length];
  }

  /** One entry of a batch: task index and example index within that task. */
  public record Pick(int task, int index) {}

  /** The next batch. */
  public List<Pick> next() {
    if (groupBatches == 1) {
      return draw();
    }
    int at = (int) (batches % groupBatches);
    if (at == 0) {
      consumedAtPool = consumed.clone();
      pool = groupedPool();
    }
    batches++;
    return pool.get(at);
  }

  /**
   * Draws the next G batches, deals each task's examples out to them shortest first, and shuffles
   * the batches' order.
   */
  private List<List<Pick>> groupedPool() {
    long first = batches;
    List<List<Pick>> raw = new ArrayList<>(groupBatches);
    for (int b = 0; b < groupBatches; b++) {
      raw.add(draw());
    }
    batches = first;
    for (int t = 0; t < sizes.length; t++) {
      dealSorted(raw, t);
    }
    int[] order = shuffled(groupBatches, new SplittableRandom(mix(seed, 0x600D, first)));
    List<List<Pick>> out = new ArrayList<>(groupBatches);
    for (int b : order) {
      out.add(raw.get(b));
    }
    return out;
  }

  /** Replaces task {@code t}'s picks in the pool's batches by the same picks sorted by length. */
  private void dealSorted(List<List<Pick>> raw, int t) {
    List<Pick> picks = new ArrayList<>();
    raw.forEach(b -> b.stream().filter(p -> p.task() == t).forEach(picks::add));
    Pick[] sorted = picks.toArray(Pick[]::new);
    Arrays.sort(sorted, Comparator.comparingInt(p -> length.applyAsInt(t, p.index())));
    int next = 0;
    for (List<Pick> b : raw) {
      for (int i = 0; i < b.size(); i++) {
        if (b.get(i).task() == t) {
          b.set(i, sorted[next++]);
        }
      }
    }
  }

  private List<Pick> draw() {
    SplittableRandom rng = new SplittableRandom(mix(seed, 0x5EED, batches++));
    int[] counts = allocate(rng);
    List<Pick> out = new ArrayList<>(batchSize);
    for (int t = 0; t < counts.length; t++) {
      for (int i = 0; i < counts[t]; i++) {
        out.add(new Pick(t, take(t)));
      }
    }
    return out;
  }

  private int[] allocate(SplittableRandom rng) {
    int s = sizes.length;
    int[] counts = new int[s];
    if (s == 1) {
      counts[0] = batchSize;
      return counts;
    }
    boolean[] chosen = new boolean[s];
    int k = stochasticTasks ? 2 + rng.nextInt(s - 1) : s;
    for (int c = 0; c < Math.min(k, s); c++) {
      chosen[drawTask(rng, chosen, true)] = true;
    }
    for (int i = 0; i < batchSize; i++) {
      counts[drawTask(rng, chosen, false)]++;
    }
    return counts;
  }

  /**
   * Draws a task proportional to size among the not-yet-chosen ({@code excludeChosen}) or chosen
   * ones.
   */
  private int drawTask(SplittableRandom rng, boolean[] chosen, boolean excludeChosen) {
    double total = 0;
    for (int t = 0; t < sizes.length; t++) {
      if (chosen[t] != excludeChosen) {
        total += rates[t];
      }
    }
    double r = rng.nextDouble() * total;
    int last = -1;
    for (int t = 0; t < sizes.length; t++) {
      if (chosen[t] != excludeChosen) {
        last = t;
        r -= rates[t];
        if (r < 0) {
          return t;
        }
      }
    }
    return last;
  }

  private int take(int task) {
    long c = consumed[task]++;
    int n = sizes[task];
    int[] perm = permutation(task, c / n);
    return perm[(int) (c % n)];
  }

  private int[] cachedPerm;
  private int cachedTask = -1;
  private long cachedEpoch = -1;

  private int[] permutation(int task, long epoch) {
    if (task != cachedTask || epoch != cachedEpoch) {
      cachedPerm = shuffled(sizes[task], new SplittableRandom(mix(seed, task, epoch)));
      cachedTask = task;
      cachedEpoch = epoch;
    }
    return cachedPerm;
  }

  private static int[] shuffled(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  private static long mix(long a, long b, long c) {
    long h = a * 0x9E3779B97F4A7C15L + b;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + c;
    return h ^ (h >>> 29);
  }

  /**
   * Examples consumed per task (the resumable state); with length grouping, at the start of the
   * current pool.
   */
  public long[] consumed() {
    boolean midPool = groupBatches > 1 && batches % groupBatches != 0;
    return midPool ? consumedAtPool.clone() : consumed.clone();
  }

  /** Batches drawn so far. */
  public long batches() {
    return batches;
  }

  /** Restores the state saved from {@link #consumed()} and {@link #batches()}. */
  public void restore(long[] consumedPerTask, long batchesDrawn) {
    if (consumedPerTask.length != consumed.length) {
      throw new IllegalArgumentException(
          "sampler state has " + consumedPerTask.length + " tasks, expected " + consumed.length);
    }
    System.arraycopy(consumedPerTask, 0, consumed, 0, consumed.length);
    batches = batchesDrawn - batchesDrawn % groupBatches;
    long skip = batchesDrawn - batches;
    for (long i = 0; i < skip; i++) {
      next();
    }
  }
}
