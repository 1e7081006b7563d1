package io.mptj.method.ft;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.LayerConfig;
import java.util.List;
import java.util.Map;

/**
 * Settings of full fine-tuning.
 *
 * @param lr the learning rate of every backbone weight
 */
public record FineTuneConfig(double lr) implements LayerConfig {

  /** The learning-rate group of the backbone's copies. */
  public static final String GROUP = "backbone";

  static final Knob LR =
      Knob.of("lr_ft", "lrFt", Knob.Type.DOUBLE, 3e-5, "learning rate of full fine-tuning");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = List.of(LR);

  public FineTuneConfig {
    Checks.positive(lr, "--lr-ft");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static FineTuneConfig from(SettingsMap s) {
    return new FineTuneConfig(s.real(LR.key()));
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, lr);
  }
}
