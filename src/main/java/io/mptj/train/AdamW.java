package io.mptj.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.mptj.method.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter, 2019) with one learning rate per parameter group, in place on the
 * parameters, with global-norm gradient clipping.
 *
 * <p>Written here rather than taken from DJL so that its moments can be saved and restored exactly
 * for resumable training, and so that MPT's two-speed rates (shared prompt vs. task vectors) are
 * explicit. Bias correction as in PyTorch's {@code torch.optim.AdamW}; weight decay is decoupled.
 */
public final class AdamW implements AutoCloseable {

  /**
   * Settings.
   *
   * @param learningRates base rate per group (scaled by the schedule each step)
   * @param clipNorm global gradient-norm bound; 0 or less disables clipping
   */
  public record Settings(
      Map<String, Double> learningRates,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      double clipNorm) {

    public Settings {
      learningRates = Map.copyOf(learningRates);
      if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weightDecay < 0) {
        throw new IllegalArgumentException("bad AdamW settings: " + this);
      }
    }
  }

  private final NDManager manager;
  private final List<Parameter> params;
  private final Settings settings;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long t;

  /** Creates zeroed moments for every parameter in a new manager under {@code parent}. */
  public AdamW(NDManager parent, List<Parameter> params, Settings settings) {
    this.manager = parent.newSubManager();
    this.params = List.copyOf(params);
    this.settings = settings;
    for (Parameter p : params) {
      if (!settings.learningRates().containsKey(p.group())) {
        throw new IllegalArgumentException(
            "no learning rate for group " + p.group() + " of " + p.name());
      }
      m.put(p.name(), manager.zeros(p.array().getShape()));
      v.put(p.name(), manager.zeros(p.array().getShape()));
    }
  }

  /** Number of updates done. */
  public long steps() {
    return t;
  }

  /**
   * Applies one update from the parameters' accumulated gradients, then zeroes them.
   *
   * @param scale the schedule's factor for this step, multiplied into every group's rate
   * @return the global gradient norm before clipping
   */
  public double step(double scale) {
    try (NDScope scope = new NDScope()) {
      Map<String, NDArray> grads = new LinkedHashMap<>();
      for (Parameter p : params) {
        grads.put(p.name(), p.array().getGradient());
      }
      double norm = globalNorm(grads);
      if (!Double.isFinite(norm)) {
        grads.values().forEach(io.mptj.engine.Tensors::zero); // skip the update, keep the moments
        return norm;
      }
      double clip =
          settings.clipNorm() > 0 && norm > settings.clipNorm()
              ? settings.clipNorm() / (norm + 1e-6)
              : 1;
      t++;
      for (Parameter p : params) {
        update(p, grads.get(p.name()), clip, scale * settings.learningRates().get(p.group()));
      }
      grads.values().forEach(io.mptj.engine.Tensors::zero);
      return norm;
    }
  }

  private void update(Parameter p, NDArray grad, double clip, double lr) {
    NDArray g = clip == 1 ? grad : grad.mul(clip);
    NDArray mt = m.get(p.name());
    NDArray vt = v.get(p.name());
    mt.muli(settings.beta1()).addi(g.mul(1 - settings.beta1()));
    vt.muli(settings.beta2()).addi(g.square().muli(1 - settings.beta2()));
    double c1 = 1 - Math.pow(settings.beta1(), t);
    double c2 = 1 - Math.pow(settings.beta2(), t);
    NDArray denom = vt.div(c2).sqrt().addi(settings.eps());
    NDArray delta = mt.div(denom).muli(lr / c1);
    if (settings.weightDecay() > 0) {
      p.array().muli(1 - lr * settings.weightDecay());
    }
    p.array().subi(delta);
  }

  private static double globalNorm(Map<String, NDArray> grads) {
    double sum = 0;
    for (NDArray g : grads.values()) {
      sum += g.square().sum().getFloat();
    }
    return Math.sqrt(sum);
  }

  /** Zeroes accumulated gradients without updating (e.g. after a skipped step). */
  public void zeroGradients() {
    try (NDScope scope = new NDScope()) {
      for (Parameter p : params) {
        io.mptj.engine.Tensors.zero(p.array().getGradient());
      }
    }
  }

  /**
   * Moments and step count, by name, for checkpoints ({@code m.NAME}, {@code v.NAME}, {@code
   * step}).
   */
  public Map<String, NDArray> state(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    m.forEach((k, a) -> out.put("m." + k, copy(a, target)));
    v.forEach((k, a) -> out.put("v." + k, copy(a, target)));
    out.put("step", target.create(new long[] {t}));
    return out;
  }

  /** Restores moments and step count saved by {@link #state}. */
  public void load(Map<String, NDArray> state) {
    for (String k : m.keySet()) {
      io.mptj.engine.Tensors.assign(m.get(k), require(state, "m." + k));
      io.mptj.engine.Tensors.assign(v.get(k), require(state, "v." + k));
    }
    t = require(state, "step").toLongArray()[0];
  }

  private static NDArray require(Map<String, NDArray> state, String key) {
    NDArray a = state.get(key);
    if (a == null) {
      throw new io.mptj.engine.CheckpointException("optimizer state lacks '" + key + "'");
    }
    return a;
  }

  private static NDArray copy(NDArray a, NDManager target) {
    return io.mptj.engine.Tensors.copyTo(target, a);
  }

  @Override
  public void close() {
    manager.close();
  }
}
