package io.mptj.method.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.Tensors;
import io.mptj.method.AdapterConfig;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.util.List;
import java.util.Map;

/**
 * The test-only method's module: a frozen (P, d) base prompt whose rows are scaled by a trainable
 * per-task (K, P, 1) vector, {@code prompt_k = s_k ∘ base}, and a trainable per-task (K, 1, d)
 * offset added to every token embedding (the hook DePT-like methods use).
 */
final class ScaledPrompt implements PromptModule {

  static final String GROUP = "toy";
  static final String BASE_KEY = "toy_base";
  static final String SCALE_KEY = "toy_scale";
  static final String OFFSET_KEY = "toy_offset";
  static final String PEFT_TYPE = "MPTJ_TOY_SCALED_PROMPT";

  private final NDManager manager;
  private final NDArray base;
  private final NDArray scales;
  private final NDArray offsets;

  /**
   * @param base (P, d), frozen
   * @param scales (K, P, 1), trainable
   * @param offsets (K, 1, d), trainable
   */
  ScaledPrompt(NDManager parent, NDArray base, NDArray scales, NDArray offsets) {
    this.manager = parent.newSubManager();
    this.base = Tensors.copyTo(manager, base);
    this.scales = Tensors.copyTo(manager, scales);
    this.scales.setRequiresGradient(true);
    this.offsets = Tensors.copyTo(manager, offsets);
    this.offsets.setRequiresGradient(true);
  }

  @Override
  public NDArray embedTokens(NDArray tokens, NDArray taskIds) {
    return tokens.add(Tensors.rows(offsets, taskIds)); // (B, T, d) + (B, 1, d)
  }

  @Override
  public int length() {
    return (int) base.getShape().get(0);
  }

  @Override
  public int dim() {
    return (int) base.getShape().get(1);
  }

  @Override
  public int numTasks() {
    return (int) scales.getShape().get(0);
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    NDArray s = Tensors.rows(scales, taskIds); // (B, P, 1)
    return s.mul(base); // (B, P, d)
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      NDArray p = scales.get(task).stopGradient().mul(base); // (P, d)
      return Tensors.copyTo(target, p);
    }
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter(SCALE_KEY, scales, GROUP), new Parameter(OFFSET_KEY, offsets, GROUP));
  }

  @Override
  public long sharedParameterCount() {
    return 0;
  }

  @Override
  public long taskParameterCount() {
    return length() + dim();
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    return Map.of(
        BASE_KEY,
        Tensors.copyTo(target, base),
        SCALE_KEY,
        Tensors.copyTo(target, scales),
        OFFSET_KEY,
        Tensors.copyTo(target, offsets));
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target t) {
    return AdapterConfig.of(PEFT_TYPE, t, length(), dim(), null, numTasks(), null);
  }

  @Override
  public void close() {
    manager.close();
  }
}
