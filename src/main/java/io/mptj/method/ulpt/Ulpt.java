package io.mptj.method.ulpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Seeds;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptInit;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.Random;
import java.util.Set;

/**
 * ULPT as a plug-in. Initialisation matches the distribution of the frozen vocabulary: Z ~ N(0, 1),
 * so each entry of {@code Z·P̃ᵀ} is about N(0, 1); {@code shift} and {@code scale} start as the
 * per-dimension mean and standard deviation of the sampled vocabulary rows a vanilla prompt would
 * start from, so the initial prompt has the embeddings' per-dimension statistics.
 */
public final class Ulpt extends NamedMethod {

  /** The adapter type mptj writes (PEFT has no ULPT). */
  public static final String PEFT_TYPE = "MPTJ_ULPT";

  public Ulpt() {
    super("ulpt", "ULPT", UlptConfig.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public UlptConfig config(SettingsMap settings) {
    return UlptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    UlptConfig c = (UlptConfig) config;
    int k = init.numTasks();
    int p = c.promptLength();
    DataType type = init.backbone().wordEmbeddings().getDataType();
    try (NDManager tmp = parent.newSubManager()) {
      NDArray[] stats = vocabularyStatistics(init, p, tmp);
      NDArray mean = stats[0]; // (d)
      NDArray std = stats[1]; // (d)
      Random rng = new Random(Seeds.derive(init.seed(), "ulpt-z", 0));
      float[] zs = new float[k * p * c.rank()];
      for (int i = 0; i < zs.length; i++) {
        zs[i] = (float) rng.nextGaussian();
      }
      NDArray z = tmp.create(zs, new Shape(k, p, c.rank())).toType(type, false);
      return new UlptPrompt(
          parent,
          z,
          std.expandDims(0).repeat(0, k),
          mean.expandDims(0).repeat(0, k),
          projectionSeed(init));
    }
  }

  /**
   * The per-dimension mean and standard deviation (each (d)) of the vocabulary rows a vanilla
   * prompt of length {@code p} would sample (at least 64 rows), owned by {@code m}.
   */
  static NDArray[] vocabularyStatistics(Init init, int p, NDManager m) {
    int rows = Math.max(p, 64);
    NDArray sample = PromptInit.fresh(init.backbone(), m, rows, "vocab", init.seed()); // (n, d)
    NDArray mean = sample.mean(new int[] {0}); // (d)
    NDArray std = sample.sub(mean).square().mean(new int[] {0}).sqrt(); // (d)
    return new NDArray[] {mean, std};
  }

  /** The seed of a run's frozen projection P̃. */
  static long projectionSeed(Init init) {
    return Seeds.derive(init.seed(), "ulpt-projection", 0);
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int p = ((Number) c.require("num_virtual_tokens")).intValue();
    int d = ((Number) c.require("token_dim")).intValue();
    int r = ((Number) c.require("ulpt_rank")).intValue();
    long seed = ((Number) c.require("projection_seed")).longValue();
    PeftAdapter.expectKeys(f, Set.of(UlptPrompt.Z_KEY, UlptPrompt.SCALE_KEY, UlptPrompt.SHIFT_KEY));
    try (NDManager tmp = parent.newSubManager()) {
      return new UlptPrompt(
          parent,
          f.require(tmp, UlptPrompt.Z_KEY, p, r).expandDims(0),
          f.require(tmp, UlptPrompt.SCALE_KEY, d).expandDims(0),
          f.require(tmp, UlptPrompt.SHIFT_KEY, d).expandDims(0),
          seed);
    }
  }
}
