package io.mptj.method.attempt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.Activation;
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
 * ATTEMPT's instance-wise prompt (Asai et al. 2022, §3.2, Eq. 1–4): with frozen source prompts
 * {@code P_1..P_t} and a trainable target prompt {@code P_tgt} (all (P, d)),
 *
 * <pre>
 *   x̂   = max-pool over the input tokens of their embeddings            (B, d)
 *   h   = LayerNorm(W_up · SiLU(W_down · x̂))                            (B, d)
 *   p̂_j = max-pool over positions of P_j,  j = 1..t+1 (P_tgt last)       (J, d)
 *   a_j = softmax_j(p̂_j · h / d)                                         (B, J)
 *   P(x) = P_tgt + Σ_j a_j P_j                                           (B, P, d)
 * </pre>
 *
 * W_down (r, d) and W_up (d, r) form the attention module (per task, leading K axis); the LayerNorm
 * has no parameters; the temperature is d. Without an input ({@link #forward(NDArray)}, {@link
 * #taskPrompt}) the attention is uniform. The source prompts are stored with the adapter and
 * counted as shared parameters. Saved as {@code prompt_embeddings} (P, d), {@code attempt_sources}
 * (t, P, d), {@code attempt_down} (r, d), {@code attempt_up} (d, r) under peft_type {@code
 * MPTJ_ATTEMPT}.
 */
public final class AttemptPrompt implements PromptModule {

  static final String SOURCES_KEY = "attempt_sources";
  static final String DOWN_KEY = "attempt_down";
  static final String UP_KEY = "attempt_up";

  private final NDManager manager;
  private final NDArray sources;
  private final NDArray sourcesRow;
  private final NDArray target;
  private final NDArray down;
  private final NDArray up;

  /**
   * @param sources (t, P, d) frozen
   * @param target (K, P, d)
   * @param down (K, r, d)
   * @param up (K, d, r); all copied
   */
  public AttemptPrompt(
      NDManager parent, NDArray sources, NDArray target, NDArray down, NDArray up) {
    if (sources.getShape().dimension() != 3
        || !sources.getShape().slice(1).equals(target.getShape().slice(1))) {
      throw new IllegalArgumentException(
          "ATTEMPT's source prompts "
              + sources.getShape()
              + " and target prompt "
              + target.getShape()
              + " must share (P, d)");
    }
    this.manager = parent.newSubManager();
    this.sources = sources.duplicate();
    this.sources.attach(manager);
    this.sourcesRow = this.sources.expandDims(0); // (1, t, P, d), frozen, made once
    this.target = own(target);
    this.down = own(down);
    this.up = own(up);
  }

  private NDArray own(NDArray x) {
    return ModuleTensors.trainable(x, manager);
  }

  @Override
  public int length() {
    return (int) target.getShape().get(1);
  }

  @Override
  public int dim() {
    return (int) target.getShape().get(2);
  }

  @Override
  public int numTasks() {
    return (int) target.getShape().get(0);
  }

  /** t, the number of source prompts. */
  public int numSources() {
    return (int) sources.getShape().get(0);
  }

  /** The input-free prompt: uniform attention over the sources and the target. */
  @Override
  public NDArray forward(NDArray taskIds) {
    NDArray tgt = Tensors.rows(target, taskIds); // (B, P, d)
    NDArray all = candidates(tgt); // (B, J, P, d)
    return tgt.add(all.mean(new int[] {1})); // (B, P, d)
  }

  @Override
  public NDArray forward(NDArray taskIds, NDArray tokens, NDArray tokenMask) {
    int d = dim();
    NDArray tgt = Tensors.rows(target, taskIds); // (B, P, d)
    NDArray all = candidates(tgt); // (B, J, P, d)
    NDArray pad =
        Tensors.times(Tensors.plus(tokenMask.toType(tokens.getDataType(), false), -1), 1e9)
            .expandDims(2);
    NDArray pooled = tokens.add(pad).max(new int[] {1}); // (B, d)
    NDArray w = Activation.SILU.apply(taskDense(pooled, down, taskIds)); // (B, r)
    NDArray h = normalize(taskDense(w, up, taskIds)); // (B, d)
    NDArray keys = all.max(new int[] {2}); // (B, J, d)
    NDArray logits = Tensors.over(keys.matMul(h.expandDims(2)).squeeze(2), d); // (B, J)
    NDArray a = logits.softmax(1).expandDims(2).expandDims(3); // (B, J, 1, 1)
    return tgt.add(all.mul(a).sum(new int[] {1})); // (B, P, d)
  }

  /** The source prompts and the target prompt per row: (B, t + 1, P, d). */
  private NDArray candidates(NDArray tgt) {
    long b = tgt.getShape().get(0);
    NDArray src =
        sourcesRow.broadcast(new ai.djl.ndarray.types.Shape(b).addAll(sources.getShape()));
    if (src.getManager() != tgt.getManager()) {
      src.attach(tgt.getManager());
    }
    return src.concat(tgt.expandDims(1), 1); // (B, J, P, d)
  }

  /** {@code x W_tᵀ} per row's task: (B, in) to (B, out), W (K, out, in). */
  private NDArray taskDense(NDArray x, NDArray weight, NDArray taskIds) {
    NDArray w = Tensors.rows(weight, taskIds); // (B, out, in)
    return w.matMul(x.expandDims(2)).squeeze(2); // (B, out)
  }

  /** LayerNorm without parameters over the last axis, eps 1e-5. */
  private static NDArray normalize(NDArray x) {
    NDArray mean = x.mean(new int[] {1}, true);
    NDArray centred = x.sub(mean);
    NDArray var = centred.square().mean(new int[] {1}, true);
    return centred.div(Tensors.plus(var, 1e-5).sqrt());
  }

  @Override
  public NDArray taskPrompt(NDManager m, int task) {
    try (NDManager tmp = manager.newSubManager()) {
      NDArray p = forward(tmp.create(new long[] {task})).get(0).stopGradient().duplicate();
      p.attach(m);
      return p;
    }
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter("prompts", target, AttemptConfig.PROMPT_GROUP),
        new Parameter(DOWN_KEY, down, AttemptConfig.ATTENTION_GROUP),
        new Parameter(UP_KEY, up, AttemptConfig.ATTENTION_GROUP));
  }

  @Override
  public long sharedParameterCount() {
    return sources.size();
  }

  @Override
  public long taskParameterCount() {
    return (target.size() + down.size() + up.size()) / numTasks();
  }

  @Override
  public Map<String, NDArray> peftState(NDManager m) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put(PeftAdapter.PROMPT_KEY, ModuleTensors.firstTask(target, m));
    out.put(SOURCES_KEY, ModuleTensors.detached(sources, m));
    out.put(DOWN_KEY, ModuleTensors.firstTask(down, m));
    out.put(UP_KEY, ModuleTensors.firstTask(up, m));
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target t) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("num_virtual_tokens", length());
    json.put("token_dim", dim());
    json.put("num_sources", numSources());
    json.put("attempt_rank", down.getShape().get(1));
    return AdapterConfig.custom(Attempt.PEFT_TYPE, t, json);
  }

  @Override
  public void close() {
    manager.close();
  }
}
