package io.mptj.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code train_log.jsonl}: training lines (those with {@code loss}) and evaluation lines
 * (those with {@code dev_score}), in file order.
 *
 * @param losses the training lines
 * @param evals the evaluation lines
 */
public record TrainLog(List<LossPoint> losses, List<EvalPoint> evals) {

  /** The file name in a run directory. */
  public static final String FILE = "train_log.jsonl";

  /**
   * One training line.
   *
   * @param step the optimizer step
   * @param loss the total loss
   * @param taskLoss the task loss, or NaN when not logged
   * @param distillLoss the distillation loss, or NaN when not logged (non-distillation runs)
   */
  public record LossPoint(int step, double loss, double taskLoss, double distillLoss) {}

  /**
   * One evaluation line.
   *
   * @param step the optimizer step
   * @param devScore the mean dev score over the run's tasks
   * @param taskScores each task's dev headline score
   */
  public record EvalPoint(int step, double devScore, Map<String, Double> taskScores) {

    /** Copies the map. */
    public EvalPoint {
      taskScores = Map.copyOf(taskScores);
    }

    /** The dev score of {@code task} when logged per task, else the run's mean dev score. */
    public double scoreOf(String task) {
      return taskScores.getOrDefault(task, devScore);
    }
  }

  /** Copies the lists. */
  public TrainLog {
    losses = List.copyOf(losses);
    evals = List.copyOf(evals);
  }

  /** Whether the log has no lines at all. */
  public boolean isEmpty() {
    return losses.isEmpty() && evals.isEmpty();
  }

  /**
   * Reads {@code train_log.jsonl} from a run directory; an absent file gives an empty log.
   *
   * @throws ReportException naming the file, line and field of a malformed line
   */
  public static TrainLog read(Path runDir) {
    Path file = runDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return new TrainLog(List.of(), List.of());
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new ReportException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<LossPoint> losses = new ArrayList<>();
    List<EvalPoint> evals = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        JsonFields f = JsonInput.top(file, i + 1, parse(file, i + 1, lines.get(i)));
        addLine(f, losses, evals);
      }
    }
    return new TrainLog(losses, evals);
  }

  private static JsonNode parse(Path file, int line, String text) {
    try {
      return Json.LENIENT.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ReportException(file + ":" + line + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static void addLine(JsonFields f, List<LossPoint> losses, List<EvalPoint> evals) {
    int step = f.integer("step");
    if (f.has("loss")) {
      losses.add(
          new LossPoint(
              step,
              f.real("loss", Double.NaN),
              f.real("task_loss", Double.NaN),
              f.real("distill_loss", Double.NaN)));
    }
    if (f.has("dev_score")) {
      evals.add(new EvalPoint(step, f.real("dev_score", Double.NaN), taskScores(f)));
    }
  }

  private static Map<String, Double> taskScores(JsonFields f) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (f.has("dev")) {
      JsonFields dev = f.object("dev");
      for (Iterator<String> it = dev.node().fieldNames(); it.hasNext(); ) {
        String task = it.next();
        out.put(task, dev.object(task).real(RunMetrics.SCORE, Double.NaN));
      }
    }
    return out;
  }
}
