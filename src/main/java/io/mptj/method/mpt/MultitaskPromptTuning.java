package io.mptj.method.mpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.CheckpointException;
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
import io.mptj.method.pt.SoftPrompt;
import java.util.Set;

/**
 * Multitask prompt tuning (Wang et al., ICLR 2023): the student of multitask distillation, {@code
 * P* ∘ (u_k v_kᵀ)}; target adaptation from the distilled P* with u, v set to the average of the
 * source vectors (§3.2); MPT* shares P* across a group of targets, then trains each task's u, v
 * alone on the frozen P*. PEFT's {@code MULTITASK_PROMPT_TUNING} layout.
 */
public final class MultitaskPromptTuning extends NamedMethod {

  public MultitaskPromptTuning() {
    super("mpt", "MPT", MptConfig.KNOBS, Upstream.DISTILL_RUN, AdapterConfig.MULTITASK);
  }

  /** The standard deviation of the noise around the unit task vectors of a fresh student. */
  static final double TASK_VECTOR_SIGMA = 0.02;

  @Override
  public MptConfig config(SettingsMap settings) {
    return MptConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    if (init.from() == null) {
      throw new IllegalArgumentException("--method mpt needs --from DIR (a distillation run)");
    }
    try (NDManager tmp = parent.newSubManager();
        PromptModule source = PeftAdapter.load(init.from(), tmp)) {
      if (!(source instanceof MultitaskPrompt mpt)) {
        throw new CheckpointException(
            init.from()
                + " is not a distillation run (its adapter is not MULTITASK_PROMPT_TUNING)");
      }
      if (init.source() >= mpt.numTasks()) {
        throw new IllegalArgumentException(
            init.from() + " holds " + mpt.numTasks() + " source tasks, not task " + init.source());
      }
      NDArray[] uv =
          init.source() < 0
              ? mpt.averagedTaskVectors(tmp, init.numTasks()) // u (K, P, r), v (K, r, d)
              : mpt.taskVectors(tmp, init.source(), init.numTasks());
      return new MultitaskPrompt(parent, mpt.sharedPrompt(tmp), uv[0], uv[1]);
    }
  }

  @Override
  public boolean sharesAcrossTargets() {
    return true;
  }

  @Override
  public PromptModule alone(PromptModule joint, int task, NDManager parent) {
    MultitaskPrompt group = (MultitaskPrompt) joint;
    try (NDManager tmp = parent.newSubManager()) {
      NDArray[] uv = group.taskVectors(tmp, task, 1); // u (1, P, r), v (1, r, d)
      return new MultitaskPrompt(parent, group.sharedPrompt(tmp), uv[0], uv[1], true);
    }
  }

  @Override
  public boolean distils() {
    return true;
  }

  /**
   * A fresh student: P* from sampled vocabulary, uniform noise or the teachers' mean ({@link
   * MptConfig#init()}), and unit task vectors with small noise.
   *
   * @param init its {@code seed} is the run's; P* and the vectors derive their own
   */
  @Override
  public PromptModule student(
      Init init, PromptModule teachers, MethodConfig config, NDManager parent) {
    MptConfig c = (MptConfig) config;
    int k = init.numTasks();
    int p = teachers.length();
    try (NDManager tmp = parent.newSubManager()) {
      NDArray shared =
          c.init().equals("teachers")
              ? teachersMean((SoftPrompt) teachers, tmp) // (P, d)
              : PromptInit.fresh(
                  init.backbone(),
                  tmp,
                  p,
                  c.init(),
                  Seeds.derive(init.seed(), "shared-prompt", 0)); // (P, d)
      NDArray[] uv =
          PromptInit.unitTaskVectors(
              tmp,
              k,
              p,
              init.backbone().hiddenSize(),
              c.rank(),
              TASK_VECTOR_SIGMA,
              Seeds.derive(init.seed(), "task-vectors", 0)); // u (K, P, r), v (K, r, d)
      return new MultitaskPrompt(parent, shared, uv[0], uv[1]);
    }
  }

  /** The teachers' mean prompt (P, d), owned by {@code target} (not by the teachers' module). */
  private static NDArray teachersMean(SoftPrompt teachers, NDManager target) {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      return io.mptj.engine.Tensors.copyTo(target, teachers.raw().mean(new int[] {0}));
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    PeftAdapter.expectKeys(
        f, Set.of(MultitaskPrompt.SHARED_KEY, MultitaskPrompt.COLS_KEY, MultitaskPrompt.ROWS_KEY));
    int submodules = Math.max(1, c.numTransformerSubmodules());
    int p = c.numVirtualTokens() * submodules;
    int d = c.tokenDim();
    int k = c.numTasks();
    int r = c.numRanks();
    try (NDManager tmp = parent.newSubManager()) {
      return new MultitaskPrompt(
          parent,
          f.require(tmp, MultitaskPrompt.SHARED_KEY, p, d),
          f.require(tmp, MultitaskPrompt.COLS_KEY, k, p, r),
          f.require(tmp, MultitaskPrompt.ROWS_KEY, k, r, d),
          false,
          submodules);
    }
  }
}
