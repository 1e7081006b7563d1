package io.mptj.cli;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.Hyper;
import io.mptj.pipeline.HyperOverrides;
import io.mptj.pipeline.Stage;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.task.data.DataDir;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Schedule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags every training command takes. Unset hyper-parameters take the defaults of the
 * backbone's family and the stage (see {@link Hyper#defaults}); the resolved values are saved in
 * each run's config.json.
 */
final class TrainingOptions {

  @Option(
      names = "--backbone",
      defaultValue = Backbones.DEFAULT,
      description =
          "minilm (bundled), a model directory, or a downloaded hub id (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(
      names = "--data-dir",
      description = "data directory (default: $MPTJ_DATA_DIR, ../shared/data, or the cache)")
  Path dataDir;

  @Option(names = "--out", required = true, description = "output run directory")
  Path out;

  @Option(names = "--prompt-length", description = "prompt vectors P (T5 default 100)")
  Integer promptLength;

  @Option(names = "--rank", description = "rank r of MPT's task update u vᵀ (default 1)")
  Integer rank;

  @Option(names = "--steps", description = "optimizer steps")
  Integer steps;

  @Option(names = "--epochs", description = "epochs over the training data (instead of --steps)")
  Double epochs;

  @Option(names = "--batch-size", description = "examples per step")
  Integer batchSize;

  @Option(names = "--lr", description = "learning rate of the prompt (P* or a vanilla prompt)")
  Double lr;

  @Option(names = "--lr-task", description = "learning rate of MPT's task vectors u, v")
  Double lrTask;

  @Option(names = "--lr-head", description = "learning rate of encoder task heads")
  Double lrHead;

  @Option(names = "--weight-decay", description = "AdamW decoupled weight decay")
  Double weightDecay;

  @Option(names = "--warmup", description = "linear warmup steps")
  Integer warmup;

  @Option(names = "--schedule", description = "constant, linear or cosine decay after warmup")
  Schedule.Kind schedule;

  @Option(names = "--clip", description = "gradient-norm clipping bound (0 disables)")
  Double clip;

  @Option(names = "--max-length", description = "input token cap before the prompt")
  Integer maxLength;

  @Option(names = "--lambda", description = "distillation weight λ (default 0.9)")
  Double lambda;

  @Option(names = "--temperature", description = "distillation KL temperature")
  Double temperature;

  @Option(
      names = "--top-k",
      description = "teacher logits kept per target token (seq2seq distillation)")
  Integer topK;

  @Option(names = "--pooling", description = "encoder pooling for task heads: mean or cls")
  EncoderTaskModel.Pooling pooling;

  @Option(
      names = "--eval-every",
      description = "dev evaluation interval in steps (0: only at the end)")
  Integer evalEvery;

  @Option(names = "--no-stochastic-tasks", description = "draw every task in each multi-task batch")
  boolean noStochasticTasks;

  @Option(names = "--seed", description = "random seed (default 1)")
  Long seed;

  @Option(
      names = "--init",
      description =
          "initial prompt: vocab (sampled vocabulary, default), random, or for distill teachers (their mean)")
  String init;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  /** Loads the backbone and resolves the data directory. */
  Context context() {
    Backbone b = Backbones.load(backbone);
    try {
      return new Context(b, DataDir.resolve(dataDir), !noProgress);
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /** The flags given, as overrides of the defaults. */
  HyperOverrides overrides() {
    return new HyperOverrides(
        promptLength,
        rank,
        steps,
        batchSize,
        lr,
        lrTask,
        lrHead,
        weightDecay,
        warmup,
        schedule,
        clip,
        maxLength,
        lambda,
        temperature,
        topK,
        pooling,
        evalEvery,
        noStochasticTasks ? Boolean.FALSE : null,
        seed,
        epochs,
        init);
  }

  /**
   * The stage's defaults for the backbone's family with the given flags applied; {@code --epochs}
   * is turned into steps by each run over its own training data.
   */
  Hyper hyper(Context ctx, Stage stage) {
    return overrides().apply(Hyper.defaults(ctx.backbone().family(), stage));
  }

  /** Parses a comma-separated task list. */
  static List<Task> tasks(String list) {
    return Arrays.stream(list.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(TaskRegistry::get)
        .toList();
  }
}
