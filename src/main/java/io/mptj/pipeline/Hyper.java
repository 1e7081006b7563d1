package io.mptj.pipeline;

import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Schedule;
import java.util.List;

/**
 * The resolved hyper-parameters of one training stage: the paper's settings for T5 and measured
 * defaults for encoders (see README "Defaults"), overridden by command-line flags. Immutable and
 * validated; saved in every run's {@code config.json}.
 *
 * @param promptLength P, prompt vectors (100 in the paper)
 * @param rank r of the task update {@code u vᵀ} (1 in the paper)
 * @param steps optimizer steps
 * @param batchSize examples per step (32 in the paper for T5-Base)
 * @param lrShared rate of the prompt P* or of a vanilla prompt (0.3 in the paper)
 * @param lrTask rate of the task vectors u, v (0.3 in source training, 0.4 in adaptation)
 * @param lrHead rate of an encoder's task heads
 * @param weightDecay AdamW's decoupled decay (1e-5, as ATTEMPT)
 * @param warmupSteps linear warmup steps
 * @param schedule decay after warmup
 * @param clipNorm gradient-norm bound (1.0)
 * @param maxLength input tokens cap, before the prompt (256 in the paper; MultiRC 348)
 * @param lambda λ weighting the distillation terms (0.9)
 * @param temperature KL temperature T (not reported by the paper)
 * @param topK teacher logits kept per target token for seq2seq distillation
 * @param pooling how encoders reduce token states for their heads
 * @param evalEvery dev evaluation interval in steps
 * @param stochasticTasks MPT's stochastic task sampling in multi-task batches
 * @param seed the run's seed (initialisations and batch order)
 * @param init initial prompt: {@code vocab} (sampled vocabulary embeddings, the paper's), {@code
 *     random} (uniform in [-0.5, 0.5], Lester et al.'s random init) or, for distillation, {@code
 *     teachers} (the teachers' mean)
 * @param epochs when positive, the run's length in epochs over its own training data (resolved into
 *     {@code steps} by {@link #forTraining} once the data is known); 0 when {@code steps} was given
 */
public record Hyper(
    int promptLength,
    int rank,
    int steps,
    int batchSize,
    double lrShared,
    double lrTask,
    double lrHead,
    double weightDecay,
    int warmupSteps,
    Schedule.Kind schedule,
    double clipNorm,
    int maxLength,
    double lambda,
    double temperature,
    int topK,
    EncoderTaskModel.Pooling pooling,
    int evalEvery,
    boolean stochasticTasks,
    long seed,
    double epochs,
    String init) {

  public Hyper {
    check(promptLength > 0, "--prompt-length", promptLength);
    check(rank > 0, "--rank", rank);
    check(steps > 0, "--steps", steps);
    check(batchSize > 0, "--batch-size", batchSize);
    check(lrShared > 0, "--lr", lrShared);
    check(lrTask > 0, "--lr-task", lrTask);
    check(lrHead > 0, "--lr-head", lrHead);
    check(epochs >= 0, "--epochs", epochs);
    check(List.of("vocab", "random", "teachers").contains(init), "--init", init);
    check(weightDecay >= 0, "--weight-decay", weightDecay);
    check(warmupSteps >= 0, "--warmup", warmupSteps);
    check(maxLength > 0, "--max-length", maxLength);
    check(lambda >= 0, "--lambda", lambda);
    check(temperature > 0, "--temperature", temperature);
    check(topK > 0, "--top-k", topK);
    check(evalEvery >= 0, "--eval-every", evalEvery);
  }

  private static void check(boolean ok, String flag, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(flag + " has an invalid value: " + value);
    }
  }

  /**
   * Defaults for a backbone family and stage. T5: the paper's (Appendix A). BERT-family encoders:
   * see README, measured on all-MiniLM-L6-v2.
   */
  public static Hyper defaults(String family, Stage stage) {
    boolean t5 = family.equals("t5");
    double lrTask = stage == Stage.ADAPT ? 0.4 : 0.3;
    return new Hyper(
        t5 ? 100 : 20,
        1,
        t5 ? 2000 : 300,
        t5 ? 32 : 16,
        0.3,
        lrTask,
        0.01,
        1e-5,
        t5 ? 500 : 30,
        Schedule.Kind.LINEAR,
        1.0,
        t5 ? 256 : 128,
        0.9,
        2.0,
        32,
        EncoderTaskModel.Pooling.MEAN,
        t5 ? 500 : 100,
        true,
        1,
        0,
        "vocab");
  }

  /**
   * These settings with the prompt length of the prompt a run starts from (a teacher, P*, a source
   * prompt), saying so on standard error when it differs from the requested one.
   */
  public Hyper withPromptLength(int p) {
    if (p != promptLength) {
      System.err.println(
          "mptj: prompt length "
              + p
              + " (that of the prompt this run starts from), not "
              + promptLength);
    }
    return new Hyper(
        p,
        rank,
        steps,
        batchSize,
        lrShared,
        lrTask,
        lrHead,
        weightDecay,
        warmupSteps,
        schedule,
        clipNorm,
        maxLength,
        lambda,
        temperature,
        topK,
        pooling,
        evalEvery,
        stochasticTasks,
        seed,
        epochs,
        init);
  }

  /** These settings with {@code steps} optimizer steps. */
  public Hyper withSteps(int s) {
    return new Hyper(
        promptLength,
        rank,
        s,
        batchSize,
        lrShared,
        lrTask,
        lrHead,
        weightDecay,
        warmupSteps,
        schedule,
        clipNorm,
        maxLength,
        lambda,
        temperature,
        topK,
        pooling,
        evalEvery,
        stochasticTasks,
        seed,
        epochs,
        init);
  }

  /**
   * The settings one run actually uses: {@code epochs} turned into steps over this run's own
   * training examples, and warmup capped at half the run, so that the saved config is the effective
   * one.
   */
  public Hyper forTraining(List<PreparedTask> tasks) {
    int s = steps;
    if (epochs > 0) {
      long examples = tasks.stream().mapToLong(t -> t.train().size()).sum();
      s = (int) Math.max(1, Math.ceil(epochs * examples / batchSize));
    }
    return new Hyper(
        promptLength,
        rank,
        s,
        batchSize,
        lrShared,
        lrTask,
        lrHead,
        weightDecay,
        Math.min(warmupSteps, s / 2),
        schedule,
        clipNorm,
        maxLength,
        lambda,
        temperature,
        topK,
        pooling,
        evalEvery,
        stochasticTasks,
        seed,
        epochs,
        init);
  }
}
