package io.mptj.method.bitfit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BitFit as a plug-in: every bias of the backbone trains (as an offset from the frozen one), one
 * per dense layer and norm; a family without biases (T5) gets zero-initialised ones, counted.
 */
public final class BitFitMethod extends NamedMethod {

  /** The adapter type mptj writes (PEFT has none for BitFit). */
  public static final String PEFT_TYPE = "MPTJ_BITFIT";

  public BitFitMethod() {
    super("bitfit", "BitFit", BitFitConfig.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public BitFitConfig config(SettingsMap settings) {
    return BitFitConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> zeros = new LinkedHashMap<>();
      for (Map.Entry<String, Long> e : biasWidths(init.backbone()).entrySet()) {
        zeros.put(e.getKey(), tmp.zeros(new Shape(init.numTasks(), e.getValue()), type(init)));
      }
      if (zeros.isEmpty()) {
        throw new IllegalArgumentException(
            init.backbone().id() + " has no dense layers or norms for BitFit to shift");
      }
      return new BitFitModule(parent, init.backbone().hiddenSize(), init.numTasks(), zeros);
    }
  }

  private static ai.djl.ndarray.types.DataType type(Init init) {
    return init.backbone().wordEmbeddings().getDataType();
  }

  /**
   * A bias per dense layer (its output width) and per norm (its width), by module path: the frozen
   * biases where the family has them (BERT), zero-initialised new ones where it has none (T5's
   * projections and RMS norms), as Ben Zaken et al. count them.
   */
  static Map<String, Long> biasWidths(io.mptj.backbone.Backbone backbone) {
    Map<String, Long> out = new LinkedHashMap<>();
    io.mptj.method.Projections.of(backbone).forEach((m, w) -> out.put(m, w.getShape().get(0)));
    backbone
        .weights()
        .forEach(
            (name, w) -> {
              String module = name.substring(0, name.lastIndexOf('.'));
              boolean norm = name.endsWith(".weight") && w.getShape().dimension() == 1;
              if (norm || (name.endsWith(".bias") && !out.containsKey(module))) {
                out.putIfAbsent(module, w.getShape().get(0));
              }
            });
    return out;
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> offsets = new LinkedHashMap<>();
      int dim = 0;
      for (String name : f.names().stream().sorted().toList()) {
        if (!name.startsWith(BitFitModule.PREFIX) || !name.endsWith(".bias")) {
          throw new CheckpointException(
              f.path() + ": tensor '" + name + "' is not a BitFit offset bitfit.<module>.bias");
        }
        NDArray d = f.load(tmp, name);
        if (d.getShape().dimension() != 1) {
          throw new CheckpointException(
              f.path() + ": " + name + " must be (n), is " + d.getShape());
        }
        String module =
            name.substring(BitFitModule.PREFIX.length(), name.length() - ".bias".length());
        dim = Math.max(dim, (int) d.getShape().get(0));
        offsets.put(module, d.expandDims(0));
      }
      return new BitFitModule(parent, dim, 1, offsets);
    }
  }
}
