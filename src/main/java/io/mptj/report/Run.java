package io.mptj.report;

import java.nio.file.Path;
import java.util.List;

/**
 * A listed run with what its directory holds.
 *
 * @param ref how the report input lists it
 * @param metrics its {@code metrics.json}
 * @param log its {@code train_log.jsonl} (empty when absent)
 */
record Run(RunRef ref, RunMetrics metrics, TrainLog log) {

  /**
   * Reads a run's files and checks that {@code metrics.json} describes the listed run.
   *
   * @throws ReportException naming the directory or file when a file is absent or disagrees
   */
  static Run load(RunRef ref, boolean withLog) {
    RunMetrics m = RunMetrics.read(ref.runDir());
    Path file = ref.runDir().resolve(RunMetrics.FILE);
    check(file, "task", m.task(), ref.task());
    check(file, "seed", m.seed(), ref.seed());
    check(file, "shots", m.shots(), ref.shots());
    TrainLog log = withLog ? TrainLog.read(ref.runDir()) : new TrainLog(List.of(), List.of());
    return new Run(ref, m, log);
  }

  private static void check(Path file, String field, Object found, Object listed) {
    if (!found.equals(listed)) {
      throw new ReportException(
          file
              + ": field '"
              + field
              + "' is "
              + found
              + " but the report lists this run as "
              + listed);
    }
  }
}
