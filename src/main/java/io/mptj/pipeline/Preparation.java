package io.mptj.pipeline;

import io.mptj.task.FewShot;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.train.RunSettings;
import java.util.ArrayList;
import java.util.List;

/** Reads and splits a run's tasks as in the paper and prepares their encoding. */
final class Preparation {
  private Preparation() {}

  /**
   * The tasks of a run, sampling k examples (per class) from train when {@code shots > 0}.
   *
   * @param virtualTokens positions the tuning method prepends (they count against the backbone's)
   */
  static List<PreparedTask> prepare(
      Context ctx, List<Task> tasks, RunSettings run, int virtualTokens, int shots) {
    List<PreparedTask> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      Splits s = t.trainingSplits(ctx.dataDir());
      if (shots > 0) {
        s = new Splits(FewShot.sample(s.train(), shots, run.seed()), s.dev(), s.test());
      }
      if (s.train().isEmpty()) {
        throw new IllegalArgumentException(
            "task " + t.name() + " has no training examples in " + ctx.dataDir());
      }
      int cap = maxInputLength(ctx, t, run.maxLength(), virtualTokens);
      out.add(new PreparedTask(t, s, new Encoding(ctx.backbone(), t, i, cap)));
    }
    return out;
  }

  /** The tasks of a stage's run. */
  static List<PreparedTask> prepare(Context ctx, List<Task> tasks, StageSettings s, int shots) {
    return prepare(ctx, tasks, s.run(), s.config().virtualTokens(), shots);
  }

  /**
   * Input token cap of a task: the run's, the task's own, and what the backbone's positions leave
   * after the prepended ones.
   */
  static int maxInputLength(Context ctx, Task t, int maxLength, int virtualTokens) {
    return Math.min(
        Math.min(maxLength, t.maxInputLength()), ctx.backbone().maxPositions() - virtualTokens);
  }
}
