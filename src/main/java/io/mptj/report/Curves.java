package io.mptj.report;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Curves for the charts: a value per step averaged over runs (seeds), optionally smoothed. */
final class Curves {
  private Curves() {}

  /** The smoothing weight of the loss curves (TensorBoard's default is 0.6; 0 means none). */
  static final double LOSS_SMOOTHING = 0.6;

  /**
   * A line drawn in a chart.
   *
   * @param name the legend entry
   * @param colour an index into the chart palette, so that a method keeps its colour across charts
   * @param x the steps
   * @param y the values
   */
  record Series(String name, int colour, double[] x, double[] y) {

    /** Checks the lengths. */
    Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            name + ": " + x.length + " steps, " + y.length + " values");
      }
    }
  }

  /**
   * The mean over runs at each step any run logged, ignoring NaN values.
   *
   * @param runs per run, its values by step
   */
  static Series mean(String name, int colour, List<Map<Integer, Double>> runs) {
    SortedMap<Integer, double[]> sums = new TreeMap<>();
    for (Map<Integer, Double> run : runs) {
      run.forEach(
          (step, v) -> {
            if (!Double.isNaN(v)) {
              double[] s = sums.computeIfAbsent(step, k -> new double[2]);
              s[0] += v;
              s[1]++;
            }
          });
    }
    double[] x = sums.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
    double[] y = sums.values().stream().mapToDouble(s -> s[0] / s[1]).toArray();
    return new Series(name, colour, x, y);
  }

  /**
   * Exponential moving average with bias correction (as TensorBoard smooths scalars): {@code
   * weight} 0 returns the values unchanged.
   */
  static Series smooth(Series s, double weight) {
    double[] y = new double[s.y().length];
    double ema = 0;
    double norm = 0;
    for (int i = 0; i < y.length; i++) {
      ema = weight * ema + (1 - weight) * s.y()[i];
      norm = weight * norm + (1 - weight);
      y[i] = ema / norm;
    }
    return new Series(s.name(), s.colour(), s.x(), y);
  }
}
