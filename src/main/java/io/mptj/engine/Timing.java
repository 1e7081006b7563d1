package io.mptj.engine;

import java.util.List;

/** Wall-clock helpers of the benchmarks: one timed call, and the median of repeats. */
public final class Timing {
  private Timing() {}

  /** Seconds {@code r} took. */
  public static double seconds(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return (System.nanoTime() - t) / 1e9;
  }

  /** The median of {@code xs}, NaN when empty. */
  public static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
