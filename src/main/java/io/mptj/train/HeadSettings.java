package io.mptj.train;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import java.util.List;
import java.util.Map;

/**
 * How an encoder reads a task out: the pooling of its states and the learning rate of its task
 * heads (measured on all-MiniLM-L6-v2, see README). Seq2seq backbones read out through their
 * decoder and ignore these.
 *
 * @param lrHead rate of the heads' parameter group {@link io.mptj.method.Parameter#HEAD_GROUP}
 * @param pooling how encoder states are reduced for the heads
 * @param readout how pooled states become class scores ({@link Readout})
 * @param labelScale the scale s of a label head's cosine scores
 * @param fromSource whether a target's linear head starts from the upstream run's head (each target
 *     class from the source class of the same or the most similar name) instead of fresh
 */
public record HeadSettings(
    double lrHead,
    EncoderTaskModel.Pooling pooling,
    Readout readout,
    double labelScale,
    boolean fromSource) {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          Knob.of(
              "lr_head", "lrHead", Knob.Type.DOUBLE, 0.01, "learning rate of encoder task heads"),
          Knob.choice(
              "pooling",
              "pooling",
              "mean",
              "encoder pooling for task heads: mean or cls",
              "mean",
              "cls"),
          Knob.choice(
              "head",
              "head",
              "task",
              "encoder readout: task (a linear head per task), shared (one linear head over class"
                  + " indices, carried from sources to targets) or label (cosine to the encoder's"
                  + " embedding of each class name, no parameters)",
              "task",
              "shared",
              "label"),
          Knob.of(
              "label_scale",
              "labelScale",
              Knob.Type.DOUBLE,
              20.0,
              "scale s of the label head's scores s·cos(pooled, label)"),
          Knob.choice(
              "head_init",
              "headInit",
              "fresh",
              "a target's task head: fresh (drawn anew) or source (each class's row copied from the"
                  + " upstream run's class of the same, else the most similar, name)",
              "fresh",
              "source"));

  /** Per-task linear heads with the given rate and pooling. */
  public HeadSettings(double lrHead, EncoderTaskModel.Pooling pooling) {
    this(lrHead, pooling, Readout.TASK, 20.0, false);
  }

  public HeadSettings {
    Checks.positive(lrHead, "--lr-head");
    Checks.positive(labelScale, "--label-scale");
  }

  /** Reads the values of {@link #KNOBS}. */
  public static HeadSettings from(SettingsMap s) {
    return new HeadSettings(
        s.real("lr_head"),
        s.choice("pooling", EncoderTaskModel.Pooling.class),
        s.choice("head", Readout.class),
        s.real("label_scale"),
        s.has("head_init") && "source".equals(s.text("head_init")));
  }

  /** The heads' learning-rate group. */
  public Map<String, Double> learningRates() {
    return Map.of(io.mptj.method.Parameter.HEAD_GROUP, lrHead);
  }

  /** The values as saved in config.json. */
  public Map<String, Object> saved() {
    return Knob.savedAs(
        KNOBS, lrHead, pooling.name(), readout.key(), labelScale, fromSource ? "source" : "fresh");
  }
}
