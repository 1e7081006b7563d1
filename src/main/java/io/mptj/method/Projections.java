package io.mptj.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.Backbone;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** The backbone's dense projections as methods that adapt them see them, and their initialisers. */
public final class Projections {
  private Projections() {}

  /**
   * The backbone's dense layers by HF module path (e.g. {@code
   * encoder.layer.0.attention.self.query}), each with its frozen (out, in) weight: every 2-D {@code
   * <module>.weight} that is not an embedding table, in the backbone's order.
   */
  public static Map<String, NDArray> of(Backbone backbone) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    backbone
        .weights()
        .forEach(
            (name, w) -> {
              if (name.endsWith(".weight")
                  && w.getShape().dimension() == 2
                  && !name.contains("embed")
                  && !name.contains("relative_attention_bias")
                  && !name.startsWith("lm_head")
                  && !name.equals("shared.weight")) {
                out.put(name.substring(0, name.length() - ".weight".length()), w);
              }
            });
    return out;
  }

  /**
   * Values as {@code torch.nn.init.kaiming_uniform_(w, a = √5)} draws them for fan-in {@code in}:
   * uniform in {@code [-1/√in, 1/√in)} (the bound of PyTorch's and PEFT's default init).
   */
  public static NDArray kaiming(NDManager m, Shape shape, long in, long seed, DataType type) {
    return uniform(m, shape, 1 / Math.sqrt(in), seed, type);
  }

  /** Values uniform in {@code [-bound, bound)} from a seeded generator. */
  public static NDArray uniform(NDManager m, Shape shape, double bound, long seed, DataType type) {
    Random rng = new Random(seed);
    float[] x = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return m.create(x, shape).toType(type, false);
  }
}
