package io.mptj.method.dept;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.method.AdapterConfig;
import io.mptj.method.ModuleTensors;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any prompt module with DePT's low-rank input offset added ({@code tokens + (A·B)[t]} for t < s):
 * the composition of a transferred prompt (MPT's distilled {@code P* ∘ u vᵀ}) with DePT's
 * decomposition. The inner module keeps its own parameters, counts and saved tensors; A (K, s, r)
 * and B (K, r, d) are added under {@code dept_embedding_A} / {@code dept_embedding_B}.
 */
public final class OffsetPrompt implements PromptModule {

  private final PromptModule inner;
  private final NDManager manager;
  private final NDArray a;
  private final NDArray b;
  private final String peftType;

  /**
   * Takes ownership of {@code inner}; copies A and B.
   *
   * @param peftType the adapter type written for the composition
   */
  public OffsetPrompt(NDManager parent, PromptModule inner, NDArray a, NDArray b, String peftType) {
    if (a.getShape().get(0) != inner.numTasks() || b.getShape().get(2) != inner.dim()) {
      throw new IllegalArgumentException(
          "the offset A "
              + a.getShape()
              + ", B "
              + b.getShape()
              + " does not fit a prompt of "
              + inner.numTasks()
              + " tasks and width "
              + inner.dim());
    }
    this.inner = inner;
    this.manager = parent.newSubManager();
    this.a = own(a);
    this.b = own(b);
    this.peftType = peftType;
  }

  private NDArray own(NDArray x) {
    return ModuleTensors.trainable(x, manager);
  }

  /** The prompt module the offset is added to. */
  public PromptModule inner() {
    return inner;
  }

  @Override
  public int length() {
    return inner.length();
  }

  @Override
  public int dim() {
    return inner.dim();
  }

  @Override
  public int numTasks() {
    return inner.numTasks();
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    return inner.forward(taskIds);
  }

  @Override
  public NDArray forward(NDArray taskIds, NDArray tokens, NDArray tokenMask) {
    return inner.forward(taskIds, tokens, tokenMask);
  }

  @Override
  public NDArray embedTokens(NDArray tokens, NDArray taskIds) {
    return DeptPrompt.withOffset(inner.embedTokens(tokens, taskIds), a, b, taskIds);
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    return inner.taskPrompt(target, task);
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>(inner.parameters());
    all.add(new Parameter(DeptPrompt.A_KEY, a, DeptConfig.OFFSET_GROUP));
    all.add(new Parameter(DeptPrompt.B_KEY, b, DeptConfig.OFFSET_GROUP));
    return all;
  }

  @Override
  public long sharedParameterCount() {
    return inner.sharedParameterCount();
  }

  @Override
  public long taskParameterCount() {
    return inner.taskParameterCount() + a.size() / numTasks() + b.size() / numTasks();
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>(inner.peftState(target));
    out.put(DeptPrompt.A_KEY, ModuleTensors.firstTask(a, target));
    out.put(DeptPrompt.B_KEY, ModuleTensors.firstTask(b, target));
    return out;
  }

  /** The inner adapter's config keys with the offset's and this composition's type. */
  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>(inner.adapterConfig(target).peftJson());
    json.put("inner_peft_type", json.get("peft_type"));
    json.put("dept_rank", a.getShape().get(2));
    json.put("dept_positions", a.getShape().get(1));
    return AdapterConfig.custom(peftType, target, json);
  }

  @Override
  public void close() {
    manager.close();
    inner.close();
  }
}
