package io.mptj.method.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.SettingsMap;
import io.mptj.method.AdapterConfig;
import io.mptj.method.MethodConfig;
import io.mptj.method.NamedMethod;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptInit;
import io.mptj.method.PromptModule;
import io.mptj.method.Upstream;
import java.util.Set;

/**
 * A tuning method that exists only in the tests, registered by one line in {@code
 * src/test/resources/META-INF/services/io.mptj.method.TuningMethod}: the proof that a method is a
 * folder plus one registry line (its own knobs, parameter group and adapter layout included).
 */
public final class ToyMethod extends NamedMethod {

  public ToyMethod() {
    super("toy", "Toy", ToyConfig.KNOBS, Upstream.NONE, ScaledPrompt.PEFT_TYPE);
  }

  @Override
  public MethodConfig config(SettingsMap settings) {
    return ToyConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    ToyConfig c = (ToyConfig) config;
    try (NDManager tmp = parent.newSubManager()) {
      NDArray base = PromptInit.fresh(init.backbone(), tmp, c.promptLength(), "vocab", init.seed());
      NDArray scales =
          tmp.full(new Shape(init.numTasks(), c.promptLength(), 1), (float) c.toyScale());
      NDArray offsets = tmp.zeros(new Shape(init.numTasks(), 1, init.backbone().hiddenSize()));
      return new ScaledPrompt(parent, base, scales, offsets);
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    PeftAdapter.expectKeys(
        f, Set.of(ScaledPrompt.BASE_KEY, ScaledPrompt.SCALE_KEY, ScaledPrompt.OFFSET_KEY));
    int p = c.numVirtualTokens();
    try (NDManager tmp = parent.newSubManager()) {
      return new ScaledPrompt(
          parent,
          f.require(tmp, ScaledPrompt.BASE_KEY, p, c.tokenDim()),
          f.require(tmp, ScaledPrompt.SCALE_KEY, c.numTasks(), p, 1),
          f.require(tmp, ScaledPrompt.OFFSET_KEY, c.numTasks(), 1, c.tokenDim()));
    }
  }
}
