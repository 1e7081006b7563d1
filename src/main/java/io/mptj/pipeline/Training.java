package io.mptj.pipeline;

import io.mptj.train.TrainSet;
import io.mptj.train.Trainer;
import io.mptj.train.TrainerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Trains one run, restores its best dev checkpoint, evaluates it and writes its directory. */
final class Training {
  private Training() {}

  /**
   * Trains, restores the best dev checkpoint, evaluates dev and test per task, and writes the run
   * ({@code config.json} first, {@code metrics.json} last).
   *
   * @return metrics.json's content
   */
  static Map<String, Object> trainAndSave(Context ctx, TrainRequest r) {
    StageSettings s = r.settings().forTraining(r.tasks());
    TrainerConfig trainer = s.trainer(ctx.progress());
    Map<String, Object> cfg = config(ctx, r, s, trainer);
    RunDir.requireSameSettings(r.dir(), cfg);
    RunDir.writeJson(r.dir().resolve(RunDir.CONFIG), cfg);
    boolean peak = io.mptj.engine.NativeMemory.resetPeak();
    long startBytes = io.mptj.engine.NativeMemory.residentBytes();
    long start = System.nanoTime();
    List<TrainSet> sets = r.tasks().stream().map(PreparedTask::trainSet).toList();
    Trainer.Result result = new Trainer(trainer, r.dir()).run(r.model(), sets, r.objective());
    double seconds = (System.nanoTime() - start) / 1e9;
    long peakBytes = peak ? io.mptj.engine.NativeMemory.peakResidentBytes() : -1;
    RunDir.saveModel(r.dir(), r.model(), references(r));
    Map<String, Object> metrics =
        Evaluation.evaluate(
            r.model(), r.tasks(), r.perTaskParams(), r.sharedParams(), s.run().evalBatchSize());
    for (String k : List.of("method", "seed", "shots")) {
      if (r.config().containsKey(k)) {
        metrics.put(k, r.config().get(k));
      }
    }
    metrics.put("best_step", result.bestStep());
    metrics.put("steps", s.run().steps());
    metrics.put("train_seconds", Math.round(seconds * 10) / 10.0);
    metrics.put("matmul", io.mptj.engine.MatmulPrecision.current().key());
    if (peakBytes > 0) {
      metrics.put("peak_rss_mb", Math.round(peakBytes / (1024.0 * 1024) * 10) / 10.0);
    }
    if (startBytes > 0) {
      metrics.put("start_rss_mb", Math.round(startBytes / (1024.0 * 1024) * 10) / 10.0);
    }
    RunDir.writeJson(r.dir().resolve(RunDir.METRICS), metrics);
    return metrics;
  }

  private static List<String> references(TrainRequest r) {
    return r.tasks().stream().map(t -> t.task().reference()).toList();
  }

  /** config.json: the stage's record, the backbone, data, tasks, resolved settings and trainer. */
  private static Map<String, Object> config(
      Context ctx, TrainRequest r, StageSettings s, TrainerConfig trainer) {
    Map<String, Object> cfg = new LinkedHashMap<>(r.config());
    cfg.put("backbone", ctx.backbone().id());
    cfg.put("data_dir", ctx.dataDir().toString());
    cfg.put("tasks", references(r));
    cfg.put("hyper", s.saved());
    cfg.put(
        "trainer",
        Map.of(
            "eval_batch_size",
            trainer.evalBatchSize(),
            "checkpoint_every",
            trainer.checkpointEvery(),
            "log_every",
            trainer.logEvery(),
            "optimizer",
            "AdamW",
            "betas",
            List.of(0.9, 0.999),
            "eps",
            1e-8));
    return cfg;
  }
}
