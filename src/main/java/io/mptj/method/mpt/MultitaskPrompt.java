package io.mptj.method.mpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.mptj.engine.Tensors;
import io.mptj.method.AdapterConfig;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.util.List;
import java.util.Map;

/**
 * Multitask prompt tuning's decomposed prompt (Wang et al., ICLR 2023, Eq. 2): a shared prompt
 * {@code P*} (P, d) and per task k a rank-r update {@code W_k = u_k v_kᵀ}, giving the task prompt
 * {@code P_k = P* ∘ W_k} (element-wise product).
 *
 * <p>Tensors follow PEFT's {@code MultitaskPromptEmbedding}: {@code prompt_embeddings} (P, d),
 * {@code prefix_task_cols} u (K, P, r) and {@code prefix_task_rows} v (K, r, d).
 */
public final class MultitaskPrompt implements PromptModule {

  /** PEFT key of the shared prompt P*. */
  public static final String SHARED_KEY = "prompt_embeddings";

  /** PEFT key of the task column vectors u. */
  public static final String COLS_KEY = "prefix_task_cols";

  /** PEFT key of the task row vectors v. */
  public static final String ROWS_KEY = "prefix_task_rows";

  /** The learning-rate group of P*. */
  public static final String SHARED_GROUP = "shared";

  /** The learning-rate group of the task vectors u, v. */
  public static final String TASK_GROUP = "task";

  private final NDManager manager;
  private final NDArray shared;
  private final NDArray cols;
  private final NDArray rows;
  private final boolean freezeShared;
  private final int submodules;

  /**
   * Takes copies of the initial tensors into a new manager under {@code parent}.
   *
   * @param shared P* (P, d)
   * @param cols u (K, P, r)
   * @param rows v (K, r, d)
   */
  public MultitaskPrompt(NDManager parent, NDArray shared, NDArray cols, NDArray rows) {
    this(parent, shared, cols, rows, false);
  }

  /**
   * Like {@link #MultitaskPrompt(NDManager, NDArray, NDArray, NDArray)}, optionally with P* frozen
   * (not among the trainable parameters), for training task vectors alone on top of a shared
   * prompt.
   */
  public MultitaskPrompt(
      NDManager parent, NDArray shared, NDArray cols, NDArray rows, boolean freezeShared) {
    this(parent, shared, cols, rows, freezeShared, 1);
  }

  /**
   * A prompt of PEFT's {@code num_transformer_submodules} = 2 layout: the tensors hold 2P rows, the
   * first P the encoder's prompt ({@link #forward}) and the rest the decoder's ({@link
   * #decoderPrompt}), as PEFT's seq2seq MPT uses them; saved back whole.
   *
   * @param submodules 1 (encoder only) or 2
   */
  public MultitaskPrompt(
      NDManager parent,
      NDArray shared,
      NDArray cols,
      NDArray rows,
      boolean freezeShared,
      int submodules) {
    if (submodules != 1 && (submodules != 2 || shared.getShape().get(0) % 2 != 0)) {
      throw new IllegalArgumentException(
          "num_transformer_submodules must be 1, or 2 with an even number of rows; got "
              + submodules
              + " for "
              + shared.getShape());
    }
    this.submodules = submodules;
    long p = shared.getShape().get(0);
    long d = shared.getShape().get(1);
    long k = cols.getShape().get(0);
    long r = cols.getShape().get(2);
    if (shared.getShape().dimension() != 2
        || !cols.getShape().equals(new ai.djl.ndarray.types.Shape(k, p, r))
        || !rows.getShape().equals(new ai.djl.ndarray.types.Shape(k, r, d))) {
      throw new IllegalArgumentException(
          "MPT tensors must be P* (P, d), u (K, P, r), v (K, r, d); got "
              + shared.getShape()
              + ", "
              + cols.getShape()
              + ", "
              + rows.getShape());
    }
    this.manager = parent.newSubManager();
    this.freezeShared = freezeShared;
    this.shared = own(shared, !freezeShared);
    this.cols = own(cols, true);
    this.rows = own(rows, true);
  }

  private NDArray own(NDArray a, boolean trainable) {
    NDArray copy = a.duplicate();
    copy.attach(manager);
    if (trainable) {
      copy.setRequiresGradient(true);
    }
    return copy;
  }

  /** Whether P* is excluded from training. */
  public boolean sharedFrozen() {
    return freezeShared;
  }

  /** Rank r of the task updates. */
  public int rank() {
    return (int) cols.getShape().get(2);
  }

  /** The encoder prompt's length P (the tensors hold P · {@link #submodules()} rows). */
  @Override
  public int length() {
    return (int) shared.getShape().get(0) / submodules;
  }

  /** PEFT's {@code num_transformer_submodules}: 1, or 2 when rows P..2P-1 are the decoder's. */
  public int submodules() {
    return submodules;
  }

  @Override
  public int dim() {
    return (int) shared.getShape().get(1);
  }

  @Override
  public int numTasks() {
    return (int) cols.getShape().get(0);
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    NDArray all = all(taskIds); // (B, P·submodules, d)
    return submodules == 1 ? all : all.get(":, 0:" + length() + ", :"); // (B, P, d)
  }

  /** Rows P..2P-1 of PEFT's two-submodule layout, prepended to the decoder's inputs; or null. */
  @Override
  public NDArray decoderPrompt(NDArray taskIds) {
    return submodules == 1 ? null : all(taskIds).get(":, " + length() + ":, :"); // (B, P, d)
  }

  /** {@code P* ∘ (u_t v_tᵀ)} over every stored row: (B, P·submodules, d). */
  private NDArray all(NDArray taskIds) {
    NDArray u = Tensors.rows(cols, taskIds); // (B, P', r)
    NDArray v = Tensors.rows(rows, taskIds); // (B, r, d)
    NDArray w = u.matMul(v); // (B, P', d)
    return w.mul(shared); // (B, P', d)
  }

  @Override
  public boolean promptOnly() {
    return true;
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    try (NDScope scope = new NDScope()) {
      NDArray w = cols.get(task).matMul(rows.get(task)); // (P', d)
      NDArray p = w.mul(shared).get("0:" + length()).stopGradient().duplicate(); // (P, d)
      NDScope.unregister(p);
      p.attach(target);
      return p;
    }
  }

  @Override
  public List<Parameter> parameters() {
    Parameter u = new Parameter(COLS_KEY, cols, TASK_GROUP);
    Parameter v = new Parameter(ROWS_KEY, rows, TASK_GROUP);
    return freezeShared
        ? List.of(u, v)
        : List.of(new Parameter(SHARED_KEY, shared, SHARED_GROUP), u, v);
  }

  /** A detached copy of the shared prompt P* (P, d), owned by {@code target}. */
  public NDArray sharedPrompt(NDManager target) {
    return detached(shared, target);
  }

  /**
   * The paper's target initialisation of task vectors (§3.2; PEFT's {@code AVERAGE_SOURCE_TASKS}):
   * u and v averaged over this module's tasks, repeated for {@code copies} new tasks.
   *
   * @return u (copies, P, r) and v (copies, r, d), owned by {@code target}
   */
  public NDArray[] averagedTaskVectors(NDManager target, int copies) {
    try (NDScope scope = new NDScope()) {
      NDArray u = cols.stopGradient().mean(new int[] {0}, true).repeat(0, copies); // (copies, P, r)
      NDArray v = rows.stopGradient().mean(new int[] {0}, true).repeat(0, copies); // (copies, r, d)
      NDScope.unregister(u, v);
      u.attach(target);
      v.attach(target);
      return new NDArray[] {u, v};
    }
  }

  /**
   * Task {@code k}'s vectors, repeated for {@code copies} tasks.
   *
   * @return u (copies, P, r) and v (copies, r, d), owned by {@code target}
   */
  public NDArray[] taskVectors(NDManager target, int k, int copies) {
    try (NDScope scope = new NDScope()) {
      NDArray u = cols.stopGradient().get(k).expandDims(0).repeat(0, copies); // (copies, P, r)
      NDArray v = rows.stopGradient().get(k).expandDims(0).repeat(0, copies); // (copies, r, d)
      NDScope.unregister(u, v);
      u.attach(target);
      v.attach(target);
      return new NDArray[] {u, v};
    }
  }

  @Override
  public long sharedParameterCount() {
    return shared.size();
  }

  @Override
  public long taskParameterCount() {
    return (long) (length() * submodules + dim()) * rank();
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    return Map.of(
        SHARED_KEY,
        detached(shared, target),
        COLS_KEY,
        detached(cols, target),
        ROWS_KEY,
        detached(rows, target));
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target t) {
    return AdapterConfig.of(
        AdapterConfig.MULTITASK, t, length(), submodules, dim(), rank(), numTasks(), 0);
  }

  private static NDArray detached(NDArray a, NDManager target) {
    return io.mptj.engine.Tensors.copyTo(target, a);
  }

  @Override
  public void close() {
    manager.close();
  }
}
