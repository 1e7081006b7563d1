package io.mptj.report;

import java.util.List;
import java.util.Locale;

/**
 * The mean and sample standard deviation (n − 1 in the denominator) of a metric over seeds.
 *
 * @param mean the mean, NaN when n is 0
 * @param std the sample standard deviation, NaN when n is below 2
 * @param n the number of values
 */
public record Summary(double mean, double std, int n) {

  /** The cell text for a missing value. */
  public static final String MISSING = "–";

  /** Summarises the values (any number, including none). */
  public static Summary of(List<Double> values) {
    int n = values.size();
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    if (n < 2) {
      return new Summary(mean, Double.NaN, n);
    }
    double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
    return new Summary(mean, Math.sqrt(ss / (n - 1)), n);
  }

  /**
   * The paper's cell format: the mean to one decimal, {@code ± std} to two decimals when there are
   * two or more values, and {@code (n=…)} when asked; {@link #MISSING} for no values.
   */
  public String format(boolean showN) {
    if (n == 0) {
      return MISSING;
    }
    String s = String.format(Locale.ROOT, "%.1f", mean);
    if (n > 1) {
      s += String.format(Locale.ROOT, " ± %.2f", std);
    }
    return showN ? s + " (n=" + n + ")" : s;
  }
}
