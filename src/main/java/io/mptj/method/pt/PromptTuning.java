package io.mptj.method.pt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * Vanilla prompt tuning (Lester et al., 2021): one trainable (P, d) prompt per task, from sampled
 * vocabulary embeddings; PEFT's {@code PROMPT_TUNING} layout.
 */
public final class PromptTuning extends NamedMethod {

  public PromptTuning() {
    super("pt", "PT", PtConfig.KNOBS, Upstream.NONE, AdapterConfig.PROMPT_TUNING);
  }

  @Override
  public PtConfig config(SettingsMap settings) {
    return PtConfig.from(settings);
  }

  @Override
  public PromptModule create(Init init, MethodConfig config, NDManager parent) {
    PtConfig c = (PtConfig) config;
    try (NDManager tmp = parent.newSubManager()) {
      NDArray prompt =
          PromptInit.fresh(init.backbone(), tmp, c.promptLength(), c.init(), init.seed()); // (P, d)
      return new SoftPrompt(parent, prompt.expandDims(0).repeat(0, init.numTasks())); // (K, P, d)
    }
  }

  @Override
  public PromptModule load(AdapterConfig c, SafetensorsFile f, NDManager parent) {
    int submodules = Math.max(1, c.numTransformerSubmodules());
    int p = c.numVirtualTokens() * submodules;
    PeftAdapter.expectKeys(f, Set.of(SoftPrompt.KEY));
    try (NDManager tmp = parent.newSubManager()) {
      return SoftPrompt.single(parent, f.require(tmp, SoftPrompt.KEY, p, c.tokenDim()), submodules);
    }
  }
}
