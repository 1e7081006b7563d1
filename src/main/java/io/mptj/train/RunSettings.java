package io.mptj.train;

import io.mptj.engine.Checks;
import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import java.util.List;
import java.util.Map;

/**
 * How long and on what one run trains: its length, batch, evaluation interval, seed, input cap and
 * task sampling. Owned by the trainer; validated when built.
 *
 * @param steps optimizer steps (resolved from {@code epochs} once the data is known)
 * @param epochs when positive, the run's length in epochs over its own training data; 0 when steps
 *     were given
 * @param batchSize examples per step (32 in the paper for T5-Base)
 * @param evalEvery dev evaluation interval in steps (0: only at the end)
 * @param seed the run's seed (initialisations and batch order)
 * @param maxLength input tokens cap, before any prompt (256 in the paper; MultiRC 348)
 * @param stochasticTasks MPT's stochastic task sampling in multi-task batches
 * @param mixCap examples-proportional mixing counts a task as at most this many examples (Raffel et
 *     al., 2020's K; 0: uncapped), so that a large source does not crowd out small ones
 * @param groupByLength length grouping: pools of this many batches are dealt out shortest first, so
 *     each batch holds inputs of similar length and pads less (0: off; see {@link Sampler})
 */
public record RunSettings(
    int steps,
    double epochs,
    int batchSize,
    int evalEvery,
    long seed,
    int maxLength,
    boolean stochasticTasks,
    int mixCap,
    int groupByLength) {

  /** The settings this record reads. */
  public static final List<Knob> KNOBS =
      List.of(
          Knob.of("steps", "steps", Knob.Type.INT, 300, "optimizer steps").excluding("epochs"),
          Knob.of(
                  "epochs",
                  "epochs",
                  Knob.Type.DOUBLE,
                  0.0,
                  "epochs over the training data (instead of --steps)")
              .excluding("steps"),
          Knob.of("batch_size", "batchSize", Knob.Type.INT, 16, "examples per step"),
          Knob.of(
              "eval_every",
              "evalEvery",
              Knob.Type.INT,
              100,
              "dev evaluation interval in steps (0: only at the end)"),
          Knob.of("seed", "seed", Knob.Type.LONG, 1L, "random seed (default 1)"),
          Knob.of(
              "max_length", "maxLength", Knob.Type.INT, 128, "input token cap before the prompt"),
          Knob.of(
              "stochastic_tasks",
              "stochasticTasks",
              Knob.Type.BOOL,
              true,
              "draw every task in each multi-task batch"),
          Knob.of(
              "mix_cap",
              "mixCap",
              Knob.Type.INT,
              0,
              "multi-task mixing counts a task as at most this many examples (0: uncapped)"),
          Knob.of(
              "group_by_length",
              "groupByLength",
              Knob.Type.INT,
              0,
              "deal pools of this many batches out by input length, so batches pad less (0: off)"));

  public RunSettings {
    Checks.positive(steps, "--steps");
    Checks.check(epochs >= 0, "--epochs", epochs);
    Checks.positive(batchSize, "--batch-size");
    Checks.check(evalEvery >= 0, "--eval-every", evalEvery);
    Checks.positive(maxLength, "--max-length");
    Checks.check(mixCap >= 0, "--mix-cap", mixCap);
    Checks.check(groupByLength >= 0, "--group-by-length", groupByLength);
  }

  /** Reads the values of {@link #KNOBS}. */
  public static RunSettings from(SettingsMap s) {
    return new RunSettings(
        s.has("steps") ? s.integer("steps") : 1,
        s.real("epochs", 0),
        s.integer("batch_size"),
        s.integer("eval_every"),
        s.longValue("seed"),
        s.integer("max_length"),
        s.bool("stochastic_tasks"),
        s.has("mix_cap") ? s.integer("mix_cap") : 0,
        s.has("group_by_length") ? s.integer("group_by_length") : 0);
  }

  /** These settings with {@code s} optimizer steps. */
  public RunSettings withSteps(int s) {
    return new RunSettings(
        s, epochs, batchSize, evalEvery, seed, maxLength, stochasticTasks, mixCap, groupByLength);
  }

  /**
   * The steps one run actually takes: {@code epochs} over {@code examples} training examples when
   * set, else {@code steps}.
   */
  public RunSettings resolved(long examples) {
    if (epochs <= 0) {
      return this;
    }
    return withSteps((int) Math.max(1, Math.ceil(epochs * examples / batchSize)));
  }

  /** Evaluation batch size. */
  public int evalBatchSize() {
    return Math.max(32, batchSize * 2);
  }

  /** The values as saved in config.json. */
  public Map<String, Object> saved() {
    return Knob.savedAs(
        KNOBS,
        steps,
        epochs,
        batchSize,
        evalEvery,
        seed,
        maxLength,
        stochasticTasks,
        mixCap,
        groupByLength);
  }
}
