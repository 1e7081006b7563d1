package io.mptj.train;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import java.util.List;
import java.util.Map;

/**
 * Multitask distillation's loss settings (Wang et al., 2023, Eq. 5; the temperature is not reported
 * by the paper).
 *
 * @param lambda λ weighting the distillation terms (0.9)
 * @param temperature KL temperature T (with T² scaling)
 * @param topK teacher logits kept per target token for seq2seq distillation
 */
public record DistillSettings(double lambda, double temperature, int topK) {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          Knob.of("lambda", "lambda", Knob.Type.DOUBLE, 0.9, "distillation weight λ (default 0.9)"),
          Knob.of(
              "temperature", "temperature", Knob.Type.DOUBLE, 2.0, "distillation KL temperature"),
          Knob.of(
              "top_k",
              "topK",
              Knob.Type.INT,
              32,
              "teacher logits kept per target token (seq2seq distillation)"));

  /** The defaults, for stages that do not distil (seq2seq models still size their caches). */
  public static final DistillSettings DEFAULT = from(SettingsMap.defaults(KNOBS));

  public DistillSettings {
    Checks.check(lambda >= 0, "--lambda", lambda);
    Checks.positive(temperature, "--temperature");
    Checks.positive(topK, "--top-k");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static DistillSettings from(SettingsMap s) {
    return new DistillSettings(s.real("lambda"), s.real("temperature"), s.integer("top_k"));
  }

  /** The values as saved in config.json. */
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, lambda, temperature, topK);
  }
}
