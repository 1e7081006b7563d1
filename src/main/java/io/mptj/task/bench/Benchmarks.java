package io.mptj.task.bench;

import io.mptj.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The averages the paper reports over groups of tasks (arXiv 2303.02861, Table 1: "GLUE Avg" over 8
 * tasks and "SG Avg" over 5; Table 2: "Others Avg" over 4), each the plain mean of the tasks'
 * {@link Task#score scores}.
 */
public enum Benchmarks {
  /** GLUE Avg: MNLI, QQP, QNLI, SST-2, STS-B, MRPC, RTE, CoLA. */
  GLUE(
      "glue/MNLI",
      "glue/QQP",
      "glue/QNLI",
      "glue/SST-2",
      "glue/STS-B",
      "glue/MRPC",
      "glue/RTE",
      "glue/CoLA"),
  /** SG Avg: MultiRC, BoolQ, WiC, WSC, CB. */
  SUPERGLUE(
      "superglue/MultiRC", "superglue/BoolQ", "superglue/WiC", "superglue/WSC", "superglue/CB"),
  /** Others Avg: WinoGrande, Yelp-2, SciTail, PAWS-Wiki. */
  OTHERS("others/winogrande", "others/yelp_polarity", "others/scitail", "others/paws");

  private final List<String> tasks;

  Benchmarks(String... tasks) {
    this.tasks = List.of(tasks);
  }

  /** The tasks averaged, in the paper's column order. */
  public List<String> tasks() {
    return tasks;
  }

  /**
   * The paper's average of per-task scores.
   *
   * @param scores task name to {@link Task#score}
   * @throws IllegalArgumentException naming the tasks that have no score
   */
  public double average(Map<String, Double> scores) {
    List<String> missing = new ArrayList<>();
    double sum = 0;
    for (String t : tasks) {
      Double s = scores.get(t);
      if (s == null) {
        missing.add(t);
      } else {
        sum += s;
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(name() + " average needs scores for " + missing);
    }
    return sum / tasks.size();
  }
}
