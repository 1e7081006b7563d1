package io.mptj.report;

import io.mptj.task.bench.Benchmarks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The paper-style main table of one shots setting (arXiv 2303.02861, Table 1): a row per method,
 * its trainable parameters per task, then per benchmark the test scores of the tasks present
 * followed by their average, labelled with how many of the benchmark's tasks it covers.
 */
final class ResultsTable {
  private ResultsTable() {}

  /** A column after the params: one task, or a benchmark's average over the tasks present. */
  private sealed interface Column permits TaskColumn, AverageColumn {}

  private record TaskColumn(String task) implements Column {}

  private record AverageColumn(Benchmarks benchmark, List<String> tasks) implements Column {}

  /** The table of one shots setting. */
  static Doc.Table build(Results results, int shots, long backboneParams) {
    List<Column> columns = columns(results.tasks(shots));
    boolean showN = seedCountsDiffer(results, shots);
    List<List<String>> rows = new ArrayList<>();
    for (String method : results.methods(shots)) {
      List<String> row = new ArrayList<>();
      row.add(method);
      row.add(params(results.runs(shots, method), backboneParams));
      columns.forEach(c -> row.add(cell(results, shots, method, c, showN)));
      rows.add(row);
    }
    return new Doc.Table(header(columns), rows);
  }

  private static List<Column> columns(List<String> tasks) {
    List<Column> out = new ArrayList<>();
    for (Benchmarks b : Benchmarks.values()) {
      List<String> present = b.tasks().stream().filter(tasks::contains).toList();
      present.forEach(t -> out.add(new TaskColumn(t)));
      if (!present.isEmpty()) {
        out.add(new AverageColumn(b, present));
      }
    }
    tasks.stream()
        .filter(t -> TaskOrder.benchmarkOf(t).isEmpty())
        .forEach(t -> out.add(new TaskColumn(t)));
    return out;
  }

  private static List<String> header(List<Column> columns) {
    List<String> tasks =
        columns.stream()
            .filter(c -> c instanceof TaskColumn)
            .map(c -> ((TaskColumn) c).task())
            .toList();
    Map<String, String> shortName = new TreeMap<>();
    List<String> shorts = TaskOrder.shortNames(tasks);
    for (int i = 0; i < tasks.size(); i++) {
      shortName.put(tasks.get(i), shorts.get(i));
    }
    List<String> out = new ArrayList<>(List.of("Method", "Params/task (% of backbone)"));
    for (Column c : columns) {
      out.add(
          switch (c) {
            case TaskColumn t -> shortName.get(t.task());
            case AverageColumn a -> averageTitle(a.benchmark(), a.tasks().size());
          });
    }
    return out;
  }

  /** E.g. {@code SG Avg (3/5)}: the average over 3 of SuperGLUE's 5 tasks. */
  static String averageTitle(Benchmarks b, int present) {
    return TaskOrder.averageLabel(b) + " (" + present + "/" + b.tasks().size() + ")";
  }

  private static String cell(Results r, int shots, String method, Column c, boolean showN) {
    return switch (c) {
      case TaskColumn t -> scores(r.runs(shots, method, t.task())).format(showN);
      case AverageColumn a -> average(r, shots, method, a);
    };
  }

  /** The test headline scores of some runs, summarised over seeds. */
  static Summary scores(List<Run> runs) {
    return Summary.of(runs.stream().map(x -> x.metrics().testScore()).toList());
  }

  private static String average(Results r, int shots, String method, AverageColumn a) {
    List<List<Run>> perTask =
        a.tasks().stream()
            .map(t -> r.runs(shots, method, t))
            .filter(runs -> !runs.isEmpty())
            .toList();
    if (perTask.isEmpty()) {
      return Summary.MISSING;
    }
    String text = benchmarkAverage(perTask).format(false);
    return perTask.size() == a.tasks().size()
        ? text
        : text + " (" + perTask.size() + "/" + a.benchmark().tasks().size() + ")";
  }

  /**
   * The mean over tasks. When every task has runs for the same seeds, it is summarised over the
   * per-seed averages (so ± is the spread of the benchmark average over seeds); otherwise it is the
   * mean of the task means, without a spread.
   */
  static Summary benchmarkAverage(List<List<Run>> perTask) {
    List<Set<Integer>> seeds = perTask.stream().map(ResultsTable::seeds).toList();
    if (seeds.stream().distinct().count() == 1) {
      List<Double> perSeed = new ArrayList<>();
      for (int seed : seeds.getFirst()) {
        perSeed.add(
            perTask.stream().mapToDouble(runs -> scoreOfSeed(runs, seed)).average().orElseThrow());
      }
      return Summary.of(perSeed);
    }
    double mean = perTask.stream().mapToDouble(runs -> scores(runs).mean()).average().orElseThrow();
    return new Summary(mean, Double.NaN, 1);
  }

  private static Set<Integer> seeds(List<Run> runs) {
    return runs.stream().map(x -> x.ref().seed()).collect(Collectors.toCollection(HashSet::new));
  }

  private static double scoreOfSeed(List<Run> runs, int seed) {
    return runs.stream()
        .filter(x -> x.ref().seed() == seed)
        .findFirst()
        .orElseThrow()
        .metrics()
        .testScore();
  }

  private static boolean seedCountsDiffer(Results r, int shots) {
    Set<Integer> counts = new HashSet<>();
    for (String method : r.methods(shots)) {
      for (String task : r.tasks(shots)) {
        int n = r.runs(shots, method, task).size();
        if (n > 0) {
          counts.add(n);
        }
      }
    }
    return counts.size() > 1;
  }

  /** Task-specific trainable parameters (a range when runs differ), % of backbone, shared ones. */
  static String params(List<Run> runs, long backboneParams) {
    long lo = runs.stream().mapToLong(x -> x.metrics().params().taskSpecific()).min().orElse(0);
    long hi = runs.stream().mapToLong(x -> x.metrics().params().taskSpecific()).max().orElse(0);
    long shared = runs.stream().mapToLong(x -> x.metrics().params().shared()).max().orElse(0);
    String text =
        lo == hi
            ? Formats.count(lo) + " (" + Formats.percent(lo, backboneParams) + ")"
            : Formats.count(lo)
                + "–"
                + Formats.count(hi)
                + " ("
                + Formats.percent(lo, backboneParams)
                + "–"
                + Formats.percent(hi, backboneParams)
                + ")";
    return shared == 0 ? text : text + " + " + Formats.count(shared) + " shared";
  }
}
