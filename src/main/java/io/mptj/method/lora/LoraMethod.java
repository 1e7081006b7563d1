package io.mptj.method.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.Seeds;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.Projections;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA as a plug-in: rank-r updates of the projections {@code --lora-targets} names (the attention
 * query and value by default, as Hu et al.), A from PEFT's default {@code kaiming_uniform(a = √5)}
 * and B zero; PEFT's {@code LORA} layout.
 */
public final class LoraMethod extends NamedMethod {

  /** PEFT's type name. */
  public static final String PEFT_TYPE = "LORA";

  public LoraMethod() {
    super("lora", "LoRA", LoraConfig.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public LoraConfig config(SettingsMap settings) {
    return LoraConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    LoraConfig c = (LoraConfig) config;
    int k = init.numTasks();
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, LoraModule.Factors> factors = new LinkedHashMap<>();
      int i = 0;
      for (var e : Projections.of(init.backbone()).entrySet()) {
        if (c.targets(e.getKey())) {
          long out = e.getValue().getShape().get(0);
          long in = e.getValue().getShape().get(1);
          DataType type = e.getValue().getDataType();
          long seed = Seeds.derive(init.seed(), "lora-A", i++);
          NDArray a = Projections.kaiming(tmp, new Shape(k, c.rank(), in), in, seed, type);
          NDArray b = tmp.zeros(new Shape(k, out, c.rank()), type);
          factors.put(e.getKey(), new LoraModule.Factors(a, b));
        }
      }
      return new LoraModule(parent, init.backbone().hiddenSize(), k, c, factors);
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    LoraConfig config = fromAdapter(c);
    Map<String, List<String>> keys = new LinkedHashMap<>();
    for (String name : f.names().stream().sorted().toList()) {
      String module = moduleOf(f, name);
      keys.computeIfAbsent(module, m -> new ArrayList<>()).add(name);
    }
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, LoraModule.Factors> factors = new LinkedHashMap<>();
      int dim = -1;
      for (String module : keys.keySet()) {
        NDArray a = f.load(tmp, LoraModule.PREFIX + module + ".lora_A.weight");
        NDArray b = f.load(tmp, LoraModule.PREFIX + module + ".lora_B.weight");
        if (a.getShape().dimension() != 2
            || b.getShape().dimension() != 2
            || a.getShape().get(0) != config.rank()
            || b.getShape().get(1) != config.rank()) {
          throw new CheckpointException(
              f.path()
                  + ": "
                  + module
                  + "'s lora_A "
                  + a.getShape()
                  + " and lora_B "
                  + b.getShape()
                  + " do not have rank r = "
                  + config.rank());
        }
        dim = Math.max(dim, (int) a.getShape().get(1));
        factors.put(module, new LoraModule.Factors(a.expandDims(0), b.expandDims(0)));
      }
      return new LoraModule(parent, dim, 1, config, factors);
    }
  }

  /** The module path of a LoRA tensor name, checking PEFT's naming. */
  private static String moduleOf(SafetensorsFile f, String name) {
    for (String suffix : List.of(".lora_A.weight", ".lora_B.weight")) {
      if (name.startsWith(LoraModule.PREFIX) && name.endsWith(suffix)) {
        return name.substring(LoraModule.PREFIX.length(), name.length() - suffix.length());
      }
    }
    throw new CheckpointException(
        f.path()
            + ": tensor '"
            + name
            + "' is not PEFT's base_model.model.<module>.lora_{A,B}.weight");
  }

  /** The settings an adapter was written with (its learning rate is not saved by PEFT). */
  static LoraConfig fromAdapter(AdapterConfig c) {
    Object targets = c.require("target_modules");
    List<String> names =
        targets instanceof List<?> l
            ? l.stream().map(Object::toString).toList()
            : List.of(targets.toString());
    Object dropout = c.json().getOrDefault("lora_dropout", 0.0);
    return new LoraConfig(
        ((Number) c.require("r")).intValue(),
        ((Number) c.require("lora_alpha")).doubleValue(),
        dropout == null ? 0.0 : ((Number) dropout).doubleValue(),
        names,
        (Double) LoraConfig.LR.defaultValue());
  }
}
