package io.mptj.task;

import io.mptj.task.metric.Metrics;
import java.util.List;
import java.util.Locale;

/**
 * The metrics tasks report, each computed by {@link Metrics} and named by {@link #key()} in {@link
 * Task#evaluate} results. Which task reports which follows ATTEMPT's {@code TASK_TO_METRICS} and
 * the MPT paper's tables (arXiv 2303.02861, Tables 1 and 2).
 */
public enum Metric {
  /** Accuracy. */
  ACCURACY("accuracy"),
  /** F1 of the positive class (MRPC, QQP). */
  F1("f1"),
  /** Macro-averaged F1 over the classes (CB). */
  MACRO_F1("macro_f1"),
  /** Matthews correlation (CoLA). */
  MATTHEWS("matthews"),
  /** Pearson correlation (STS-B). */
  PEARSON("pearson"),
  /** Spearman correlation (STS-B). */
  SPEARMAN("spearman"),
  /** F1 over all answer options (MultiRC's F1a). */
  F1A("f1a"),
  /** Exact match per question group (MultiRC's EM). */
  GROUP_EM("em"),
  /** SQuAD exact match, best over the gold answers. */
  SQUAD_EM("em"),
  /** SQuAD token F1, best over the gold answers. */
  SQUAD_F1("f1");

  private final String key;

  Metric(String key) {
    this.key = key;
  }

  /** The name under which the value is reported. */
  public String key() {
    return key;
  }

  /** The metric of gold examples and predictions, on its natural scale. */
  double compute(List<Example> gold, Predictions predictions, int classes) {
    return switch (this) {
      case ACCURACY -> Metrics.accuracy(classes(gold), indices(predictions));
      case F1, F1A -> Metrics.binaryF1(classes(gold), indices(predictions));
      case MACRO_F1 -> Metrics.macroF1(classes(gold), indices(predictions), classes);
      case MATTHEWS -> Metrics.matthews(classes(gold), indices(predictions));
      case PEARSON -> Metrics.pearson(scores(gold), values(predictions));
      case SPEARMAN -> Metrics.spearman(scores(gold), values(predictions));
      case GROUP_EM ->
          Metrics.groupExactMatch(
              gold.stream().map(Example::group).toList(), classes(gold), indices(predictions));
      case SQUAD_EM -> Metrics.squadExactMatch(answers(gold), texts(predictions));
      case SQUAD_F1 -> Metrics.squadF1(answers(gold), texts(predictions));
    };
  }

  private static int[] classes(List<Example> gold) {
    int[] out = new int[gold.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = gold.get(i).classIndex();
      if (out[i] < 0) {
        throw new IllegalArgumentException("example " + gold.get(i).id() + " has no gold class");
      }
    }
    return out;
  }

  private static double[] scores(List<Example> gold) {
    double[] out = new double[gold.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = gold.get(i).score();
      if (Double.isNaN(out[i])) {
        throw new IllegalArgumentException("example " + gold.get(i).id() + " has no gold score");
      }
    }
    return out;
  }

  private static List<List<String>> answers(List<Example> gold) {
    for (Example e : gold) {
      if (e.answers().isEmpty()) {
        throw new IllegalArgumentException("example " + e.id() + " has no gold answers");
      }
    }
    return gold.stream().map(Example::answers).toList();
  }

  private static int[] indices(Predictions p) {
    if (p instanceof Predictions.Classes(int[] indices)) {
      return indices;
    }
    throw new IllegalArgumentException("this metric needs class predictions, got " + kindOf(p));
  }

  private static double[] values(Predictions p) {
    if (p instanceof Predictions.Values(double[] values)) {
      return values;
    }
    throw new IllegalArgumentException("this metric needs value predictions, got " + kindOf(p));
  }

  private static List<String> texts(Predictions p) {
    if (p instanceof Predictions.Texts(List<String> texts)) {
      return texts;
    }
    throw new IllegalArgumentException("this metric needs text predictions, got " + kindOf(p));
  }

  private static String kindOf(Predictions p) {
    return p.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}
