package io.mptj.train;

/**
 * Settings of one training run.
 *
 * @param steps optimizer steps
 * @param batchSize examples per step
 * @param evalEvery evaluate on the dev split every this many steps (and at the end); 0 disables
 * @param evalBatchSize examples per evaluation batch
 * @param checkpointEvery write a resumable checkpoint every this many steps; 0 means at evaluations
 *     only
 * @param seed seed of batch sampling (initialisations take their own seeds)
 * @param stochasticTasks MPT's stochastic task sampling for multi-task batches
 * @param mixCap examples-proportional mixing counts a task as at most this many examples (0: no
 *     cap)
 * @param groupByLength length grouping pool in batches (0: off; see {@link Sampler})
 * @param optimizer AdamW settings with per-group learning rates
 * @param schedule learning-rate schedule
 * @param logEvery write a {@code train_log.jsonl} line every this many steps
 * @param progress show a progress bar on standard error
 */
public record TrainerConfig(
    int steps,
    int batchSize,
    int evalEvery,
    int evalBatchSize,
    int checkpointEvery,
    long seed,
    boolean stochasticTasks,
    int mixCap,
    int groupByLength,
    AdamW.Settings optimizer,
    Schedule schedule,
    int logEvery,
    boolean progress) {

  public TrainerConfig {
    if (steps <= 0) {
      throw new IllegalArgumentException("--steps must be > 0, got " + steps);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be > 0, got " + batchSize);
    }
    if (evalEvery < 0 || checkpointEvery < 0 || logEvery <= 0 || evalBatchSize <= 0) {
      throw new IllegalArgumentException("eval/checkpoint/log intervals must be >= 0 (log > 0)");
    }
  }
}
