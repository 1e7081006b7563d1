package io.mptj.task.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Metric;
import io.mptj.task.Predictions;
import io.mptj.task.Task;
import io.mptj.task.bench.Benchmarks;
import io.mptj.task.bench.TaskRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Metrics against values computed independently: scikit-learn / SciPy outputs and the official
 * SQuAD v1.1 script's logic, recorded in metrics-reference.json (the generator is in its "source"),
 * and small hand-worked cases.
 */
class MetricsTest {
  private static final double EPS = 1e-12;

  private static JsonNode reference() throws IOException {
    try (InputStream in = MetricsTest.class.getResourceAsStream("metrics-reference.json")) {
      return Json.MAPPER.readTree(in);
    }
  }

  @Test
  void classificationMetricsMatchScikitLearn() throws IOException {
    for (JsonNode c : reference().get("classification")) {
      int[] gold = ints(c.get("gold"));
      int[] pred = ints(c.get("pred"));
      int k = c.get("classes").asInt();
      assertEquals(c.get("accuracy").asDouble(), Metrics.accuracy(gold, pred), EPS);
      assertEquals(c.get("macro_f1").asDouble(), Metrics.macroF1(gold, pred, k), EPS);
      if (k == 2) {
        assertEquals(c.get("f1").asDouble(), Metrics.binaryF1(gold, pred), EPS);
        assertEquals(c.get("matthews").asDouble(), Metrics.matthews(gold, pred), EPS);
      }
    }
  }

  @Test
  void correlationsMatchScipyIncludingTies() throws IOException {
    for (JsonNode c : reference().get("regression")) {
      double[] gold = doubles(c.get("gold"));
      double[] pred = doubles(c.get("pred"));
      assertEquals(c.get("pearson").asDouble(), Metrics.pearson(gold, pred), 1e-9);
      assertEquals(c.get("spearman").asDouble(), Metrics.spearman(gold, pred), 1e-9);
    }
  }

  @Test
  void squadMatchesTheOfficialScript() throws IOException {
    JsonNode c = reference().get("squad");
    List<List<String>> gold = new ArrayList<>();
    c.get("gold").forEach(g -> gold.add(strings(g)));
    List<String> pred = strings(c.get("pred"));
    assertEquals(c.get("em").asDouble(), Metrics.squadExactMatch(gold, pred), EPS);
    assertEquals(c.get("f1").asDouble(), Metrics.squadF1(gold, pred), EPS);
    assertEquals("denver broncos", Metrics.normalizeAnswer("The  Denver Broncos!"));
  }

  @Test
  void invalidPredictionsCountAsTheWrongClass() {
    // gold 1,1,0,0; prediction 1, invalid, 0, invalid -> treated as 1, 0, 0, 1: tp 1, fn 1, fp 1
    int[] gold = {1, 1, 0, 0};
    int[] pred = {1, -1, 0, 7};
    assertEquals(0.5, Metrics.binaryF1(gold, pred), EPS);
    assertEquals(0.5, Metrics.accuracy(gold, pred), EPS);
    assertEquals(0.0, Metrics.matthews(gold, pred), EPS);
    // macro F1 over 3 classes (sklearn fbeta_score(labels=[0,1,2]) gives 0.38888888888888884):
    // class 0: tp 1, fp 1, fn 1 -> 1/2; class 1: tp 1, fn 1 -> 2/3; class 2: tp 0 -> 0
    assertEquals(
        (0.5 + 2.0 / 3) / 3,
        Metrics.macroF1(new int[] {0, 0, 1, 1, 2}, new int[] {0, -1, 1, 9, 0}, 3),
        EPS);
  }

  @Test
  void groupExactMatchIsTheShareOfFullyRightGroups() {
    List<String> groups = List.of("q1", "q1", "q1", "q2", "q2", "q3");
    int[] gold = {1, 0, 1, 0, 0, 1};
    int[] pred = {1, 0, 1, 0, 1, 1};
    assertEquals(2.0 / 3, Metrics.groupExactMatch(groups, gold, pred), EPS);
  }

  @Test
  void constantPredictionsGiveZeroCorrelation() {
    // SciPy gives NaN here; ATTEMPT's metrics.py, and mptj, report 0
    assertEquals(0, Metrics.pearson(new double[] {1, 2, 3}, new double[] {2, 2, 2}), EPS);
    assertEquals(0, Metrics.spearman(new double[] {1, 2, 3}, new double[] {2, 2, 2}), EPS);
  }

  @Test
  void tasksReportThePapersMetricsInPercentWithAverage() {
    Task mrpc = TaskRegistry.get("glue/MRPC");
    List<Example> gold = List.of(cls(1), cls(1), cls(0), cls(0));
    Map<String, Double> m = mrpc.evaluate(gold, Predictions.classes(1, 0, 0, 0));
    assertEquals(List.of("f1", "accuracy", "avg"), List.copyOf(m.keySet()));
    assertEquals(200.0 / 3, m.get("f1"), 1e-9);
    assertEquals(75.0, m.get("accuracy"), 1e-9);
    assertEquals((200.0 / 3 + 75) / 2, m.get("avg"), 1e-9);
    assertEquals(75.0, mrpc.score(m), 1e-9);

    Task stsb = TaskRegistry.get("glue/STS-B");
    List<Example> s = List.of(score(1), score(2), score(4));
    Map<String, Double> r = stsb.evaluate(s, Predictions.values(1, 3, 2));
    assertEquals(
        100 * Metrics.pearson(new double[] {1, 2, 4}, new double[] {1, 3, 2}), stsb.score(r), 1e-9);
    assertEquals(50.0, r.get("spearman"), 1e-9);

    Task cola = TaskRegistry.get("glue/CoLA");
    assertEquals(List.of("matthews"), cola.metricNames());
    Task multirc = TaskRegistry.get("superglue/MultiRC");
    assertEquals(Metric.F1A, multirc.scoreMetric());
    assertEquals(Metric.SQUAD_F1, TaskRegistry.get("others/squad").scoreMetric());
  }

  @Test
  void paperAveragesNeedEveryTask() {
    Map<String, Double> scores = new java.util.HashMap<>();
    Benchmarks.SUPERGLUE.tasks().forEach(t -> scores.put(t, 70.0));
    scores.put("superglue/CB", 80.0);
    assertEquals(72.0, Benchmarks.SUPERGLUE.average(scores), EPS);
    scores.remove("superglue/WSC");
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Benchmarks.SUPERGLUE.average(scores));
    assertEquals(true, e.getMessage().contains("superglue/WSC"));
  }

  private static Example cls(int c) {
    return new Example("x", Map.of("s", "t"), new Label.ClassIndex(c));
  }

  private static Example score(double v) {
    return new Example("x", Map.of("s", "t"), new Label.Score(v));
  }

  private static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }
}
