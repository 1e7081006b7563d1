package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Measures this machine's fp32 matrix-multiply rate through DJL, the yardstick for a model's useful
 * FLOP/s: a forward pass cannot run its GEMMs faster than the GEMMs alone.
 *
 * <p>Each GEMM is timed as {@code x Wᵀ} with an {@code (n, k)} weight, the way the backbones call
 * {@code linear}, on operands created once; the rate is the total FLOPs over the total time of
 * {@code repeats} rounds after one warm-up round.
 */
public final class MatmulProbe {

  /**
   * One GEMM shape: {@code (m, k) × (k, n)}.
   *
   * @param m rows of the input (e.g. batch × length)
   * @param k inner dimension
   * @param n output columns
   */
  public record Gemm(long m, long k, long n) {
    public Gemm {
      if (m <= 0 || k <= 0 || n <= 0) {
        throw new IllegalArgumentException(
            "GEMM dimensions must be positive: " + m + "x" + k + "x" + n);
      }
    }

    /** Multiply-adds counted as 2 FLOPs. */
    public double flops() {
      return 2.0 * m * k * n;
    }
  }

  private MatmulProbe() {}

  /**
   * The fp32 GEMM rate in GFLOP/s over a set of shapes.
   *
   * @param manager where the operands are created (freed before returning)
   * @param repeats timed rounds over all shapes, at least 1
   */
  public static double gflops(NDManager manager, List<Gemm> shapes, int repeats) {
    if (shapes.isEmpty() || repeats < 1) {
      throw new IllegalArgumentException("need at least one shape and one repeat");
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray[][] operands = new NDArray[shapes.size()][];
      double flops = 0;
      for (int i = 0; i < shapes.size(); i++) {
        Gemm g = shapes.get(i);
        operands[i] =
            new NDArray[] {
              m.randomNormal(new Shape(g.m(), g.k())), m.randomNormal(new Shape(g.n(), g.k()))
            };
        flops += g.flops();
      }
      round(operands);
      long start = System.nanoTime();
      for (int r = 0; r < repeats; r++) {
        round(operands);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return flops * repeats / seconds / 1e9;
    }
  }

  private static void round(NDArray[][] operands) {
    for (NDArray[] ab : operands) {
      NDArray x = ab[0];
      x.getNDArrayInternal().linear(x, ab[1], null).singletonOrThrow().close();
    }
  }
}
