package io.mptj.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.TextTokenizer;
import java.util.Map;
import java.util.Random;

/**
 * A tiny frozen encoder for testing the training machinery fast: token embeddings, one dense layer
 * with tanh, and a mask. Not a transformer; the real backbones have their own parity tests.
 */
public final class ToyEncoder implements EncoderBackbone {
  private final NDManager manager = NDManager.newBaseManager();
  private final NDArray table;
  private final NDArray dense;
  private final int vocab;
  private final int dim;
  private final String id;
  private final String family;
  private static TextTokenizer tokenizer;

  public ToyEncoder(int vocab, int dim, long seed) {
    this(vocab, dim, seed, "toy", "bert");
  }

  /** A toy encoder that reports {@code id} and belongs to {@code family}. */
  public ToyEncoder(int vocab, int dim, long seed, String id, String family) {
    this.id = id;
    this.family = family;
    this.vocab = vocab;
    this.dim = dim;
    Random rng = new Random(seed);
    float[] t = new float[vocab * dim];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) rng.nextGaussian();
    }
    float[] w = new float[dim * dim];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rng.nextGaussian() / Math.sqrt(dim));
    }
    table = manager.create(t, new Shape(vocab, dim));
    dense = manager.create(w, new Shape(dim, dim));
  }

  @Override
  public NDArray encode(NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask) {
    NDArray m = attentionMask.toType(DataType.FLOAT32, false).expandDims(2); // (B, L, 1)
    NDArray mixed =
        inputsEmbeds.mul(m).sum(new int[] {1}, true).div(m.sum(new int[] {1}, true)); // (B, 1, d)
    return inputsEmbeds.add(mixed).matMul(dense).tanh(); // (B, L, d)
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String family() {
    return family;
  }

  @Override
  public int hiddenSize() {
    return dim;
  }

  @Override
  public int numLayers() {
    return 1;
  }

  @Override
  public int numHeads() {
    return 1;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public synchronized TextTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer =
          TextTokenizer.fromStream(
              ToyEncoder.class
                  .getClassLoader()
                  .getResourceAsStream("all-minilm-l6-v2-tokenizer.json"),
              "minilm");
    }
    return tokenizer;
  }

  @Override
  public long parameterCount() {
    return table.size() + dense.size();
  }

  @Override
  public int maxPositions() {
    return Integer.MAX_VALUE;
  }

  @Override
  public NDArray wordEmbeddings() {
    return table;
  }

  @Override
  public NDArray embed(NDArray tokenIds) {
    NDArray e = table.get(tokenIds); // (B, T, d)
    e.attach(tokenIds.getManager());
    return e;
  }

  @Override
  public Map<String, NDArray> weights() {
    return Map.of("table", table, "dense", dense);
  }

  @Override
  public void close() {
    manager.close();
  }
}
