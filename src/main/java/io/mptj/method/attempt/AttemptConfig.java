package io.mptj.method.attempt;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import java.util.List;
import java.util.Map;

/**
 * Settings of ATTEMPT (Asai et al., EMNLP 2022, arXiv 2205.11961).
 *
 * @param promptLength P (the source prompts' length)
 * @param lr the target prompt's learning rate
 * @param init how the target prompt starts ({@code vocab} or {@code random})
 * @param rank r, the attention module's bottleneck
 * @param lrAttention the attention module's learning rate
 */
public record AttemptConfig(int promptLength, double lr, String init, int rank, double lrAttention)
    implements MethodConfig {

  /** The learning-rate group of the target prompt. */
  public static final String PROMPT_GROUP = "prompt";

  /** The learning-rate group of the attention module. */
  public static final String ATTENTION_GROUP = "attempt_attention";

  static final Knob RANK =
      Knob.of("attempt_rank", "attemptRank", Knob.Type.INT, 32, "ATTEMPT attention bottleneck r");
  static final Knob LR_ATTENTION =
      Knob.of(
          "lr_attention",
          "lrAttention",
          Knob.Type.DOUBLE,
          0.01,
          "learning rate of ATTEMPT's attention module");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(PromptKnobs.PROMPT_LENGTH, PromptKnobs.LR, PromptKnobs.INIT, RANK, LR_ATTENTION);

  public AttemptConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(lr, "--lr");
    Checks.positive(rank, "--attempt-rank");
    Checks.positive(lrAttention, "--lr-attention");
    if (!List.of("vocab", "random").contains(init)) {
      throw new IllegalArgumentException(
          "--init " + init + ": ATTEMPT's target starts vocab or random");
    }
  }

  /** Reads the values of {@link #KNOBS}. */
  public static AttemptConfig from(SettingsMap s) {
    return new AttemptConfig(
        s.integer("prompt_length"),
        s.real("lr"),
        s.text("init"),
        s.integer(RANK.key()),
        s.real(LR_ATTENTION.key()));
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public AttemptConfig withVirtualTokens(int length) {
    return new AttemptConfig(length, lr, init, rank, lrAttention);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(PROMPT_GROUP, lr, ATTENTION_GROUP, lrAttention);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, lr, init, rank, lrAttention);
  }
}
