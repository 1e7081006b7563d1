package io.mptj.pipeline;

import io.mptj.engine.Knob;
import io.mptj.method.TuningMethod;
import io.mptj.report.RunMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A small grid of settings per method, chosen on dev: every combination of the grid keys a method
 * reads runs in its own directory ({@code seed-1/lr-0.1_lr_head-0.01/}), and the one with the best
 * dev score is reported; {@code selection.json} beside them records every point's dev score and the
 * choice. Test scores play no part.
 */
final class GridSearch {
  private GridSearch() {}

  /** The record of a choice. */
  static final String SELECTION = "selection.json";

  /**
   * The combinations of the grid keys that {@code method} reads at adaptation, in the grid's order
   * (the first key varies slowest); empty when it reads none.
   */
  static List<Map<String, Object>> points(TuningMethod method, Map<String, List<Object>> grid) {
    Set<String> read =
        StageSettings.knobs(Stage.ADAPT, method).stream()
            .map(Knob::key)
            .collect(Collectors.toSet());
    List<Map<String, Object>> out = new ArrayList<>();
    out.add(new LinkedHashMap<>());
    boolean any = false;
    for (var e : grid.entrySet()) {
      if (!read.contains(e.getKey())) {
        continue;
      }
      any = true;
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> p : out) {
        for (Object v : e.getValue()) {
          Map<String, Object> q = new LinkedHashMap<>(p);
          q.put(e.getKey(), v);
          next.add(q);
        }
      }
      out = next;
    }
    return any ? out : List.of();
  }

  /** A point's directory name: {@code lr-0.1_lr_head-0.01}. */
  static String slug(Map<String, Object> point) {
    return point.entrySet().stream()
        .map(e -> e.getKey() + "-" + String.valueOf(e.getValue()).toLowerCase(Locale.ROOT))
        .map(s -> s.replaceAll("[^a-z0-9_.-]", ""))
        .collect(Collectors.joining("_"));
  }

  /**
   * The finished point with the best dev score (the first of equals), written with every point's
   * score to {@code dir/selection.json}; null when none has finished.
   */
  static Path choose(Path dir, List<Map<String, Object>> points) {
    List<Map<String, Object>> tried = new ArrayList<>();
    Path best = null;
    double bestDev = Double.NEGATIVE_INFINITY;
    for (Map<String, Object> p : points) {
      Path run = dir.resolve(slug(p));
      if (!RunDir.finished(run)) {
        continue;
      }
      double dev = RunMetrics.read(run).dev().get(RunMetrics.SCORE);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("settings", p);
      entry.put("dir", slug(p));
      entry.put("dev", dev);
      tried.add(entry);
      if (dev > bestDev) {
        bestDev = dev;
        best = run;
      }
    }
    if (best != null) {
      Map<String, Object> sel = new LinkedHashMap<>();
      sel.put("chosen_on", "dev");
      sel.put("chosen", best.getFileName().toString());
      sel.put("complete", tried.size() == points.size());
      sel.put("points", tried);
      RunDir.writeJson(dir.resolve(SELECTION), sel);
    }
    return best;
  }
}
