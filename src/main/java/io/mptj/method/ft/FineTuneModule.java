package io.mptj.method.ft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.backbone.nn.LayerNorm;
import io.mptj.backbone.nn.Linear;
import io.mptj.method.AdapterConfig;
import io.mptj.method.LayerModule;
import io.mptj.method.PeftAdapter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Full fine-tuning: a trainable copy of every backbone tensor (the mapped originals stay frozen and
 * shared), used in their place by every layer of the forward; one task per module. Saved under the
 * backbone's own Hugging Face names, so {@code adapter_model.safetensors} is a {@code
 * model.safetensors} of the tuned backbone.
 */
public final class FineTuneModule extends LayerModule {

  private final Map<String, NDArray> copies = new LinkedHashMap<>();

  /**
   * @param weights the backbone's tensors by HF name, copied
   */
  FineTuneModule(NDManager parent, int dim, Map<String, NDArray> weights) {
    super(parent, dim, 1);
    weights.forEach((name, w) -> copies.put(name, trainable(name, w, FineTuneConfig.GROUP)));
  }

  @Override
  public LayerEdits edits(NDArray taskIds) {
    return new LayerEdits() {
      @Override
      public NDArray linear(Linear layer, NDArray x) {
        NDArray w = joined(layer.parts(), ".weight", x);
        NDArray b = layer.bias() == null ? null : joined(layer.parts(), ".bias", x);
        return new Linear(layer.name(), w, b).apply(x);
      }

      @Override
      public NDArray norm(LayerNorm norm, NDArray x) {
        return new LayerNorm(
                norm.name(), copy(norm.name() + ".weight"), copy(norm.name() + ".bias"), norm.eps())
            .apply(x);
      }

      @Override
      public NDArray rmsNorm(io.mptj.backbone.nn.RmsNorm norm, NDArray x) {
        return new io.mptj.backbone.nn.RmsNorm(
                norm.name(), copy(norm.name() + ".weight"), norm.eps())
            .apply(x);
      }

      @Override
      public NDArray table(String name, NDArray table) {
        return copy(name);
      }
    };
  }

  /**
   * The copies of the parts' tensors, stacked along the output axis: the copy itself for one part,
   * else a concatenation owned by {@code step}'s manager.
   */
  private NDArray joined(List<String> parts, String suffix, NDArray step) {
    if (parts.size() == 1) {
      return copy(parts.getFirst() + suffix);
    }
    NDList pieces = new NDList(parts.size());
    parts.forEach(p -> pieces.add(copy(p + suffix)));
    return onStep(ai.djl.ndarray.NDArrays.concat(pieces, 0), step);
  }

  private NDArray copy(String name) {
    NDArray c = copies.get(name);
    if (c == null) {
      throw new IllegalStateException("fine-tuning holds no copy of " + name);
    }
    return c;
  }

  @Override
  protected String mismatch(io.mptj.backbone.Backbone backbone) {
    Map<String, NDArray> weights = backbone.weights();
    if (!weights.keySet().equals(copies.keySet())) {
      return "its tensors are not the backbone's (" + copies.size() + " vs " + weights.size() + ")";
    }
    for (var e : copies.entrySet()) {
      if (!weights.get(e.getKey()).getShape().equals(e.getValue().getShape())) {
        return e.getKey()
            + " is "
            + e.getValue().getShape()
            + ", the backbone's "
            + weights.get(e.getKey()).getShape();
      }
    }
    return null;
  }

  /** Every parameter is the one task's. */
  @Override
  public long taskParameterCount() {
    return copies.values().stream().mapToLong(NDArray::size).sum();
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    copies.forEach((name, w) -> out.put(name, io.mptj.method.ModuleTensors.detached(w, target)));
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("hidden_size", dim());
    json.put("weights", "the whole tuned backbone under its Hugging Face names");
    return AdapterConfig.custom(FineTuning.PEFT_TYPE, target, json);
  }
}
