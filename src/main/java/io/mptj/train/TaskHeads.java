package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The readout of an encoder's pooled output ({@link Readout}), stacked so that a batch can mix
 * tasks: weights (R, C, d) and biases (R, C) with C the largest class count and R the number of
 * tasks ({@link Readout#TASK}, {@link Readout#LABEL}) or 1 ({@link Readout#SHARED}). A task with
 * fewer classes has its extra logits masked out; a regression task uses logit 0 as its prediction.
 * Label heads hold {@code s · e_c / |e_c|} and no trainable parameters.
 */
public final class TaskHeads implements AutoCloseable {

  /** Logit given to classes a task does not have. */
  static final float MASKED = -1e4f;

  private final NDManager manager;
  private final Readout readout;
  private final NDArray weight;
  private final NDArray bias;
  private final NDArray classMask;
  private final int[] numClasses;

  /** Per-task linear heads with given initial values: weight (K, C, d), bias (K, C). */
  public TaskHeads(NDManager parent, NDArray weight, NDArray bias, int[] numClasses) {
    this(parent, Readout.TASK, weight, bias, numClasses);
  }

  /**
   * Heads of a readout with given values.
   *
   * @param weight (K, C, d), or (1, C, d) for {@link Readout#SHARED}
   * @param bias (K, C), or (1, C)
   * @param numClasses classes per task (1 for regression)
   */
  public TaskHeads(
      NDManager parent, Readout readout, NDArray weight, NDArray bias, int[] numClasses) {
    long rows = weight.getShape().get(0);
    long expected = readout == Readout.SHARED ? 1 : numClasses.length;
    if (rows != expected) {
      throw new IllegalArgumentException(
          readout.key() + " heads need " + expected + " weight rows, got " + rows);
    }
    int c = (int) weight.getShape().get(1);
    if (Arrays.stream(numClasses).max().orElse(1) > c) {
      throw new IllegalArgumentException(
          "heads have " + c + " classes, tasks need " + Arrays.toString(numClasses));
    }
    this.manager = parent.newSubManager();
    this.readout = readout;
    this.numClasses = numClasses.clone();
    boolean trainable = readout != Readout.LABEL;
    this.weight = own(weight, trainable);
    this.bias = own(bias, trainable);
    this.classMask = mask(manager, numClasses, c);
  }

  private static NDArray mask(NDManager m, int[] numClasses, int c) {
    int k = numClasses.length;
    float[] mask = new float[k * c];
    for (int t = 0; t < k; t++) {
      for (int j = numClasses[t]; j < c; j++) {
        mask[t * c + j] = MASKED;
      }
    }
    return m.create(mask, new Shape(k, c));
  }

  /** Fresh per-task heads, weights drawn from N(0, 0.02²) as BERT initialises classifiers. */
  public static TaskHeads random(NDManager parent, int[] numClasses, int dim, long seed) {
    return random(parent, Readout.TASK, numClasses, dim, seed);
  }

  /**
   * Fresh linear heads ({@link Readout#TASK} or {@link Readout#SHARED}): weights from N(0, 0.02²),
   * zero biases.
   */
  public static TaskHeads random(
      NDManager parent, Readout readout, int[] numClasses, int dim, long seed) {
    if (readout == Readout.LABEL) {
      throw new IllegalArgumentException("label heads are computed from label names, not drawn");
    }
    int rows = readout == Readout.SHARED ? 1 : numClasses.length;
    int c = Arrays.stream(numClasses).max().orElse(1);
    try (NDManager tmp = parent.newSubManager()) {
      return new TaskHeads(
          parent,
          readout,
          tmp.create(gaussian(rows * c * dim, seed), new Shape(rows, c, dim)),
          tmp.zeros(new Shape(rows, c)),
          numClasses);
    }
  }

  private static float[] gaussian(int n, long seed) {
    Random rng = new Random(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) (0.02 * rng.nextGaussian());
    }
    return w;
  }

  /**
   * Label heads: class c of task k scores {@code scale · cos(pooled, e_kc)}.
   *
   * @param embeddings (K, C, d) pooled embeddings of each task's class names (rows past a task's
   *     classes are ignored)
   */
  public static TaskHeads label(
      NDManager parent, NDArray embeddings, int[] numClasses, double scale) {
    try (NDManager tmp = parent.newSubManager()) {
      NDArray e = embeddings.duplicate(); // (K, C, d)
      e.attach(tmp);
      NDArray norm = Tensors.atLeast(e.norm(new int[] {2}, true), 1e-6); // (K, C, 1)
      NDArray w = Tensors.times(e.div(norm), scale); // (K, C, d)
      NDArray b = tmp.zeros(new Shape(e.getShape().get(0), e.getShape().get(1)));
      return new TaskHeads(parent, Readout.LABEL, w, b, numClasses);
    }
  }

  /**
   * A shared head for other tasks, starting from this one's weights (a target initialised from a
   * source or distillation run); class rows the new tasks need beyond this head's are drawn fresh.
   */
  public TaskHeads sharedFor(NDManager parent, int[] classes, long seed) {
    if (readout != Readout.SHARED) {
      throw new IllegalStateException("only a shared head carries over to other tasks");
    }
    long c = weight.getShape().get(1);
    long d = weight.getShape().get(2);
    int need = Math.max((int) c, Arrays.stream(classes).max().orElse(1));
    try (NDManager tmp = parent.newSubManager()) {
      NDArray w = weight.stopGradient(); // (1, C, d)
      NDArray b = bias.stopGradient(); // (1, C)
      if (need > c) {
        NDArray extra =
            tmp.create(gaussian((int) ((need - c) * d), seed), new Shape(1, need - c, d));
        w = w.concat(extra, 1); // (1, C', d)
        b = b.concat(tmp.zeros(new Shape(1, need - c)), 1); // (1, C')
      }
      return new TaskHeads(parent, Readout.SHARED, w, b, classes);
    }
  }

  /** Task {@code i}'s readout alone (MPT*'s per-task stage), as a one-task head. */
  public TaskHeads taskOf(NDManager parent, int i) {
    int c = numClasses[i];
    int[] one = {c};
    if (readout == Readout.SHARED) {
      return new TaskHeads(parent, readout, weight.stopGradient(), bias.stopGradient(), one);
    }
    return new TaskHeads(
        parent,
        readout,
        weight.get(i + ":" + (i + 1) + ", :" + c + ", :").stopGradient(),
        bias.get(i + ":" + (i + 1) + ", :" + c).stopGradient(),
        one);
  }

  private NDArray own(NDArray a, boolean trainable) {
    // toType(FLOAT32, true) would share storage when the type already matches (torch's to())
    NDArray copy =
        a.getDataType() == DataType.FLOAT32 ? a.duplicate() : a.toType(DataType.FLOAT32, false);
    copy.attach(manager);
    if (trainable) {
      copy.setRequiresGradient(true);
    }
    return copy;
  }

  /**
   * Logits for a batch.
   *
   * @param pooled (B, d)
   * @param taskIds (B) int64
   * @return (B, C), classes a task lacks set to a large negative value; owned by {@code pooled}'s
   *     manager
   */
  public NDArray forward(NDArray pooled, NDArray taskIds) {
    NDArray m = Tensors.rows(classMask, taskIds); // (B, C)
    NDArray x =
        readout == Readout.LABEL
            ? pooled.div(
                Tensors.atLeast(pooled.norm(new int[] {1}, true), 1e-6)) // (B, d), unit rows
            : pooled;
    // a shared head has one row, which rows() broadcasts to every example, in the step's manager
    NDArray w = Tensors.rows(weight, taskIds); // (B, C, d)
    NDArray b = Tensors.rows(bias, taskIds); // (B, C)
    NDArray logits = w.matMul(x.expandDims(2)).squeeze(2); // (B, C)
    return logits.add(b).add(m); // (B, C)
  }

  /** The trainable tensors (none for label heads). */
  public List<Parameter> parameters() {
    if (readout == Readout.LABEL) {
      return List.of();
    }
    return List.of(
        new Parameter("head.weight", weight, Parameter.HEAD_GROUP),
        new Parameter("head.bias", bias, Parameter.HEAD_GROUP));
  }

  /**
   * Trainable scalars that belong to one task: its rows of the weight and bias; for a shared head
   * over several tasks none (see {@link #sharedParameterCount()}), over one task the rows it uses.
   */
  public long taskParameterCount(int task) {
    return switch (readout) {
      case LABEL -> 0;
      case SHARED -> numClasses.length == 1 ? rowSize(numClasses[0]) : 0;
      case TASK -> rowSize(numClasses[task]);
    };
  }

  /** Trainable scalars shared by the tasks: a shared head over several tasks, else none. */
  public long sharedParameterCount() {
    return readout == Readout.SHARED && numClasses.length > 1
        ? rowSize((int) weight.getShape().get(1))
        : 0;
  }

  private long rowSize(int classes) {
    return (long) classes * (weight.getShape().get(2) + 1);
  }

  /** The readout kind. */
  public Readout readout() {
    return readout;
  }

  /** Number of tasks. */
  public int numTasks() {
    return numClasses.length;
  }

  /** Classes per task. */
  public int[] numClasses() {
    return numClasses.clone();
  }

  /** (R, C, d) weights. */
  public NDArray weight() {
    return weight;
  }

  /** (R, C) biases. */
  public NDArray bias() {
    return bias;
  }

  @Override
  public void close() {
    manager.close();
  }
}
