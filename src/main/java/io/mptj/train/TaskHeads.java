package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;
import io.mptj.method.Parameter;
import java.util.List;
import java.util.Random;

/**
 * Per-task linear heads on an encoder's pooled output, stacked so that a batch can mix tasks:
 * weights (K, C, d) and biases (K, C), where C is the largest class count; a task with fewer
 * classes has its extra logits masked out, and a regression task uses logit 0 as its prediction.
 */
public final class TaskHeads implements AutoCloseable {

  /** Logit given to classes a task does not have. */
  static final float MASKED = -1e4f;

  private final NDManager manager;
  private final NDArray weight;
  private final NDArray bias;
  private final NDArray classMask;
  private final int[] numClasses;

  /**
   * Heads with given initial values.
   *
   * @param weight (K, C, d)
   * @param bias (K, C)
   * @param numClasses classes per task (1 for regression)
   */
  public TaskHeads(NDManager parent, NDArray weight, NDArray bias, int[] numClasses) {
    this.manager = parent.newSubManager();
    this.numClasses = numClasses.clone();
    this.weight = own(weight);
    this.bias = own(bias);
    int k = numClasses.length;
    int c = (int) weight.getShape().get(1);
    float[] mask = new float[k * c];
    for (int t = 0; t < k; t++) {
      for (int j = numClasses[t]; j < c; j++) {
        mask[t * c + j] = MASKED;
      }
    }
    this.classMask = manager.create(mask, new Shape(k, c));
  }

  /** Fresh heads, weights drawn from N(0, 0.02²) as BERT initialises classifiers, zero biases. */
  public static TaskHeads random(NDManager parent, int[] numClasses, int dim, long seed) {
    int k = numClasses.length;
    int c = java.util.Arrays.stream(numClasses).max().orElse(1);
    Random rng = new Random(seed);
    float[] w = new float[k * c * dim];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (0.02 * rng.nextGaussian());
    }
    try (NDManager tmp = parent.newSubManager()) {
      return new TaskHeads(
          parent, tmp.create(w, new Shape(k, c, dim)), tmp.zeros(new Shape(k, c)), numClasses);
    }
  }

  private NDArray own(NDArray a) {
    // toType(FLOAT32, true) would share storage when the type already matches (torch's to())
    NDArray copy =
        a.getDataType() == DataType.FLOAT32 ? a.duplicate() : a.toType(DataType.FLOAT32, false);
    copy.attach(manager);
    copy.setRequiresGradient(true);
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
    NDArray w = Tensors.rows(weight, taskIds); // (B, C, d)
    NDArray b = Tensors.rows(bias, taskIds); // (B, C)
    NDArray m = Tensors.rows(classMask, taskIds); // (B, C)
    NDArray logits = w.matMul(pooled.expandDims(2)).squeeze(2); // (B, C)
    return logits.add(b).add(m); // (B, C)
  }

  /** The trainable tensors. */
  public List<Parameter> parameters() {
    return List.of(
        new Parameter("head.weight", weight, Parameter.HEAD_GROUP),
        new Parameter("head.bias", bias, Parameter.HEAD_GROUP));
  }

  /** Trainable scalars that belong to one task: its rows of the weight and bias. */
  public long taskParameterCount(int task) {
    return (long) numClasses[task] * (weight.getShape().get(2) + 1);
  }

  /** Number of tasks. */
  public int numTasks() {
    return numClasses.length;
  }

  /** Classes per task. */
  public int[] numClasses() {
    return numClasses.clone();
  }

  /** (K, C, d) weights. */
  public NDArray weight() {
    return weight;
  }

  /** (K, C) biases. */
  public NDArray bias() {
    return bias;
  }

  @Override
  public void close() {
    manager.close();
  }
}
