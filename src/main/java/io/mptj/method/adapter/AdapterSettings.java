package io.mptj.method.adapter;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.LayerConfig;
import java.util.List;
import java.util.Map;

/**
 * Settings of Houlsby adapters (Houlsby et al. 2019, arXiv 1902.00751).
 *
 * @param reduction the bottleneck is {@code d / reduction} wide (at least 1)
 * @param lr the adapters' learning rate
 */
public record AdapterSettings(int reduction, double lr) implements LayerConfig {

  /** The learning-rate group of the adapters. */
  public static final String GROUP = "adapter";

  static final Knob REDUCTION =
      Knob.of(
          "adapter_reduction",
          "adapterReduction",
          Knob.Type.INT,
          16,
          "adapter bottleneck = d / reduction (Houlsby adapters)");
  static final Knob LR =
      Knob.of("lr_adapter", "lrAdapter", Knob.Type.DOUBLE, 1e-3, "learning rate of the adapters");

  /** The settings this record reads. */
  public static final List<Knob> KNOBS = List.of(REDUCTION, LR);

  public AdapterSettings {
    Checks.positive(reduction, "--adapter-reduction");
    Checks.positive(lr, "--lr-adapter");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static AdapterSettings from(SettingsMap s) {
    return new AdapterSettings(s.integer(REDUCTION.key()), s.real(LR.key()));
  }

  /** The bottleneck width for hidden width d. */
  public int bottleneck(int d) {
    return Math.max(1, d / reduction);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, reduction, lr);
  }
}
