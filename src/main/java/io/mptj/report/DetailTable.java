package io.mptj.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every metric of one task in one shots setting: a row per method with its seeds, each dev and test
 * metric summarised over seeds, the step whose prompt was kept, and training time.
 */
final class DetailTable {
  private DetailTable() {}

  /** The table of one task in one shots setting. */
  static Doc.Table build(Results results, int shots, String task) {
    List<String> methods =
        results.methods(shots).stream()
            .filter(m -> !results.runs(shots, m, task).isEmpty())
            .toList();
    List<Run> all = methods.stream().flatMap(m -> results.runs(shots, m, task).stream()).toList();
    List<String> dev = metricNames(all, x -> x.metrics().dev());
    List<String> test = metricNames(all, x -> x.metrics().test());
    List<String> header = new ArrayList<>(List.of("Method", "seeds"));
    dev.forEach(m -> header.add("dev " + m));
    test.forEach(m -> header.add("test " + m));
    header.addAll(List.of("best step", "train s", "peak RSS MiB", "peak − start MiB"));
    List<List<String>> rows = new ArrayList<>();
    for (String method : methods) {
      rows.add(row(method, results.runs(shots, method, task), dev, test));
    }
    return new Doc.Table(header, rows);
  }

  private static List<String> row(
      String method, List<Run> runs, List<String> dev, List<String> test) {
    List<String> row = new ArrayList<>(List.of(method, seeds(runs)));
    dev.forEach(m -> row.add(metric(runs, x -> x.metrics().dev(), m)));
    test.forEach(m -> row.add(metric(runs, x -> x.metrics().test(), m)));
    row.add(plain(runs, x -> (double) x.metrics().bestStep(), "%.0f"));
    row.add(plain(runs, x -> x.metrics().trainSeconds(), "%.1f"));
    row.add(plain(runs, x -> x.metrics().peakRssMb(), "%.0f"));
    row.add(plain(runs, x -> x.metrics().peakRssMb() - x.metrics().startRssMb(), "%+.0f"));
    return row;
  }

  /** {@code score} first, then the other metric names in the order the runs list them. */
  private static List<String> metricNames(
      List<Run> runs, Function<Run, Map<String, Double>> split) {
    Set<String> names = new LinkedHashSet<>(List.of(RunMetrics.SCORE));
    runs.forEach(x -> names.addAll(split.apply(x).keySet()));
    return List.copyOf(names);
  }

  private static String seeds(List<Run> runs) {
    return runs.stream()
        .map(x -> Integer.toString(x.ref().seed()))
        .collect(Collectors.joining(","));
  }

  private static String metric(List<Run> runs, Function<Run, Map<String, Double>> split, String m) {
    List<Double> values =
        runs.stream().map(x -> split.apply(x).get(m)).filter(v -> v != null).toList();
    return Summary.of(values).format(values.size() != runs.size());
  }

  /** The mean of a per-run number that is recorded (not negative or NaN), without a spread. */
  private static String plain(List<Run> runs, Function<Run, Double> value, String format) {
    double mean =
        runs.stream().mapToDouble(value::apply).filter(v -> v >= 0).average().orElse(Double.NaN);
    return Double.isNaN(mean) ? Summary.MISSING : String.format(Locale.ROOT, format, mean);
  }
}
