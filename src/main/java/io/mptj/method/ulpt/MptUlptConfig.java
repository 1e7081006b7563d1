package io.mptj.method.ulpt;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import io.mptj.method.SourceChoice;
import io.mptj.method.mpt.MptConfig;
import java.util.List;
import java.util.Map;

/**
 * Settings of MPT transfer into ULPT's parameterisation: MPT's choice of the target's start ({@code
 * target_init}), ULPT's rank, and one learning rate for ULPT's Z, scale and shift.
 *
 * @param promptLength P (the distillation run's prompt length is what counts)
 * @param lr the learning rate of Z, scale and shift
 * @param targetInit how MPT's transferred prompt is chosen: mean, best or match ({@link
 *     MptConfig#TARGET_INIT})
 * @param rank r of ULPT's Z (P × r), at most the hidden size d
 */
public record MptUlptConfig(int promptLength, double lr, String targetInit, int rank)
    implements MethodConfig {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(PromptKnobs.PROMPT_LENGTH, PromptKnobs.LR, MptConfig.TARGET_INIT, UlptConfig.RANK);

  public MptUlptConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(lr, "--lr");
    Checks.positive(rank, "--ulpt-rank");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static MptUlptConfig from(SettingsMap s) {
    return new MptUlptConfig(
        s.integer("prompt_length"),
        s.real("lr"),
        s.has("target_init") ? s.text("target_init") : "mean",
        s.integer(UlptConfig.RANK.key()));
  }

  /** The MPT settings that pick and build the transferred prompt (its rates are not used). */
  MptConfig mpt() {
    return MptConfig.from(
        SettingsMap.defaults(MptConfig.KNOBS)
            .with("prompt_length", promptLength)
            .with("lr", lr)
            .with("target_init", targetInit));
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public MptUlptConfig withVirtualTokens(int length) {
    return new MptUlptConfig(length, lr, targetInit, rank);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(UlptConfig.GROUP, lr);
  }

  @Override
  public SourceChoice sourceChoice() {
    return mpt().sourceChoice();
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, lr, targetInit, rank);
  }
}
