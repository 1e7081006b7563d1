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

  /**
   * Takes ownership of initial prompts.
   *
   * @param initial (K, P, d); copied into a new manager under {@code parent}
   */
  public SoftPrompt(NDManager parent, NDArray initial) {
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
    try (NDArray expanded = prompt.expandDims(0)) {
      return new SoftPrompt(parent, expanded);
    }
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

  @Override
  public NDArray forward(NDArray taskIds) {
    return Tensors.rows(prompts, taskIds); // (B, P, d)
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    try (NDScope scope = new NDScope()) {
      NDArray p = prompts.get(task).stopGradient().duplicate(); // (P, d)
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

  /** PEFT layout of the first (usually only) task's prompt. */
  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    return Map.of(KEY, taskPrompt(target, 0));
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    return PeftAdapter.promptTuning(length(), dim(), target);
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
