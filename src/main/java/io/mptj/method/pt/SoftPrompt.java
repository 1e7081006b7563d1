package io.mptj.method.pt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.Tensors;
import io.mptj.method.AdapterConfig;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.util.List;
import java.util.Map;

/**
 * Vanilla prompt tuning (Lester et al., 2021): one trainable {@code (P, d)} matrix per task.
 *
 * <p>Stored as one {@code (K, P, d)} tensor; PEFT's layout ({@code prompt_embeddings}, (P, d))
 * holds one task's prompt.
 */
public final class SoftPrompt implements PromptModule {

  /** PEFT's key for a prompt-tuning adapter's prompt. */
  public static final String KEY = PeftAdapter.PROMPT_KEY;

  /** The learning-rate group of the prompt. */
  public static final String GROUP = "prompt";

  private final NDManager manager;
  private final NDArray prompts;
  private final int submodules;

  /**
   * Takes ownership of initial prompts.
   *
   * @param initial (K, P, d); copied into a new manager under {@code parent}
   */
  public SoftPrompt(NDManager parent, NDArray initial) {
    this(parent, initial, 1);
  }

  /**
   * A prompt of PEFT's {@code num_transformer_submodules} = 2 layout: the stored rows after the
   * first P are PEFT's decoder half, which PEFT's prompt tuning saves and never uses; kept so the
   * adapter saves back whole, left out of the forward and of the count.
   *
   * @param initial (K, P · submodules, d)
   */
  public SoftPrompt(NDManager parent, NDArray initial, int submodules) {
    if (submodules != 1 && (submodules != 2 || initial.getShape().get(1) % 2 != 0)) {
      throw new IllegalArgumentException(
          "num_transformer_submodules must be 1, or 2 with an even number of rows; got "
              + submodules
              + " for "
              + initial.getShape());
    }
    this.submodules = submodules;
    if (initial.getShape().dimension() != 3) {
      throw new IllegalArgumentException(
          "prompts must be (tasks, length, dim), got " + initial.getShape());
    }
    this.manager = parent.newSubManager();
    this.prompts = initial.duplicate();
    prompts.attach(manager);
    prompts.setRequiresGradient(true);
  }

  /** A single-task prompt from a (P, d) matrix. */
  public static SoftPrompt single(NDManager parent, NDArray prompt) {
    return single(parent, prompt, 1);
  }

  /** A single-task prompt from a (P · submodules, d) matrix in PEFT's layout. */
  public static SoftPrompt single(NDManager parent, NDArray prompt, int submodules) {
    try (NDArray expanded = prompt.expandDims(0)) {
      return new SoftPrompt(parent, expanded, submodules);
    }
  }

  /** The encoder prompt's length P. */
  @Override
  public int length() {
    return (int) prompts.getShape().get(1) / submodules;
  }

  @Override
  public int dim() {
    return (int) prompts.getShape().get(2);
  }

  @Override
  public int numTasks() {
    return (int) prompts.getShape().get(0);
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    NDArray all = Tensors.rows(prompts, taskIds); // (B, P · submodules, d)
    return submodules == 1 ? all : all.get(":, 0:" + length() + ", :"); // (B, P, d)
  }

  @Override
  public boolean promptOnly() {
    return true;
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    try (NDScope scope = new NDScope()) {
      NDArray p = prompts.get(task).get("0:" + length()).stopGradient().duplicate(); // (P, d)
      NDScope.unregister(p);
      p.attach(target);
      return p;
    }
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(new Parameter("prompts", prompts, GROUP));
  }

  @Override
  public long sharedParameterCount() {
    return 0;
  }

  @Override
  public long taskParameterCount() {
    return (long) length() * dim();
  }

  /** PEFT layout of the first (usually only) task's prompt, every stored row. */
  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    return Map.of(KEY, io.mptj.engine.Tensors.copyTo(target, prompts.get(0)));
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    return AdapterConfig.of(
        AdapterConfig.PROMPT_TUNING, target, length(), submodules, dim(), null, null, null);
  }

  /** The raw (K, P, d) tensor (trainable; read it, do not modify it). */
  public NDArray raw() {
    return prompts;
  }

  /** Shape (K, P, d). */
  public Shape shape() {
    return prompts.getShape();
  }

  @Override
  public void close() {
    manager.close();
  }
}
