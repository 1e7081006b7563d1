package io.mptj.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Schedule;

/**
 * Hyper-parameters a user sets explicitly (command-line flags or an experiment spec); null fields
 * keep the family and stage defaults. Spec keys are the flag names in snake case.
 */
public record HyperOverrides(
    @JsonProperty("prompt_length") Integer promptLength,
    @JsonProperty("rank") Integer rank,
    @JsonProperty("steps") Integer steps,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("lr") Double lr,
    @JsonProperty("lr_task") Double lrTask,
    @JsonProperty("lr_head") Double lrHead,
    @JsonProperty("weight_decay") Double weightDecay,
    @JsonProperty("warmup") Integer warmup,
    @JsonProperty("schedule") Schedule.Kind schedule,
    @JsonProperty("clip") Double clip,
    @JsonProperty("max_length") Integer maxLength,
    @JsonProperty("lambda") Double lambda,
    @JsonProperty("temperature") Double temperature,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("pooling") EncoderTaskModel.Pooling pooling,
    @JsonProperty("eval_every") Integer evalEvery,
    @JsonProperty("stochastic_tasks") Boolean stochasticTasks,
    @JsonProperty("seed") Long seed,
    @JsonProperty("epochs") Double epochs,
    @JsonProperty("init") String init) {

  /** No overrides. */
  public static final HyperOverrides NONE =
      new HyperOverrides(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null);

  /** Checks that a run is not given both a step count and an epoch count. */
  public HyperOverrides {
    if (steps != null && epochs != null) {
      throw new IllegalArgumentException(
          "give steps or epochs, not both (--steps " + steps + ", --epochs " + epochs + ")");
    }
  }

  /** Applies the set fields to {@code d}. */
  public Hyper apply(Hyper d) {
    return new Hyper(
        or(promptLength, d.promptLength()),
        or(rank, d.rank()),
        or(steps, d.steps()),
        or(batchSize, d.batchSize()),
        or(lr, d.lrShared()),
        or(lrTask, d.lrTask()),
        or(lrHead, d.lrHead()),
        or(weightDecay, d.weightDecay()),
        or(warmup, d.warmupSteps()),
        or(schedule, d.schedule()),
        or(clip, d.clipNorm()),
        or(maxLength, d.maxLength()),
        or(lambda, d.lambda()),
        or(temperature, d.temperature()),
        or(topK, d.topK()),
        or(pooling, d.pooling()),
        or(evalEvery, d.evalEvery()),
        or(stochasticTasks, d.stochasticTasks()),
        or(seed, d.seed()),
        epochs != null ? epochs : steps != null ? 0 : d.epochs(),
        or(init, d.init()));
  }

  /** These overrides, with {@code other}'s set fields taking precedence. */
  public HyperOverrides then(HyperOverrides other) {
    if (other == null) {
      return this;
    }
    return new HyperOverrides(
        or(other.promptLength, promptLength),
        or(other.rank, rank),
        other.steps != null ? other.steps : other.epochs != null ? null : steps,
        or(other.batchSize, batchSize),
        or(other.lr, lr),
        or(other.lrTask, lrTask),
        or(other.lrHead, lrHead),
        or(other.weightDecay, weightDecay),
        or(other.warmup, warmup),
        or(other.schedule, schedule),
        or(other.clip, clip),
        or(other.maxLength, maxLength),
        or(other.lambda, lambda),
        or(other.temperature, temperature),
        or(other.topK, topK),
        or(other.pooling, pooling),
        or(other.evalEvery, evalEvery),
        or(other.stochasticTasks, stochasticTasks),
        or(other.seed, seed),
        other.epochs != null ? other.epochs : other.steps != null ? null : epochs,
        or(other.init, init));
  }

  /** Only an initialisation choice. */
  public static HyperOverrides init(String init) {
    return new HyperOverrides(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, init);
  }

  /** These overrides with a different seed. */
  public HyperOverrides withSeed(long s) {
    return then(
        new HyperOverrides(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, s, null, null));
  }

  /** The equivalent command-line flags, for the "reproduce" commands of a report. */
  public String flags() {
    StringBuilder sb = new StringBuilder();
    flag(sb, "--prompt-length", promptLength);
    flag(sb, "--rank", rank);
    flag(sb, "--steps", steps);
    flag(sb, "--batch-size", batchSize);
    flag(sb, "--lr", lr);
    flag(sb, "--lr-task", lrTask);
    flag(sb, "--lr-head", lrHead);
    flag(sb, "--weight-decay", weightDecay);
    flag(sb, "--warmup", warmup);
    flag(
        sb,
        "--schedule",
        schedule == null ? null : schedule.name().toLowerCase(java.util.Locale.ROOT));
    flag(sb, "--clip", clip);
    flag(sb, "--max-length", maxLength);
    flag(sb, "--lambda", lambda);
    flag(sb, "--temperature", temperature);
    flag(sb, "--top-k", topK);
    flag(
        sb,
        "--pooling",
        pooling == null ? null : pooling.name().toLowerCase(java.util.Locale.ROOT));
    flag(sb, "--eval-every", evalEvery);
    if (Boolean.FALSE.equals(stochasticTasks)) {
      sb.append(" --no-stochastic-tasks");
    }
    flag(sb, "--seed", seed);
    flag(sb, "--epochs", epochs);
    flag(sb, "--init", init);
    return sb.toString();
  }

  private static void flag(StringBuilder sb, String name, Object value) {
    if (value != null) {
      sb.append(' ').append(name).append(' ').append(value);
    }
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
