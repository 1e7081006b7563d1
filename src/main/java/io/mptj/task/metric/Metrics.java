package io.mptj.task.metric;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one implementation of each evaluation metric, on natural scales (accuracy in [0, 1],
 * correlations in [-1, 1]); {@link io.mptj.task.Task#evaluate} reports them in percent. Definitions
 * follow scikit-learn ({@code accuracy_score}, {@code f1_score}, {@code
 * fbeta_score(average="macro")}, {@code matthews_corrcoef}), SciPy ({@code pearsonr}, {@code
 * spearmanr} with average ranks for ties) and the official SQuAD v1.1 evaluation script, as
 * ATTEMPT's {@code metrics/metrics.py} uses them.
 *
 * <p>A predicted class outside {@code [0, classes)} is an invalid answer (T5 generated text that
 * names no label; classification by ranking the label strings never gives one). It is always wrong,
 * and for the binary metrics, F1 and Matthews alike, it counts as the opposite of the gold class,
 * as T5's {@code f1_score_with_invalid} does for F1. ATTEMPT does that for F1 only: its Matthews
 * passes the generated strings to scikit-learn's {@code matthews_corrcoef}, where each distinct
 * invalid string is one more class of a multiclass correlation. mptj cannot follow it there,
 * because the invalid text is gone by the time predictions are class indices, so it scores every
 * binary metric the same way; the two agree whenever every prediction is a label.
 */
public final class Metrics {
  private Metrics() {}

  /** Fraction of predictions equal to the gold class. */
  public static double accuracy(int[] gold, int[] pred) {
    check(gold.length, pred.length);
    int right = 0;
    for (int i = 0; i < gold.length; i++) {
      right += gold[i] == pred[i] ? 1 : 0;
    }
    return (double) right / gold.length;
  }

  /** F1 of the positive class 1 of a binary task; 0 when there is no true positive. */
  public static double binaryF1(int[] gold, int[] pred) {
    int[] p = binaryValid(gold, pred);
    long tp = 0, fp = 0, fn = 0;
    for (int i = 0; i < gold.length; i++) {
      tp += gold[i] == 1 && p[i] == 1 ? 1 : 0;
      fp += gold[i] != 1 && p[i] == 1 ? 1 : 0;
      fn += gold[i] == 1 && p[i] != 1 ? 1 : 0;
    }
    return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** Unweighted mean over classes {@code 0..classes-1} of the per-class F1 (CB's "F1"). */
  public static double macroF1(int[] gold, int[] pred, int classes) {
    check(gold.length, pred.length);
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      long tp = 0, fp = 0, fn = 0;
      for (int i = 0; i < gold.length; i++) {
        tp += gold[i] == c && pred[i] == c ? 1 : 0;
        fp += gold[i] != c && pred[i] == c ? 1 : 0;
        fn += gold[i] == c && pred[i] != c ? 1 : 0;
      }
      sum += tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }
    return sum / classes;
  }

  /**
   * Matthews correlation of a binary task (CoLA), invalid predictions counted as the opposite of
   * the gold class; 0 when undefined (a row or column of the confusion matrix is empty), as
   * scikit-learn returns.
   */
  public static double matthews(int[] gold, int[] pred) {
    int[] p = binaryValid(gold, pred);
    double tp = 0, tn = 0, fp = 0, fn = 0;
    for (int i = 0; i < gold.length; i++) {
      boolean g = gold[i] == 1, q = p[i] == 1;
      tp += g && q ? 1 : 0;
      tn += !g && !q ? 1 : 0;
      fp += !g && q ? 1 : 0;
      fn += g && !q ? 1 : 0;
    }
    double den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    return den == 0 ? 0 : (tp * tn - fp * fn) / den;
  }

  /**
   * Pearson correlation; 0 when undefined (a constant series). SciPy's {@code pearsonr} gives NaN
   * there; ATTEMPT's {@code pearson_corrcoef} (its {@code metrics/metrics.py}) turns that NaN into
   * 0, and so does mptj, so that a model that predicts one value scores 0 and benchmark averages
   * stay finite.
   */
  public static double pearson(double[] x, double[] y) {
    check(x.length, y.length);
    double mx = mean(x), my = mean(y);
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    double r = sxy / Math.sqrt(sxx * syy);
    return Double.isFinite(r) ? r : 0;
  }

  /**
   * Spearman rank correlation: Pearson of the average ranks; 0 when undefined (a constant series),
   * where SciPy's {@code spearmanr} gives NaN and ATTEMPT's {@code spearman_corrcoef} reports 0.
   */
  public static double spearman(double[] x, double[] y) {
    return pearson(ranks(x), ranks(y));
  }

  /**
   * Mean over groups of exact match: a group scores 1 when every prediction in it equals its gold
   * class (MultiRC's "EM", T5's {@code mean_group_metric(exact_match)}).
   */
  public static double groupExactMatch(List<String> groups, int[] gold, int[] pred) {
    check(gold.length, pred.length);
    check(groups.size(), gold.length);
    Map<String, Boolean> all = new LinkedHashMap<>();
    for (int i = 0; i < gold.length; i++) {
      all.merge(groups.get(i), gold[i] == pred[i], Boolean::logicalAnd);
    }
    return all.values().stream().mapToDouble(b -> b ? 1 : 0).average().orElse(0);
  }

  /** SQuAD exact match: the normalized prediction equals some normalized gold answer. */
  public static double squadExactMatch(List<List<String>> gold, List<String> pred) {
    check(gold.size(), pred.size());
    double sum = 0;
    for (int i = 0; i < pred.size(); i++) {
      String p = normalizeAnswer(pred.get(i));
      sum += gold.get(i).stream().anyMatch(g -> normalizeAnswer(g).equals(p)) ? 1 : 0;
    }
    return sum / pred.size();
  }

  /** SQuAD F1: token-overlap F1 of the normalized texts, the best over the gold answers. */
  public static double squadF1(List<List<String>> gold, List<String> pred) {
    check(gold.size(), pred.size());
    double sum = 0;
    for (int i = 0; i < pred.size(); i++) {
      String p = pred.get(i);
      sum += gold.get(i).stream().mapToDouble(g -> tokenF1(g, p)).max().orElse(0);
    }
    return sum / pred.size();
  }

  private static final Pattern ARTICLES =
      Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  /**
   * The SQuAD v1.1 answer normalization: lower case, ASCII punctuation removed, the articles a / an
   * / the removed, whitespace collapsed.
   */
  public static String normalizeAnswer(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char c : text.toLowerCase(Locale.ROOT).toCharArray()) {
      if (PUNCTUATION.indexOf(c) < 0) {
        b.append(c);
      }
    }
    String noArticles = ARTICLES.matcher(b).replaceAll(" ");
    return String.join(" ", tokens(noArticles));
  }

  private static double tokenF1(String gold, String pred) {
    List<String> g = tokens(normalizeAnswer(gold));
    List<String> p = tokens(normalizeAnswer(pred));
    Map<String, Integer> counts = new HashMap<>();
    g.forEach(t -> counts.merge(t, 1, Integer::sum));
    int same = 0;
    for (String t : p) {
      Integer c = counts.get(t);
      if (c != null && c > 0) {
        same++;
        counts.put(t, c - 1);
      }
    }
    if (same == 0) {
      return 0;
    }
    double precision = (double) same / p.size(), recall = (double) same / g.size();
    return 2 * precision * recall / (precision + recall);
  }

  private static List<String> tokens(CharSequence s) {
    return Arrays.stream(
            s.toString()
                .split(
                    "[\\s\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\u001c-\\u001f]+"))
        .filter(t -> !t.isEmpty())
        .toList();
  }

  private static double[] ranks(double[] x) {
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < x.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    double[] r = new double[x.length];
    for (int i = 0; i < x.length; ) {
      int j = i;
      while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[order[k]] = avg;
      }
      i = j + 1;
    }
    return r;
  }

  private static int[] binaryValid(int[] gold, int[] pred) {
    check(gold.length, pred.length);
    int[] p = pred.clone();
    for (int i = 0; i < p.length; i++) {
      if (p[i] != 0 && p[i] != 1) {
        p[i] = gold[i] == 1 ? 0 : 1;
      }
    }
    return p;
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  private static void check(int gold, int pred) {
    if (gold != pred) {
      throw new IllegalArgumentException(gold + " gold labels but " + pred + " predictions");
    }
    if (gold == 0) {
      throw new IllegalArgumentException("no examples to score");
    }
  }
}
