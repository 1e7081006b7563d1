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
import io.mptj.method.PromptInit;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.Set;

/**
 * DePT as a plug-in: a prompt from sampled vocabulary, A from {@code kaiming_uniform(a = √5)}, B
 * zero (as LoRA, so the inputs start unchanged).
 */
public final class Dept extends NamedMethod {

  /** The adapter type mptj writes (PEFT has no DePT). */
  public static final String PEFT_TYPE = "MPTJ_DEPT";

  public Dept() {
    super("dept", "DePT", DeptConfig.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public DeptConfig config(SettingsMap settings) {
    return DeptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    DeptConfig c = (DeptConfig) config;
    int k = init.numTasks();
    int d = init.backbone().hiddenSize();
    DataType type = init.backbone().wordEmbeddings().getDataType();
    try (NDManager tmp = parent.newSubManager()) {
      NDArray prompt =
          PromptInit.fresh(init.backbone(), tmp, c.promptLength(), c.init(), init.seed()); // (m, d)
      NDArray a =
          Projections.kaiming(
              tmp,
              new Shape(k, c.positions(), c.rank()),
              c.rank(),
              Seeds.derive(init.seed(), "dept-A", 0),
              type);
      NDArray b = tmp.zeros(new Shape(k, c.rank(), d), type);
      return new DeptPrompt(parent, prompt.expandDims(0).repeat(0, k), a, b);
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int m = ((Number) c.require("num_virtual_tokens")).intValue();
    int d = ((Number) c.require("token_dim")).intValue();
    int r = ((Number) c.require("dept_rank")).intValue();
    int s = ((Number) c.require("dept_positions")).intValue();
    PeftAdapter.expectKeys(f, Set.of(PeftAdapter.PROMPT_KEY, DeptPrompt.A_KEY, DeptPrompt.B_KEY));
    try (NDManager tmp = parent.newSubManager()) {
      return new DeptPrompt(
          parent,
          f.require(tmp, PeftAdapter.PROMPT_KEY, m, d).expandDims(0),
          f.require(tmp, DeptPrompt.A_KEY, s, r).expandDims(0),
          f.require(tmp, DeptPrompt.B_KEY, r, d).expandDims(0));
    }
  }
}
