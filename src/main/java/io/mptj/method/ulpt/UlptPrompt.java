package io.mptj.method.ulpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import java.util.Random;

/**
 * ULPT's prompt: {@code (Z · P̃ᵀ) ⊙ scale + shift}, with Z (P, r) learned, P̃ (d, r) a frozen
 * random projection with entries N(0, 1/r) rebuilt from a seed (never stored), and learned
 * per-dimension {@code scale} and {@code shift} (d). Per task, Z, scale and shift carry a leading K
 * axis. Saved as {@code ulpt_z} (P, r), {@code ulpt_scale} and {@code ulpt_shift} (d), with the
 * projection's seed in {@code adapter_config.json}, under peft_type {@code MPTJ_ULPT}.
 */
public final class UlptPrompt implements PromptModule {

  static final String Z_KEY = "ulpt_z";
  static final String SCALE_KEY = "ulpt_scale";
  static final String SHIFT_KEY = "ulpt_shift";

  private final NDManager manager;
  private final NDArray z;
  private final NDArray scale;
  private final NDArray shift;
  private final NDArray projection;
  private final NDArray projectionT;
  private final long projectionSeed;

  /**
   * @param z (K, P, r)
   * @param scale (K, d)
   * @param shift (K, d), all copied
   * @param projectionSeed the seed P̃ is drawn from
   */
  public UlptPrompt(
      NDManager parent, NDArray z, NDArray scale, NDArray shift, long projectionSeed) {
    this.manager = parent.newSubManager();
    this.z = own(z);
    this.scale = own(scale);
    this.shift = own(shift);
    this.projectionSeed = projectionSeed;
    int d = (int) scale.getShape().get(1);
    this.projection =
        projection(manager, d, (int) z.getShape().get(2), projectionSeed, z.getDataType());
    this.projectionT = projection.transpose(); // (r, d), frozen, made once
  }

  /** P̃ (d, r), entries N(0, 1/r) from {@code seed}. */
  public static NDArray projection(NDManager m, int d, int r, long seed, DataType type) {
    Random rng = new Random(seed);
    float[] x = new float[d * r];
    double std = 1 / Math.sqrt(r);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextGaussian() * std);
    }
    return m.create(x, new Shape(d, r)).toType(type, false);
  }

  private NDArray own(NDArray x) {
    return ModuleTensors.trainable(x, manager);
  }

  @Override
  public int length() {
    return (int) z.getShape().get(1);
  }

  @Override
  public int dim() {
    return (int) scale.getShape().get(1);
  }

  @Override
  public int numTasks() {
    return (int) z.getShape().get(0);
  }

  /** r. */
  public int rank() {
    return (int) z.getShape().get(2);
  }

  @Override
  public NDArray forward(NDArray taskIds) {
    NDArray up = Tensors.rows(z, taskIds).matMul(projectionT); // (B, P, d)
    NDArray s = Tensors.rows(scale, taskIds).expandDims(1); // (B, 1, d)
    NDArray b = Tensors.rows(shift, taskIds).expandDims(1); // (B, 1, d)
    return up.mul(s).add(b); // (B, P, d)
  }

  @Override
  public boolean promptOnly() {
    return true;
  }

  @Override
  public NDArray taskPrompt(NDManager target, int task) {
    try (NDManager tmp = manager.newSubManager()) {
      NDArray ids = tmp.create(new long[] {task});
      NDArray p = forward(ids).get(0).stopGradient().duplicate(); // (P, d)
      p.attach(target);
      return p;
    }
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter(Z_KEY, z, UlptConfig.GROUP),
        new Parameter(SCALE_KEY, scale, UlptConfig.GROUP),
        new Parameter(SHIFT_KEY, shift, UlptConfig.GROUP));
  }

  @Override
  public long sharedParameterCount() {
    return 0;
  }

  @Override
  public long taskParameterCount() {
    return UlptConfig.parameterCount(length(), rank(), dim());
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put(Z_KEY, ModuleTensors.firstTask(z, target));
    out.put(SCALE_KEY, ModuleTensors.firstTask(scale, target));
    out.put(SHIFT_KEY, ModuleTensors.firstTask(shift, target));
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("num_virtual_tokens", length());
    json.put("token_dim", dim());
    json.put("ulpt_rank", rank());
    json.put("projection_seed", projectionSeed);
    json.put("projection", "N(0, 1/r) entries from java.util.Random(projection_seed), (d, r)");
    return AdapterConfig.custom(Ulpt.PEFT_TYPE, target, json);
  }

  @Override
  public void close() {
    manager.close();
  }
}
