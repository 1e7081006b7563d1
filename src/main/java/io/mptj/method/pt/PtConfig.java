package io.mptj.method.pt;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import java.util.List;
import java.util.Map;

/**
 * Settings of vanilla prompt tuning (and of SPoT, which only starts elsewhere).
 *
 * @param promptLength P (100 in the paper)
 * @param lr the prompt's learning rate (0.3)
 * @param init {@code vocab} (sampled vocabulary embeddings, the paper's) or {@code random}
 */
public record PtConfig(int promptLength, double lr, String init) implements MethodConfig {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(PromptKnobs.PROMPT_LENGTH, PromptKnobs.LR, PromptKnobs.INIT);

  public PtConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(lr, "--lr");
    if (!List.of("vocab", "random").contains(init)) {
      throw new IllegalArgumentException(
          "--init " + init + " applies to distillation only; use vocab or random");
    }
  }

  /** Reads the values of {@link #KNOBS}. */
  public static PtConfig from(SettingsMap s) {
    return new PtConfig(s.integer("prompt_length"), s.real("lr"), s.text("init"));
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public PtConfig withVirtualTokens(int length) {
    return new PtConfig(length, lr, init);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(SoftPrompt.GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, lr, init);
  }
}
