package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.TextTokenizer;
import java.util.List;

/**
 * The frozen encoder's pooled embeddings of class names, the fixed weights of a {@link
 * Readout#LABEL} head: each name ({@code not_entailment} read as "not entailment") is encoded
 * alone, without a prompt, and pooled as the task inputs are.
 */
public final class LabelEmbeddings {
  private LabelEmbeddings() {}

  /** Tokens a class name is cut to. */
  static final int MAX_TOKENS = 32;

  /** The text a class name is embedded as: underscores read as spaces. */
  public static String text(String className) {
    return className.replace('_', ' ').strip();
  }

  /**
   * Embeddings of every task's class names.
   *
   * @param names per task, its class names (task order of the model)
   * @return (K, C, d) with C the largest class count; rows past a task's classes are zero; owned by
   *     {@code m}
   */
  public static NDArray of(
      EncoderBackbone enc,
      List<List<String>> names,
      EncoderTaskModel.Pooling pooling,
      NDManager m) {
    int k = names.size();
    int cMax = names.stream().mapToInt(List::size).max().orElse(1);
    return m.create(centredTable(enc, names, pooling, m), new Shape(k, cMax, enc.hiddenSize()));
  }

  /**
   * The pooled embedding of each name, not centred.
   *
   * @return one d-vector per name
   */
  public static float[][] raw(
      EncoderBackbone enc, List<String> names, EncoderTaskModel.Pooling pooling, NDManager m) {
    return names.stream().map(n -> embed(enc, text(n), pooling, m)).toArray(float[][]::new);
  }

  private static float[] centredTable(
      EncoderBackbone enc,
      List<List<String>> names,
      EncoderTaskModel.Pooling pooling,
      NDManager m) {
    int k = names.size();
    int c = names.stream().mapToInt(List::size).max().orElse(1);
    int d = enc.hiddenSize();
    float[] out = new float[k * c * d];
    for (int t = 0; t < k; t++) {
      int n = names.get(t).size();
      float[][] rows = new float[n][];
      for (int j = 0; j < n; j++) {
        rows[j] = embed(enc, text(names.get(t).get(j)), pooling, m);
      }
      centre(rows);
      for (int j = 0; j < n; j++) {
        System.arraycopy(rows[j], 0, out, (t * c + j) * d, d);
      }
    }
    return out;
  }

  /** Subtracts the rows' mean from each row (in place); a single row is left as it is. */
  static void centre(float[][] rows) {
    if (rows.length < 2) {
      return;
    }
    int d = rows[0].length;
    for (int i = 0; i < d; i++) {
      float mean = 0;
      for (float[] r : rows) {
        mean += r[i];
      }
      mean /= rows.length;
      for (float[] r : rows) {
        r[i] -= mean;
      }
    }
  }

  private static float[] embed(
      EncoderBackbone enc, String text, EncoderTaskModel.Pooling pooling, NDManager parent) {
    TextTokenizer.Encoded e = enc.tokenizer().encode(text, null, MAX_TOKENS);
    int n = e.length();
    try (NDManager m = parent.newSubManager()) {
      NDArray ids = m.create(e.ids(), new Shape(1, n)); // (1, T)
      NDArray types = m.create(e.typeIds(), new Shape(1, n)); // (1, T)
      NDArray mask = m.ones(new Shape(1, n), DataType.INT64); // (1, T)
      NDArray h = enc.encode(enc.embed(ids), types, mask); // (1, T, d)
      NDArray pooled =
          pooling == EncoderTaskModel.Pooling.CLS
              ? h.get(":, 0, :")
              : EncoderTaskModel.meanOverTokens(h, mask, 0); // (1, d)
      return pooled.toFloatArray();
    }
  }
}
