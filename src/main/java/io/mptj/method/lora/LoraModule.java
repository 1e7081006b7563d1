package io.mptj.method.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.backbone.nn.Linear;
import io.mptj.engine.Tensors;
import io.mptj.method.AdapterConfig;
import io.mptj.method.LayerModule;
import io.mptj.method.PeftAdapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA (Hu et al. 2022, arXiv 2106.09685): each targeted frozen projection {@code y = x Wᵀ + b}
 * becomes {@code y + (α/r) · drop(x) Aᵀ Bᵀ} with A (r, in) and B (out, r), B starting at zero so
 * the model starts as the frozen one. Per task, A and B are stored (K, r, in) and (K, out, r) and
 * gathered per row. PEFT's layout: {@code base_model.model.<module>.lora_A.weight} (r, in) and
 * {@code .lora_B.weight} (out, r) for the first task (PEFT's {@code utils/save_and_load.py}).
 */
public final class LoraModule extends LayerModule {

  /** PEFT's key prefix of a wrapped model's modules. */
  static final String PREFIX = "base_model.model.";

  /** The factors of one adapted projection. */
  record Factors(NDArray a, NDArray b) {}

  private final LoraConfig config;
  private final Map<String, Factors> byModule = new LinkedHashMap<>();

  /**
   * @param initial per module path, A (K, r, in) and B (K, out, r), copied
   */
  LoraModule(
      NDManager parent, int dim, int numTasks, LoraConfig config, Map<String, Factors> initial) {
    super(parent, dim, numTasks);
    this.config = config;
    if (initial.isEmpty()) {
      throw new IllegalArgumentException(
          "--lora-targets " + config.targets() + " matches no projection of the backbone");
    }
    initial.forEach(
        (module, f) ->
            byModule.put(
                module,
                new Factors(
                    trainable(module + ".lora_A", f.a(), LoraConfig.GROUP),
                    trainable(module + ".lora_B", f.b(), LoraConfig.GROUP))));
  }

  /** The adapted module paths, in the backbone's order. */
  public List<String> modules() {
    return List.copyOf(byModule.keySet());
  }

  @Override
  public LayerEdits edits(NDArray taskIds) {
    return new LayerEdits() {
      @Override
      public NDArray linear(Linear layer, NDArray x) {
        return adapted(layer, x, taskIds);
      }
    };
  }

  /** The frozen layer's output plus the LoRA branch of each adapted part: (B, T, out). */
  private NDArray adapted(Linear layer, NDArray x, NDArray taskIds) {
    List<String> parts = layer.parts();
    if (parts.stream().noneMatch(byModule::containsKey)) {
      return layer.apply(x);
    }
    NDArray y = layer.apply(x); // (B, T, out)
    NDArray in = dropout(x); // (B, T, in)
    if (parts.size() == 1) {
      return y.add(branch(byModule.get(parts.getFirst()), in, taskIds));
    }
    long width = layer.out() / parts.size();
    NDList pieces = new NDList(parts.size());
    for (String part : parts) {
      Factors f = byModule.get(part);
      pieces.add(f == null ? zeros(x, width) : branch(f, in, taskIds)); // (B, T, out/parts)
    }
    return y.add(ai.djl.ndarray.NDArrays.concat(pieces, 2)); // (B, T, out)
  }

  /** {@code (α/r) x Aᵀ Bᵀ}: (B, T, in) to (B, T, out). */
  private NDArray branch(Factors f, NDArray x, NDArray taskIds) {
    NDArray xa = taskLinear(x, f.a(), null, taskIds); // (B, T, r)
    return Tensors.times(taskLinear(xa, f.b(), null, taskIds), config.scale()); // (B, T, out)
  }

  private NDArray dropout(NDArray x) {
    return io.mptj.engine.Tensors.dropoutWhileTraining(x, config.dropout());
  }

  private static NDArray zeros(NDArray x, long width) {
    Shape s = x.getShape();
    return x.getManager().zeros(new Shape(s.get(0), s.get(1), width), x.getDataType());
  }

  @Override
  protected String mismatch(io.mptj.backbone.Backbone backbone) {
    Map<String, NDArray> weights = backbone.weights();
    for (var e : byModule.entrySet()) {
      NDArray w = weights.get(e.getKey() + ".weight");
      Shape a = e.getValue().a().getShape();
      Shape b = e.getValue().b().getShape();
      if (w == null) {
        return "it has no layer " + e.getKey();
      }
      if (w.getShape().get(1) != a.get(2) || w.getShape().get(0) != b.get(1)) {
        return e.getKey() + " is " + w.getShape() + ", its LoRA factors are " + a + " and " + b;
      }
    }
    return null;
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    byModule.forEach(
        (module, f) -> {
          out.put(PREFIX + module + ".lora_A.weight", slice(f.a(), 0, target));
          out.put(PREFIX + module + ".lora_B.weight", slice(f.b(), 0, target));
        });
    return out;
  }

  /**
   * PEFT's {@code LoraConfig} as PEFT 0.7 writes it ({@code tuners/lora/config.py}): {@code r},
   * {@code lora_alpha}, {@code lora_dropout}, {@code target_modules}, no bias, not fan-in-fan-out.
   */
  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("alpha_pattern", Map.of());
    json.put("auto_mapping", null);
    json.put("bias", "none");
    json.put("fan_in_fan_out", false);
    json.put("init_lora_weights", true);
    json.put("layers_pattern", null);
    json.put("layers_to_transform", null);
    json.put("loftq_config", Map.of());
    json.put("lora_alpha", config.alpha());
    json.put("lora_dropout", config.dropout());
    json.put("megatron_config", null);
    json.put("megatron_core", "megatron.core");
    json.put("modules_to_save", null);
    json.put("r", config.rank());
    json.put("rank_pattern", Map.of());
    json.put("target_modules", new ArrayList<>(config.targets()));
    json.put("use_rslora", false);
    return AdapterConfig.custom(LoraMethod.PEFT_TYPE, target, json);
  }
}
