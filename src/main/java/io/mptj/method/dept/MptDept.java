package io.mptj.method.dept;

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
import io.mptj.method.Projections;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.mpt.MultitaskPromptTuning;
import java.util.Set;

/**
 * MPT's transfer under DePT's decomposition: the target's prompt starts from the distilled {@code
 * P* ∘ u vᵀ} exactly as MPT's does (same settings, same source choice), and DePT's low-rank input
 * offset {@code A·B} (B zero) is learned beside it at its own learning rate. Neither paper has this
 * combination; it asks whether MPT's transfer adds to DePT's parameterisation.
 */
public final class MptDept extends NamedMethod {

  /** The adapter type mptj writes. */
  public static final String PEFT_TYPE = "MPTJ_MPT_DEPT";

  private final MultitaskPromptTuning mpt = new MultitaskPromptTuning();

  public MptDept() {
    super("mpt-dept", "MPT+DePT", MptDeptConfig.KNOBS, Upstream.DISTILL_RUN, PEFT_TYPE);
  }

  @Override
  public MptDeptConfig config(SettingsMap settings) {
    return MptDeptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    MptDeptConfig c = (MptDeptConfig) config;
    PromptModule prompt = mpt.create(init, c.mpt(), parent);
    try (NDManager tmp = parent.newSubManager()) {
      int k = init.numTasks();
      DataType type = init.backbone().wordEmbeddings().getDataType();
      NDArray a =
          Projections.kaiming(
              tmp,
              new Shape(k, c.positions(), c.rank()),
              c.rank(),
              Seeds.derive(init.seed(), "dept-A", 0),
              type);
      NDArray b = tmp.zeros(new Shape(k, c.rank(), prompt.dim()), type);
      return new OffsetPrompt(parent, prompt, a, b, PEFT_TYPE);
    } catch (RuntimeException e) {
      prompt.close();
      throw e;
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int p = ((Number) c.require("num_virtual_tokens")).intValue();
    int d = ((Number) c.require("token_dim")).intValue();
    int k = ((Number) c.require("num_tasks")).intValue();
    int rank = ((Number) c.require("num_ranks")).intValue();
    int r = ((Number) c.require("dept_rank")).intValue();
    int s = ((Number) c.require("dept_positions")).intValue();
    PeftAdapter.expectKeys(
        f,
        Set.of(
            MultitaskPrompt.SHARED_KEY,
            MultitaskPrompt.COLS_KEY,
            MultitaskPrompt.ROWS_KEY,
            DeptPrompt.A_KEY,
            DeptPrompt.B_KEY));
    try (NDManager tmp = parent.newSubManager()) {
      PromptModule prompt =
          new MultitaskPrompt(
              parent,
              f.require(tmp, MultitaskPrompt.SHARED_KEY, p, d),
              f.require(tmp, MultitaskPrompt.COLS_KEY, k, p, rank),
              f.require(tmp, MultitaskPrompt.ROWS_KEY, k, rank, d));
      try {
        NDArray a = f.require(tmp, DeptPrompt.A_KEY, s, r).expandDims(0);
        NDArray b = f.require(tmp, DeptPrompt.B_KEY, r, d).expandDims(0);
        return new OffsetPrompt(parent, prompt, a, b, PEFT_TYPE);
      } catch (RuntimeException e) {
        prompt.close();
        throw e;
      }
    }
  }
}
