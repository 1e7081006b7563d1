package io.mptj.train;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW's settings other than the learning rates (which the tuning method and the heads declare per
 * parameter group), and the schedule: ATTEMPT's lineage (weight decay 1e-5, clip 1.0, linear warmup
 * then decay).
 *
 * @param weightDecay AdamW's decoupled decay
 * @param warmupSteps linear warmup steps (capped at half the run)
 * @param schedule decay after warmup
 * @param clipNorm gradient-norm bound; 0 disables
 */
public record OptimizerSettings(
    double weightDecay, int warmupSteps, Schedule.Kind schedule, double clipNorm) {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          Knob.of(
              "weight_decay",
              "weightDecay",
              Knob.Type.DOUBLE,
              1e-5,
              "AdamW decoupled weight decay"),
          Knob.of("warmup", "warmupSteps", Knob.Type.INT, 30, "linear warmup steps"),
          Knob.choice(
              "schedule",
              "schedule",
              "linear",
              "constant, linear or cosine decay after warmup",
              "constant",
              "linear",
              "cosine"),
          Knob.of(
              "clip",
              "clipNorm",
              Knob.Type.DOUBLE,
              1.0,
              "gradient-norm clipping bound (0 disables)"));

  public OptimizerSettings {
    Checks.check(weightDecay >= 0, "--weight-decay", weightDecay);
    Checks.check(warmupSteps >= 0, "--warmup", warmupSteps);
  }

  /** Reads the values of {@link #KNOBS}. */
  public static OptimizerSettings from(SettingsMap s) {
    return new OptimizerSettings(
        s.real("weight_decay"),
        s.integer("warmup"),
        s.choice("schedule", Schedule.Kind.class),
        s.real("clip"));
  }

  /** AdamW with these settings and the given rates per parameter group. */
  public AdamW.Settings adamW(Map<String, Double> learningRates) {
    return new AdamW.Settings(learningRates, 0.9, 0.999, 1e-8, weightDecay, clipNorm);
  }

  /** The schedule of a run of {@code steps} steps (warmup at most half of it). */
  public Schedule schedule(int steps) {
    return new Schedule(schedule, Math.min(warmupSteps, steps / 2), steps);
  }

  /** These settings with warmup capped at half of a run of {@code steps}. */
  public OptimizerSettings capped(int steps) {
    return new OptimizerSettings(weightDecay, Math.min(warmupSteps, steps / 2), schedule, clipNorm);
  }

  /** The values as saved in config.json. */
  public Map<String, Object> saved() {
    return Knob.savedAs(KNOBS, weightDecay, warmupSteps, schedule.name(), clipNorm);
  }
}
