package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.Backbone;
import java.util.Random;

/** Initial values of prompts and task vectors. */
public final class PromptInit {
  private PromptInit() {}

  /**
   * Rows of the frozen token embedding matrix at P token ids drawn uniformly from {@code [from,
   * to)}: Lester et al. (2021) sample among the 5,000 most common tokens; the MPT paper initialises
   * teacher and student prompts "by randomly sampling tokens from T5's vocabulary" (Appendix A).
   *
   * @param embeddings (V, d)
   * @return (P, d) copy owned by {@code manager}
   */
  public static NDArray sampledVocab(
      NDManager manager, NDArray embeddings, int length, int from, int to, long seed) {
    long vocab = embeddings.getShape().get(0);
    if (from < 0 || to > vocab || to - from < 1) {
      throw new IllegalArgumentException(
          "token range [" + from + ", " + to + ") is outside the vocabulary of " + vocab);
    }
    Random rng = new Random(seed);
    long[] ids = new long[length];
    for (int i = 0; i < length; i++) {
      ids[i] = from + rng.nextInt(to - from);
    }
    try (NDScope scope = new NDScope()) {
      NDArray rows = embeddings.get(manager.create(ids)).duplicate(); // (P, d)
      NDScope.unregister(rows);
      rows.attach(manager);
      return rows;
    }
  }

  /**
   * A (P, d) prompt with entries uniform in [-scale, scale] (Lester et al.'s random init uses 0.5).
   */
  public static NDArray uniform(NDManager manager, int length, int dim, double scale, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[length * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return manager.create(x, new Shape(length, dim));
  }

  /**
   * MPT task vectors with {@code u vᵀ} equal to the all-ones matrix plus small noise, so that a
   * fresh task prompt starts as P* itself: {@code u ~ 1 + N(0, σ²)}, {@code v ~ (1 + N(0, σ²)) /
   * r}. (The paper does not give its initialisation; PEFT's N(0, 0.02²) would start every prompt
   * near zero.)
   *
   * @return u (K, P, r) and v (K, r, d)
   */
  public static NDArray[] unitTaskVectors(
      NDManager manager, int tasks, int length, int dim, int rank, double sigma, long seed) {
    Random rng = new Random(seed);
    float[] u = new float[tasks * length * rank];
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) (1 + sigma * rng.nextGaussian());
    }
    float[] v = new float[tasks * rank * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((1 + sigma * rng.nextGaussian()) / rank);
    }
    return new NDArray[] {
      manager.create(u, new Shape(tasks, length, rank)),
      manager.create(v, new Shape(tasks, rank, dim))
    };
  }

  /**
   * The token-id range prompts are sampled from, as the backbone's family chooses ({@link
   * io.mptj.backbone.BackboneFamily#promptInitRange}): T5's first 5,000 ids (Lester et al.); for
   * BERT WordPiece vocabularies, 5,000 ids from {@code the} (1996) on, skipping the [unused] and
   * single-character entries at the start, which were never trained.
   */
  public static int[] vocabRange(Backbone backbone) {
    var range = backbone.promptInitRange();
    return new int[] {range.from(), range.to()};
  }

  /**
   * A fresh (P, d) prompt for {@code backbone}: {@code vocab} samples vocabulary embeddings, {@code
   * random} draws uniformly from [-0.5, 0.5] (Lester et al.'s random initialisation).
   *
   * @return (P, d), owned by {@code m}
   */
  public static NDArray fresh(Backbone backbone, NDManager m, int length, String init, long seed) {
    return switch (init) {
      case "vocab" -> {
        int[] range = vocabRange(backbone);
        yield sampledVocab(m, backbone.wordEmbeddings(), length, range[0], range[1], seed);
      }
      case "random" -> uniform(m, length, backbone.hiddenSize(), 0.5, seed);
      default ->
          throw new IllegalArgumentException(
              "--init " + init + " applies to distillation only; use vocab or random");
    };
  }
}
