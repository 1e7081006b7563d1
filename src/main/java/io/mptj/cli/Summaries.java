package io.mptj.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Short summaries of metrics.json contents for the commands' final JSON lines. */
final class Summaries {
  private Summaries() {}

  /** Per task, its dev and test scores. */
  static Map<String, Object> scores(Map<String, Object> perTask) {
    Map<String, Object> out = new LinkedHashMap<>();
    perTask.forEach((task, metrics) -> out.put(task, splitScores(asMap(metrics))));
    return out;
  }

  /** {@code {"dev": score, "test": score}} of one metrics.json. */
  static Map<String, Object> splitScores(Map<String, Object> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String split : new String[] {"dev", "test"}) {
      Object s = metrics.get(split);
      if (s instanceof Map<?, ?> m && m.get("score") != null) {
        out.put(split, m.get("score"));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }
}
