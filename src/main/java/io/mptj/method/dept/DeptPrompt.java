package io.mptj.method.dept;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;
import io.mptj.method.AdapterConfig;
import io.mptj.method.ModuleTensors;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DePT's decomposed prompt (Shi and Lipani 2024, Eq. 2–3): a short prompt (m, d) prepended to the
 * input, and a low-rank offset {@code A·B} (A (s, r), B (r, d)) added to the frozen token
 * embeddings of the first s input positions; per task, tensors carry a leading K axis. B starts at
 * zero, so the inputs start as the frozen ones. Saved as {@code prompt_embeddings} (m, d), {@code
 * dept_embedding_A} (s, r) and {@code dept_embedding_B} (r, d) under peft_type {@code MPTJ_DEPT}.
 */
public final class DeptPrompt implements PromptModule {

  static final String A_KEY = "dept_embedding_A";
  static final String B_KEY = "dept_embedding_B";

  private final NDManager manager;
  private final NDArray prompts;
  private final NDArray a;
  private final NDArray b;

  /**
   * @param prompts (K, m, d)
   * @param a (K, s, r)
   * @param b (K, r, d); all copied into a sub-manager of {@code parent}
   */
  public DeptPrompt(NDManager parent, NDArray prompts, NDArray a, NDArray b) {
    long k = prompts.getShape().get(0);
    if (a.getShape().dimension() != 3
        || b.getShape().dimension() != 3
        || a.getShape().get(0) != k
        || b.getShape().get(0) != k
        || a.getShape().get(2) != b.getShape().get(1)
        || b.getShape().get(2) != prompts.getShape().get(2)) {
      throw new IllegalArgumentException(
          "DePT needs prompts (K, m, d), A (K, s, r), B (K, r, d); got "
              + prompts.getShape()
              + ", "
              + a.getShape()
              + ", "
              + b.getShape());
    }
    this.manager = parent.newSubManager();
    this.prompts = own(prompts);
    this.a = own(a);
    this.b = own(b);
  }

  private NDArray own(NDArray x) {
    return ModuleTensors.trainable(x, manager);
  }

  @Override
  public int length() {
    return (int) prompts.getShape().get(1);
  }

  @Override
  public int dim() {
    return (int) prompts.getShape().get(2);
  }

  @Override
  public int numTasks() {
    return (int) prompts.getShape().get(0);
  }

  /** s, the positions the offset covers. */
  public int positions() {
    return (int) a.getShape().get(1);
  }

  /** r. */
  public int rank() {
    return (int) a.getShape().get(2);
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    return Tensors.rows(prompts, taskIds); // (B, m, d)
  }

  /** Tokens plus {@code (A·B)[t]} at each position t < s: (B, T, d). */
  @Override
  public NDArray embedTokens(NDArray tokens, NDArray taskIds) {
    return withOffset(tokens, a, b, taskIds);
  }

  /**
   * DePT's input update: {@code tokens + (A·B)[t]} at each position t below s, the rest unchanged.
   *
   * @param tokens (B, T, d)
   * @param a (K, s, r)
   * @param b (K, r, d)
   * @return (B, T, d)
   */
  static NDArray withOffset(NDArray tokens, NDArray a, NDArray b, NDArray taskIds) {
    long t = tokens.getShape().get(1);
    long covered = Math.min(t, a.getShape().get(1));
    NDArray offset = Tensors.rows(a, taskIds).matMul(Tensors.rows(b, taskIds)); // (B, s, d)
    offset = offset.get(":, 0:" + covered + ", :"); // (B, min(T, s), d)
    if (covered < t) {
      Shape rest = new Shape(tokens.getShape().get(0), t - covered, tokens.getShape().get(2));
      offset = offset.concat(tokens.getManager().zeros(rest, tokens.getDataType()), 1); // (B,T,d)
    }
    return tokens.add(offset); // (B, T, d)
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    return ModuleTensors.detached(prompts.get(task), target);
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter("prompts", prompts, DeptConfig.PROMPT_GROUP),
        new Parameter(A_KEY, a, DeptConfig.OFFSET_GROUP),
        new Parameter(B_KEY, b, DeptConfig.OFFSET_GROUP));
  }

  @Override
  public long sharedParameterCount() {
    return 0;
  }

  @Override
  public long taskParameterCount() {
    return DeptConfig.parameterCount(length(), positions(), rank(), dim());
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put(PeftAdapter.PROMPT_KEY, taskPrompt(target, 0));
    out.put(A_KEY, ModuleTensors.firstTask(a, target));
    out.put(B_KEY, ModuleTensors.firstTask(b, target));
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("num_virtual_tokens", length());
    json.put("token_dim", dim());
    json.put("dept_rank", rank());
    json.put("dept_positions", positions());
    return AdapterConfig.custom(Dept.PEFT_TYPE, target, json);
  }

  @Override
  public void close() {
    manager.close();
  }
}
