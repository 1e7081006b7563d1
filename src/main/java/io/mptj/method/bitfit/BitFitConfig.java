package io.mptj.method.bitfit;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.LayerConfig;
import java.util.List;
import java.util.Map;

/**
 * Settings of BitFit (Ben Zaken et al. 2022, arXiv 2106.10199).
 *
 * @param lr the learning rate of the bias offsets
 */
public record BitFitConfig(double lr) implements LayerConfig {

  /** The learning-rate group of the offsets. */
  public static final String GROUP = "bitfit";

  static final Knob LR =
      Knob.of("lr_bitfit", "lrBitfit", Knob.Type.DOUBLE, 1e-3, "learning rate of BitFit's biases");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = List.of(LR);

  public BitFitConfig {
    Checks.positive(lr, "--lr-bitfit");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static BitFitConfig from(SettingsMap s) {
    return new BitFitConfig(s.real(LR.key()));
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
