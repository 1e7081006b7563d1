package io.mptj.report;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The loaded runs of a report, grouped the way its tables read: by shots setting, method (in the
 * order the input first lists them) and task (in the paper's order).
 *
 * @param runs every run, in input order
 */
record Results(List<Run> runs) {

  /** Copies the list. */
  Results {
    runs = List.copyOf(runs);
  }

  /** Loads every listed run's files; {@code withLogs} also reads the training logs. */
  static Results load(ReportInput input, boolean withLogs) {
    return new Results(input.runs().stream().map(r -> Run.load(r, withLogs)).toList());
  }

  /** The shots settings present, full data (0) first, then k ascending. */
  List<Integer> shotsSettings() {
    return runs.stream().map(r -> r.ref().shots()).distinct().sorted().toList();
  }

  /** The methods with runs in a shots setting, in input order. */
  List<String> methods(int shots) {
    return List.copyOf(
        new LinkedHashSet<>(inShots(shots).stream().map(r -> r.ref().method()).toList()));
  }

  /** The tasks with runs in a shots setting, in the paper's column order. */
  List<String> tasks(int shots) {
    return TaskOrder.sort(inShots(shots).stream().map(r -> r.ref().task()).distinct().toList());
  }

  /** The runs of one method in one shots setting. */
  List<Run> runs(int shots, String method) {
    return inShots(shots).stream().filter(r -> r.ref().method().equals(method)).toList();
  }

  /** The runs of one method on one task in one shots setting, by seed. */
  List<Run> runs(int shots, String method, String task) {
    return runs(shots, method).stream()
        .filter(r -> r.ref().task().equals(task))
        .sorted(Comparator.comparingInt(r -> r.ref().seed()))
        .toList();
  }

  private List<Run> inShots(int shots) {
    return runs.stream().filter(r -> r.ref().shots() == shots).toList();
  }
}
