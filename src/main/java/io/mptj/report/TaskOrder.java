package io.mptj.report;

import io.mptj.task.bench.Benchmarks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Orders tasks as the paper's tables do and names them briefly. */
final class TaskOrder {
  private TaskOrder() {}

  /** The tasks in the paper's column order (GLUE, SuperGLUE, Others), then the rest by name. */
  static List<String> sort(Collection<String> tasks) {
    List<String> out = new ArrayList<>();
    for (Benchmarks b : Benchmarks.values()) {
      b.tasks().stream().filter(tasks::contains).forEach(out::add);
    }
    new TreeSet<>(tasks).stream().filter(t -> !out.contains(t)).forEach(out::add);
    return out;
  }

  /** The benchmark whose average includes the task, if any. */
  static Optional<Benchmarks> benchmarkOf(String task) {
    for (Benchmarks b : Benchmarks.values()) {
      if (b.tasks().contains(task)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /** The paper's name of a benchmark average: GLUE Avg, SG Avg, Others Avg. */
  static String averageLabel(Benchmarks b) {
    return switch (b) {
      case GLUE -> "GLUE Avg";
      case SUPERGLUE -> "SG Avg";
      case OTHERS -> "Others Avg";
    };
  }

  /** Column titles: the task's name after its benchmark prefix, unless two tasks share it. */
  static List<String> shortNames(List<String> tasks) {
    List<String> shorts = tasks.stream().map(TaskOrder::tail).toList();
    return tasks.stream()
        .map(t -> shorts.stream().filter(tail(t)::equals).count() > 1 ? t : tail(t))
        .toList();
  }

  private static String tail(String task) {
    return task.substring(task.lastIndexOf('/') + 1);
  }
}
