package io.mptj.method.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.Activation;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.method.AdapterConfig;
import io.mptj.method.LayerModule;
import io.mptj.method.PeftAdapter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Houlsby adapters (Houlsby et al. 2019, arXiv 1902.00751, Fig. 2): after the attention and the
 * feed-forward sub-layer of every block, before its residual and LayerNorm, {@code h +
 * up(σ(down(h)))} with down (m, d) and up (d, m) and their biases, σ = SiLU (AdapterHub's Houlsby
 * config); weights start N(0, 0.01²) and biases at zero, so each adapter starts near the identity.
 * Per task the tensors carry a leading K axis. Saved as {@code
 * adapter.<sub-layer>.{down,up}.{weight,bias}} under peft_type {@code MPTJ_HOULSBY} (PEFT has no
 * bottleneck-adapter type).
 */
public final class HoulsbyModule extends LayerModule {

  static final String PREFIX = "adapter.";
  static final List<String> TENSORS = List.of("down.weight", "down.bias", "up.weight", "up.bias");

  /** One adapter: down (K, m, d), its bias (K, m), up (K, d, m), its bias (K, d). */
  record Bottleneck(NDArray down, NDArray downBias, NDArray up, NDArray upBias) {}

  private final Map<String, Bottleneck> bySublayer = new LinkedHashMap<>();

  /**
   * @param initial per sub-layer, the four tensors in {@link #TENSORS} order, copied
   */
  HoulsbyModule(NDManager parent, int dim, int numTasks, Map<String, List<NDArray>> initial) {
    super(parent, dim, numTasks);
    initial.forEach(
        (sub, t) -> {
          NDArray[] p = new NDArray[4];
          for (int i = 0; i < 4; i++) {
            p[i] = trainable(PREFIX + sub + "." + TENSORS.get(i), t.get(i), AdapterSettings.GROUP);
          }
          bySublayer.put(sub, new Bottleneck(p[0], p[1], p[2], p[3]));
        });
  }

  @Override
  public LayerEdits edits(NDArray taskIds) {
    return new LayerEdits() {
      @Override
      public NDArray sublayer(String module, NDArray out) {
        Bottleneck a = bySublayer.get(module);
        if (a == null) {
          return out;
        }
        NDArray h =
            Activation.SILU.apply(taskLinear(out, a.down(), a.downBias(), taskIds)); // (B,T,m)
        return out.add(taskLinear(h, a.up(), a.upBias(), taskIds)); // (B, T, d)
      }
    };
  }

  @Override
  protected String mismatch(io.mptj.backbone.Backbone backbone) {
    if (backbone.hiddenSize() != dim()) {
      return "adapters of width " + dim() + ", backbone d = " + backbone.hiddenSize();
    }
    for (String sub : bySublayer.keySet()) {
      if (!backbone.sublayers().contains(sub)) {
        return "it has no sub-layer " + sub;
      }
    }
    return null;
  }

  /** The sub-layers adapted, for checks against a backbone's {@code sublayers()}. */
  public List<String> sublayers() {
    return List.copyOf(bySublayer.keySet());
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    bySublayer.forEach(
        (sub, a) -> {
          List<NDArray> t = List.of(a.down(), a.downBias(), a.up(), a.upBias());
          for (int i = 0; i < 4; i++) {
            out.put(PREFIX + sub + "." + TENSORS.get(i), slice(t.get(i), 0, target));
          }
        });
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("architecture", "houlsby");
    json.put("non_linearity", "silu");
    json.put("hidden_size", dim());
    json.put("bottleneck", bySublayer.values().iterator().next().down().getShape().get(1));
    json.put("sublayers", List.copyOf(bySublayer.keySet()));
    return AdapterConfig.custom(HoulsbyAdapters.PEFT_TYPE, target, json);
  }
}
