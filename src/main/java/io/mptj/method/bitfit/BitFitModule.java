package io.mptj.method.bitfit;

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
 * BitFit (Ben Zaken et al. 2022): only the bias terms train. Each bias {@code b} of the frozen
 * backbone (dense layers and LayerNorms) becomes {@code b + δ} with a trainable offset δ starting
 * at zero, per task (K, n), so the frozen tensors are never written; the gradient of δ is the
 * bias's gradient. A family without biases (T5) would get zero-initialised bias terms the same way,
 * counted as the offsets are. Saved as {@code bitfit.<module>.bias} (K = 1: (n)) under peft_type
 * {@code MPTJ_BITFIT} (PEFT has no BitFit type).
 */
public final class BitFitModule extends LayerModule {

  static final String PREFIX = "bitfit.";

  private final Map<String, NDArray> offsets = new LinkedHashMap<>();

  /**
   * @param initial per module path, the offset (K, n), copied
   */
  BitFitModule(NDManager parent, int dim, int numTasks, Map<String, NDArray> initial) {
    super(parent, dim, numTasks);
    initial.forEach(
        (module, d) -> offsets.put(module, trainable(module + ".bias", d, BitFitConfig.GROUP)));
  }

  @Override
  public LayerEdits edits(NDArray taskIds) {
    return new LayerEdits() {
      @Override
      public NDArray linear(Linear layer, NDArray x) {
        NDArray shift = shift(layer.parts(), taskIds);
        NDArray y = layer.apply(x); // (B, T, out)
        return shift == null ? y : y.add(shift); // (B, T, out)
      }

      @Override
      public NDArray rmsNorm(io.mptj.backbone.nn.RmsNorm norm, NDArray x) {
        NDArray shift = shift(List.of(norm.name()), taskIds);
        NDArray y = norm.apply(x); // (B, T, d)
        return shift == null ? y : y.add(shift);
      }

      @Override
      public NDArray norm(LayerNorm norm, NDArray x) {
        NDArray shift = shift(List.of(norm.name()), taskIds);
        NDArray y = norm.apply(x); // (B, T, d)
        return shift == null ? y : y.add(shift);
      }
    };
  }

  /**
   * The offsets of a layer's parts, joined: (B, 1, out), or (1, 1, out) for a single task so that
   * it broadcasts over any rows (T5's rank classification decodes C candidate rows per input).
   */
  private NDArray shift(List<String> parts, NDArray taskIds) {
    if (parts.stream().noneMatch(offsets::containsKey)) {
      return null;
    }
    NDList pieces = new NDList(parts.size());
    for (String part : parts) {
      NDArray d = offsets.get(part); // (K, n)
      pieces.add(numTasks() == 1 ? d : rows(d, taskIds)); // (1, n) broadcast, or (B, n)
    }
    NDArray joined =
        pieces.size() == 1
            ? pieces.getFirst() // a parameter (K = 1) or step rows: never handed to the step
            : onStep(ai.djl.ndarray.NDArrays.concat(pieces, 1), taskIds);
    return onStep(joined.expandDims(1), taskIds); // (B, 1, out)
  }

  @Override
  protected String mismatch(io.mptj.backbone.Backbone backbone) {
    Map<String, Long> widths = BitFitMethod.biasWidths(backbone);
    for (var e : offsets.entrySet()) {
      Long width = widths.get(e.getKey());
      if (width == null || width != e.getValue().getShape().get(1)) {
        return "BitFit offset of "
            + e.getKey()
            + " "
            + e.getValue().getShape().slice(1)
            + (width == null ? " has no layer to shift" : " does not match its width " + width);
      }
    }
    return null;
  }

  @Override
  public Map<String, NDArray> peftState(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    offsets.forEach((module, d) -> out.put(PREFIX + module + ".bias", slice(d, 0, target)));
    return out;
  }

  @Override
  public AdapterConfig adapterConfig(PeftAdapter.Target target) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("bias_offsets", "bitfit.<module>.bias is added to the frozen <module>.bias");
    return AdapterConfig.custom(BitFitMethod.PEFT_TYPE, target, json);
  }
}
