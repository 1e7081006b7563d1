package io.mptj.method.ft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Full fine-tuning as a plug-in: every backbone weight trains (a copy of it), with the head. */
public final class FineTuning extends NamedMethod {

  /** The type mptj writes for a fine-tuned backbone. */
  public static final String PEFT_TYPE = "MPTJ_FULL_FINE_TUNING";

  public FineTuning() {
    super("ft", "Finetuning", FineTuneConfig.KNOBS, Upstream.NONE, PEFT_TYPE);
  }

  @Override
  public FineTuneConfig config(SettingsMap settings) {
    return FineTuneConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    if (init.numTasks() != 1) {
      throw new IllegalArgumentException(
          "--method ft tunes one copy of the backbone per task; give one --task");
    }
    return new FineTuneModule(parent, init.backbone().hiddenSize(), init.backbone().weights());
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int d = ((Number) c.require("hidden_size")).intValue();
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> weights = new LinkedHashMap<>();
      for (String name : f.names()) {
        weights.put(name, f.load(tmp, name));
      }
      return new FineTuneModule(parent, d, weights);
    }
  }
}
