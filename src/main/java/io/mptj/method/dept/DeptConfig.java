package io.mptj.method.dept;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import java.util.List;
import java.util.Map;

/**
 * Settings of DePT (Shi and Lipani, ICLR 2024, arXiv 2309.05173).
 *
 * @param promptLength m, the (shorter) prompt's length (60 in the paper at T5-Base)
 * @param lr the prompt's learning rate
 * @param init how the prompt starts ({@code vocab} or {@code random})
 * @param rank r of the offset {@code A·B} (30 in the paper)
 * @param positions s, the input positions the offset covers (the paper's maximum input length)
 * @param lrOffset the learning rate of A and B (1e-4 in the paper)
 */
public record DeptConfig(
    int promptLength, double lr, String init, int rank, int positions, double lrOffset)
    implements MethodConfig {

  /** The learning-rate group of the prompt. */
  public static final String PROMPT_GROUP = "prompt";

  /** The learning-rate group of A and B. */
  public static final String OFFSET_GROUP = "dept_offset";

  /** A DePT offset setting. */
  public static final Knob RANK =
      Knob.of("dept_rank", "deptRank", Knob.Type.INT, 8, "DePT offset rank r");

  /** A DePT offset setting. */
  public static final Knob POSITIONS =
      Knob.of(
          "dept_positions",
          "deptPositions",
          Knob.Type.INT,
          128,
          "input positions s the DePT offset A·B covers");

  /** A DePT offset setting. */
  public static final Knob LR_OFFSET =
      Knob.of("lr_offset", "lrOffset", Knob.Type.DOUBLE, 1e-4, "learning rate of DePT's A and B");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          PromptKnobs.PROMPT_LENGTH, PromptKnobs.LR, PromptKnobs.INIT, RANK, POSITIONS, LR_OFFSET);

  public DeptConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(lr, "--lr");
    Checks.positive(rank, "--dept-rank");
    Checks.positive(positions, "--dept-positions");
    Checks.positive(lrOffset, "--lr-offset");
    if (!List.of("vocab", "random").contains(init)) {
      throw new IllegalArgumentException(
          "--init " + init + ": DePT's prompt starts vocab or random");
    }
  }

  /** Reads the values of {@link #KNOBS}. */
  public static DeptConfig from(SettingsMap s) {
    return new DeptConfig(
        s.integer("prompt_length"),
        s.real("lr"),
        s.text("init"),
        s.integer(RANK.key()),
        s.integer(POSITIONS.key()),
        s.real(LR_OFFSET.key()));
  }

  /** Parameters per task: {@code m·d + s·r + r·d}. */
  public static long parameterCount(int m, int s, int r, int d) {
    return (long) m * d + (long) s * r + (long) r * d;
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public DeptConfig withVirtualTokens(int length) {
    return new DeptConfig(length, lr, init, rank, positions, lrOffset);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(PROMPT_GROUP, lr, OFFSET_GROUP, lrOffset);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, lr, init, rank, positions, lrOffset);
  }
}
