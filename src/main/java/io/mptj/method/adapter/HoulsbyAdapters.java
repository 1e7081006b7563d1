package io.mptj.method.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Houlsby adapters as a plug-in: two bottleneck adapters per block (Houlsby et al. 2019). */
public final class HoulsbyAdapters extends NamedMethod {

  /** The adapter type mptj writes (PEFT has no bottleneck adapters). */
  public static final String PEFT_TYPE = "MPTJ_HOULSBY";

  private static final double INIT_STD = 0.01;

  public HoulsbyAdapters() {
    super("adapter", "Adapters", AdapterSettings.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public AdapterSettings config(SettingsMap settings) {
    return AdapterSettings.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    AdapterSettings c = (AdapterSettings) config;
    int d = init.backbone().hiddenSize();
    int m = c.bottleneck(d);
    int k = init.numTasks();
    List<String> subs = init.backbone().sublayers();
    if (subs.isEmpty()) {
      throw new IllegalArgumentException(
          "backbone " + init.backbone().id() + " offers no sub-layers for adapters");
    }
    DataType type = init.backbone().wordEmbeddings().getDataType();
    Random rng = new Random(init.seed());
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, List<NDArray>> tensors = new LinkedHashMap<>();
      for (String sub : subs) {
        tensors.put(
            sub,
            List.of(
                gaussian(tmp, new Shape(k, m, d), rng, type),
                tmp.zeros(new Shape(k, m), type),
                gaussian(tmp, new Shape(k, d, m), rng, type),
                tmp.zeros(new Shape(k, d), type)));
      }
      return new HoulsbyModule(parent, d, k, tensors);
    }
  }

  private static NDArray gaussian(NDManager m, Shape shape, Random rng, DataType type) {
    float[] x = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextGaussian() * INIT_STD);
    }
    return m.create(x, shape).toType(type, false);
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int d = ((Number) c.require("hidden_size")).intValue();
    int m = ((Number) c.require("bottleneck")).intValue();
    Object listed = c.require("sublayers");
    if (!(listed instanceof List<?> subs) || subs.isEmpty()) {
      throw new CheckpointException(f.path() + ": 'sublayers' must list the adapted sub-layers");
    }
    java.util.Set<String> expected = new java.util.TreeSet<>();
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, List<NDArray>> tensors = new LinkedHashMap<>();
      for (Object o : subs) {
        String sub = o.toString();
        long[][] shapes = {{m, d}, {m}, {d, m}, {d}};
        List<NDArray> t = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String key = HoulsbyModule.PREFIX + sub + "." + HoulsbyModule.TENSORS.get(i);
          expected.add(key);
          t.add(f.require(tmp, key, shapes[i]).expandDims(0));
        }
        tensors.put(sub, t);
      }
      io.mptj.method.PeftAdapter.expectKeys(f, expected);
      return new HoulsbyModule(parent, d, 1, tensors);
    }
  }
}
