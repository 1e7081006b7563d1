package io.mptj.method.ulpt;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import java.util.List;
import java.util.Map;

/**
 * Settings of ULPT, ultra-low-dimensional prompt tuning (EACL 2026).
 *
 * @param promptLength P
 * @param lr the learning rate of Z and of the shift and scale vectors
 * @param rank r, the width of the learned low-dimensional prompt Z (P, r)
 */
public record UlptConfig(int promptLength, double lr, int rank) implements MethodConfig {

  /** The learning-rate group of every ULPT tensor. */
  public static final String GROUP = "prompt";

  static final Knob RANK =
      Knob.of("ulpt_rank", "ulptRank", Knob.Type.INT, 64, "ULPT's prompt dimension r (Z is P × r)");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = List.of(PromptKnobs.PROMPT_LENGTH, PromptKnobs.LR, RANK);

  public UlptConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(lr, "--lr");
    Checks.positive(rank, "--ulpt-rank");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static UlptConfig from(SettingsMap s) {
    return new UlptConfig(s.integer("prompt_length"), s.real("lr"), s.integer(RANK.key()));
  }

  /** Stored parameters per task: {@code P·r + 2d} (the projection is rebuilt from its seed). */
  public static long parameterCount(int p, int r, int d) {
    return (long) p * r + 2L * d;
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public UlptConfig withVirtualTokens(int length) {
    return new UlptConfig(length, lr, rank);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, lr, rank);
  }
}
