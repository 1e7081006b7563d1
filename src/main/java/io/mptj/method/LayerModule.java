package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.nn.LayerEdits;
import java.util.ArrayList;
import java.util.List;

/**
 * The base of methods that change the backbone's layers instead of prepending a prompt (LoRA,
 * adapters, BitFit, full fine-tuning): no virtual tokens, tensors owned by one sub-manager, and the
 * per-batch {@link LayerEdits} a subclass supplies. Per-task tensors are stored with a leading task
 * axis K and gathered per row, so that one batch can mix tasks.
 */
public abstract class LayerModule implements PromptModule {

  /** Owns every tensor of the module. */
  protected final NDManager manager;

  private final int dim;
  private final int numTasks;
  private final List<Parameter> parameters = new ArrayList<>();

  /**
   * @param dim the backbone's hidden width d
   * @param numTasks K
   */
  protected LayerModule(NDManager parent, int dim, int numTasks) {
    this.manager = parent.newSubManager();
    this.dim = dim;
    this.numTasks = numTasks;
  }

  /** Registers a trainable tensor: attaches it to {@link #manager} and asks for its gradient. */
  protected final NDArray trainable(String name, NDArray initial, String group) {
    NDArray p = ModuleTensors.trainable(initial, manager);
    parameters.add(new Parameter(name, p, group));
    return p;
  }

  @Override
  public final int length() {
    return 0;
  }

  @Override
  public final int dim() {
    return dim;
  }

  @Override
  public final int numTasks() {
    return numTasks;
  }

  /** No prompt: (B, 0, d). */
  @Override
  public final NDArray forward(NDArray taskIds) {
    return taskIds.getManager().zeros(new Shape(taskIds.getShape().get(0), 0, dim));
  }

  /** No prompt: (0, d). */
  @Override
  public final NDArray taskPrompt(NDManager target, int task) {
    return target.zeros(new Shape(0, dim));
  }

  @Override
  public abstract LayerEdits edits(NDArray taskIds);

  /**
   * Hands an array made from a module tensor (a view, a reshape, a concatenation) to the step that
   * uses it: an op whose receiver is a long-lived tensor puts its result in that tensor's manager,
   * where it would outlive the step. Never pass a parameter itself.
   *
   * @param made the new array
   * @param step any array of the step
   * @return {@code made}, now owned by {@code step}'s manager
   */
  protected static NDArray onStep(NDArray made, NDArray step) {
    if (made.getManager() != step.getManager()) {
      made.attach(step.getManager());
    }
    return made;
  }

  /**
   * A per-task dense layer {@code x W_tᵀ + b_t} with each row's task t.
   *
   * @param x (B, T, in)
   * @param weight (K, out, in)
   * @param bias (K, out), or null
   * @return (B, T, out)
   */
  protected final NDArray taskLinear(NDArray x, NDArray weight, NDArray bias, NDArray taskIds) {
    if (numTasks == 1) {
      NDArray w = onStep(weight.get(0), x); // (out, in) view, freed with the step
      NDArray b = bias == null ? null : onStep(bias.get(0), x); // (out)
      return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow(); // (B, T, out)
    }
    NDArray y = x.matMul(rows(weight, taskIds).transpose(0, 2, 1)); // (B, T, out)
    return bias == null ? y : y.add(rows(bias, taskIds).expandDims(1));
  }

  /**
   * What of this module does not fit a backbone's weights, or null when all does (each adapted
   * layer exists with the shapes the module's tensors need).
   *
   * @param backbone the backbone it is to run on
   */
  protected abstract String mismatch(io.mptj.backbone.Backbone backbone);

  /** The layers this module changes exist in the backbone with matching shapes. */
  @Override
  public final void checkFits(io.mptj.backbone.Backbone backbone, String where) {
    String problem = mismatch(backbone);
    if (problem != null) {
      throw new io.mptj.engine.CheckpointException(
          where + ": the adapter does not fit backbone " + backbone.id() + ": " + problem);
    }
  }

  @Override
  public final List<Parameter> parameters() {
    return List.copyOf(parameters);
  }

  @Override
  public long sharedParameterCount() {
    return 0;
  }

  /** Every parameter's size over the task axis: the parameters of one task. */
  @Override
  public long taskParameterCount() {
    return parameters.stream().mapToLong(Parameter::size).sum() / numTasks;
  }

  /** Task {@code task}'s slice of a per-task tensor (K, ...) as a detached copy for saving. */
  protected static NDArray slice(NDArray perTask, int task, NDManager target) {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      return ModuleTensors.detached(perTask.get(task), target); // the view dies with the scope
    }
  }

  /**
   * Rows of a per-task tensor for a batch: (K, ...) to (B, ...) by task id, or the single task's
   * tensor broadcast when K = 1.
   */
  protected static NDArray rows(NDArray perTask, NDArray taskIds) {
    return io.mptj.engine.Tensors.rows(perTask, taskIds);
  }

  @Override
  public void close() {
    manager.close();
  }
}
