package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;

/**
 * Teacher-forced training of a seq2seq LM, as HF {@code T5ForConditionalGeneration} does it:
 * decoder inputs are the labels shifted right, and the loss is the mean cross-entropy over the
 * label positions that are not {@value #IGNORE_INDEX}.
 */
public final class TeacherForcing {

  /** Label value excluded from the loss (PyTorch's {@code CrossEntropyLoss} default). */
  public static final long IGNORE_INDEX = -100;

  private TeacherForcing() {}

  /**
   * HF {@code _shift_right}: prepends the start id, drops the last label, and replaces {@value
   * #IGNORE_INDEX} by the pad id.
   *
   * @param labels (B, S) integer
   * @return (B, S) int64, owned by {@code labels}' manager
   */
  public static NDArray shiftRight(NDArray labels, long startId, long padId) {
    Shape shape = labels.getShape();
    int rows = (int) shape.get(0);
    int length = (int) shape.get(1);
    NDArray asLong = labels.toType(DataType.INT64, false);
    long[] in = asLong.toLongArray();
    if (asLong != labels) {
      asLong.close();
    }
    long[] out = new long[in.length];
    for (int b = 0; b < rows; b++) {
      out[b * length] = startId;
      for (int t = 1; t < length; t++) {
        long previous = in[b * length + t - 1];
        out[b * length + t] = previous == IGNORE_INDEX ? padId : previous;
      }
    }
    return labels.getManager().create(out, shape);
  }

  /**
   * Log-probability of each label token.
   *
   * @param logits (B, S, V)
   * @param labels (B, S) integer, {@value #IGNORE_INDEX} where ignored
   * @return (B, S) {@code log softmax(logits)[label]}, 0 at ignored positions
   */
  static NDArray tokenLogProbs(NDArray logits, NDArray labels) {
    NDArray valid =
        labels.neq(Tensors.scalar(labels, IGNORE_INDEX)).toType(DataType.FLOAT32, false); // (B, S)
    NDArray target = Tensors.atLeast(labels.toType(DataType.INT64, false), 0); // (B, S) -100 -> 0
    NDArray logp = logits.logSoftmax(2); // (B, S, V)
    return logp.gather(target.expandDims(2), 2).squeeze(2).mul(valid); // (B, S)
  }

  /**
   * Mean cross-entropy over the positions whose label is not {@value #IGNORE_INDEX} (NaN when there
   * are none, as in HF).
   *
   * @param logits (B, S, V)
   * @param labels (B, S) integer
   * @return scalar float32
   */
  static NDArray loss(NDArray logits, NDArray labels) {
    NDArray count =
        labels
            .neq(Tensors.scalar(labels, IGNORE_INDEX))
            .toType(DataType.FLOAT32, false)
            .sum(); // ()
    return tokenLogProbs(logits, labels).sum().div(count).neg(); // ()
  }
}
