package io.mptj.method.lora;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.LayerConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Settings of LoRA (Hu et al. 2022, arXiv 2106.09685).
 *
 * @param rank r of {@code ΔW = (α/r) B A}
 * @param alpha α
 * @param dropout dropout on the LoRA branch's input during training
 * @param targets module-name suffixes, matched as PEFT's {@code target_modules} (a module whose
 *     path equals a target or ends with {@code .target})
 * @param lr the learning rate of A and B
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, double lr)
    implements LayerConfig {

  /** The learning-rate group of A and B. */
  public static final String GROUP = "lora";

  static final Knob RANK = Knob.of("lora_rank", "loraRank", Knob.Type.INT, 8, "LoRA rank r");
  static final Knob ALPHA =
      Knob.of(
          "lora_alpha", "loraAlpha", Knob.Type.DOUBLE, 16.0, "LoRA scaling alpha (ΔW = α/r·BA)");
  static final Knob DROPOUT =
      Knob.of("lora_dropout", "loraDropout", Knob.Type.DOUBLE, 0.0, "dropout on LoRA's input");
  static final Knob TARGETS =
      Knob.of(
          "lora_targets",
          "loraTargets",
          Knob.Type.TEXT,
          "query,value",
          "comma-separated projections LoRA adapts (BERT: query,key,value,dense; T5: q,k,v,o)");
  static final Knob LR =
      Knob.of("lr_lora", "lrLora", Knob.Type.DOUBLE, 5e-4, "learning rate of LoRA's A and B");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = List.of(RANK, ALPHA, DROPOUT, TARGETS, LR);

  public LoraConfig {
    Checks.positive(rank, "--lora-rank");
    Checks.positive(alpha, "--lora-alpha");
    Checks.positive(lr, "--lr-lora");
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("--lora-dropout must be in [0, 1), got " + dropout);
    }
    targets = List.copyOf(targets);
    if (targets.isEmpty() || targets.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("--lora-targets needs module names, e.g. query,value");
    }
  }

  /** Reads the values of {@link #KNOBS}. */
  public static LoraConfig from(SettingsMap s) {
    return new LoraConfig(
        s.integer(RANK.key()),
        s.real(ALPHA.key()),
        s.real(DROPOUT.key()),
        Arrays.stream(s.text(TARGETS.key()).split(",")).map(String::strip).toList(),
        s.real(LR.key()));
  }

  /** α / r. */
  public double scale() {
    return alpha / rank;
  }

  /** Whether PEFT's {@code target_modules} list selects the module at {@code path}. */
  public boolean targets(String path) {
    return targets.stream().anyMatch(t -> path.equals(t) || path.endsWith("." + t));
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, rank, alpha, dropout, String.join(",", targets), lr);
  }
}
