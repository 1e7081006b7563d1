package io.mptj.method.mpt;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import io.mptj.method.SourceChoice;
import java.util.List;
import java.util.Map;

/**
 * Settings of multitask prompt tuning (Wang et al., 2023, §3 and Appendix A).
 *
 * @param promptLength P (100 in the paper)
 * @param rank r of the task update {@code u vᵀ} (1 in the paper)
 * @param lr learning rate of P* (0.3)
 * @param lrTask learning rate of u, v (0.3 in distillation, 0.4 in adaptation)
 * @param init how distillation's P* starts: {@code vocab} (the paper's), {@code random}, or {@code
 *     teachers} (their mean); target adaptation starts from the distilled P*
 */
public record MptConfig(
    int promptLength, int rank, double lr, double lrTask, String init, String targetInit)
    implements MethodConfig {

  /** The rank r of the task update. */
  public static final Knob RANK =
      Knob.of("rank", "rank", Knob.Type.INT, 1, "rank r of MPT's task update u vᵀ (default 1)");

  /** The learning rate of the task vectors. */
  public static final Knob LR_TASK =
      Knob.of(
          "lr_task", "lrTask", Knob.Type.DOUBLE, 0.3, "learning rate of MPT's task vectors u, v");

  /** How a target's task vectors start. */
  public static final Knob TARGET_INIT =
      Knob.choice(
          "target_init",
          "targetInit",
          "mean",
          "a target's task vectors u, v: mean (the average of the sources', default), best (the"
              + " source whose vectors and head score best on the target's dev split, before"
              + " training) or match (among the sources sharing the most class names with the"
              + " target, the best on dev)",
          "mean",
          "best",
          "match");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          PromptKnobs.PROMPT_LENGTH, RANK, PromptKnobs.LR, LR_TASK, PromptKnobs.INIT, TARGET_INIT);

  public MptConfig {
    Checks.positive(promptLength, "--prompt-length");
    Checks.positive(rank, "--rank");
    Checks.positive(lr, "--lr");
    Checks.positive(lrTask, "--lr-task");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static MptConfig from(SettingsMap s) {
    return new MptConfig(
        s.integer("prompt_length"),
        s.integer("rank"),
        s.real("lr"),
        s.real("lr_task"),
        s.text("init"),
        s.has("target_init") ? s.text("target_init") : "mean");
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public MptConfig withVirtualTokens(int length) {
    return new MptConfig(length, rank, lr, lrTask, init, targetInit);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(MultitaskPrompt.SHARED_GROUP, lr, MultitaskPrompt.TASK_GROUP, lrTask);
  }

  @Override
  public SourceChoice sourceChoice() {
    return switch (targetInit) {
      case "best" -> SourceChoice.DEV;
      case "match" -> SourceChoice.LABELS;
      default -> SourceChoice.NONE;
    };
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, promptLength, rank, lr, lrTask, init, targetInit);
  }
}
