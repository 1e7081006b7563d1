package io.mptj.method.ulpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import io.mptj.method.mpt.MultitaskPromptTuning;

/**
 * MPT's transfer into ULPT's parameterisation: the target's prompt is a ULPT prompt {@code (Z·P̃ᵀ)
 * ⊙ scale + shift} that starts at the point of ULPT's space nearest MPT's transferred prompt {@code
 * X = P* ∘ u vᵀ} (the same start MPT's target adaptation takes, same {@code target_init}): {@code
 * scale} is ULPT's vocabulary standard deviation, {@code shift} the per-dimension mean of X over
 * its P rows, and Z the least-squares solution of {@code Z·P̃ᵀ = (X − shift) / scale} ({@link
 * #leastSquares}). With r ≥ d the start is X exactly; with r &lt; d it keeps X's mean and its
 * projection onto P̃'s r columns. What is trained and stored is ULPT's (P·r + 2d per task,
 * peft_type MPTJ_ULPT), so the result loads, serves and counts as a ULPT adapter. Neither paper has
 * this composition; it asks whether MPT's transfer adds to ULPT.
 */
public final class MptUlpt extends NamedMethod {

  private final MultitaskPromptTuning mpt = new MultitaskPromptTuning();
  private final Ulpt ulpt = new Ulpt();

  public MptUlpt() {
    super("mpt-ulpt", "MPT+ULPT", MptUlptConfig.KNOBS, Upstream.DISTILL_RUN, Ulpt.PEFT_TYPE);
  }

  @Override
  public MptUlptConfig config(SettingsMap settings) {
    return MptUlptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    MptUlptConfig c = (MptUlptConfig) config;
    try (NDManager tmp = parent.newSubManager();
        PromptModule transferred = mpt.create(init, c.mpt(), tmp)) {
      int k = init.numTasks();
      int p = transferred.length();
      int d = transferred.dim();
      NDList rows = new NDList();
      for (int t = 0; t < k; t++) {
        rows.add(transferred.taskPrompt(tmp, t)); // (P, d)
      }
      NDArray x = ai.djl.ndarray.NDArrays.stack(rows); // (K, P, d)
      NDArray scale =
          Ulpt.vocabularyStatistics(init, p, tmp)[1].expandDims(0).repeat(0, k); // (K, d)
      NDArray shift = x.mean(new int[] {1}); // (K, d)
      long seed = Ulpt.projectionSeed(init);
      NDArray proj = UlptPrompt.projection(tmp, d, c.rank(), seed, x.getDataType()); // (d, r)
      NDArray y = x.sub(shift.expandDims(1)).div(scale.expandDims(1)); // (K, P, d)
      NDArray z = y.matMul(leastSquares(proj)); // (K, P, r)
      return new UlptPrompt(parent, z, scale, shift, seed);
    }
  }

  /**
   * The pseudo-inverse of P̃ᵀ, (d, r): {@code P̃ (P̃ᵀP̃)⁻¹} when r ≤ d (the least-squares Z),
   * {@code (P̃P̃ᵀ)⁻¹ P̃} when r &gt; d (the exact Z of least norm).
   *
   * @param proj P̃ (d, r), full rank
   */
  static NDArray leastSquares(NDArray proj) {
    long d = proj.getShape().get(0);
    long r = proj.getShape().get(1);
    return r <= d
        ? proj.matMul(proj.transpose().matMul(proj).inverse()) // (d, r)·(r, r)
        : proj.matMul(proj.transpose()).inverse().matMul(proj); // (d, d)·(d, r)
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    return ulpt.load(c, f, parent);
  }
}
