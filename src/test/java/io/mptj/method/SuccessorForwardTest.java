package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.method.attempt.AttemptPrompt;
import io.mptj.method.dept.DeptConfig;
import io.mptj.method.dept.DeptPrompt;
import io.mptj.method.ulpt.UlptConfig;
import io.mptj.method.ulpt.UlptPrompt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DePT, ULPT and ATTEMPT against plain-loop references of their papers' equations, on tiny shapes
 * (B = 2 rows of tasks 1 and 0 out of K = 2, T = 3 tokens, d = 4, P = 2, r = 2), within 1e-5; and
 * their parameter counts at T5-Base shapes (d = 768) equal the papers': DePT 76,800 at m = 60, r =
 * 30 over s = 256 positions (the same as PT's 100 × 768); ULPT 7,936 (the paper's "7.9K") at P =
 * 100, r = 64.
 */
class SuccessorForwardTest {

  private static final int B = 2;
  private static final int K = 2;
  private static final int T = 3;
  private static final int D = 4;
  private static final int P = 2;
  private static final int R = 2;
  private static final long[] TASKS = {1, 0};

  private static double[] random(int n, long seed) {
    Random rng = new Random(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  private static NDArray f32(NDManager m, double[] x, long... shape) {
    return m.create(x, new Shape(shape)).toType(DataType.FLOAT32, false);
  }

  @Test
  void deptAddsTheLowRankOffsetToTheFirstSPositionsOnly() {
    int s = 2; // < T: the third token keeps its embedding
    double[] tokens = random(B * T * D, 1);
    double[] a = random(K * s * R, 2);
    double[] b = random(K * R * D, 3);
    try (NDManager m = NDManager.newBaseManager();
        DeptPrompt dept =
            new DeptPrompt(
                m, f32(m, random(K * P * D, 4), K, P, D), f32(m, a, K, s, R), f32(m, b, K, R, D))) {
      float[] got =
          dept.embedTokens(f32(m, tokens, B, T, D), m.create(TASKS)).toFloatArray(); // (B, T, D)
      double[] want = new double[B * T * D];
      for (int i = 0; i < B; i++) {
        int k = (int) TASKS[i];
        for (int t = 0; t < T; t++) {
          for (int j = 0; j < D; j++) {
            double offset = 0;
            for (int q = 0; t < s && q < R; q++) {
              offset += a[(k * s + t) * R + q] * b[(k * R + q) * D + j];
            }
            want[(i * T + t) * D + j] = tokens[(i * T + t) * D + j] + offset;
          }
        }
      }
      assertArrayEquals(toFloat(want), got, 1e-5f);
      assertEquals(P * D + s * R + R * D, dept.taskParameterCount());
    }
  }

  @Test
  void ulptIsTheLowDimensionalPromptUpProjectedThenScaledAndShifted() {
    double[] z = random(K * P * R, 5);
    double[] scale = random(K * D, 6);
    double[] shift = random(K * D, 7);
    long seed = 42;
    try (NDManager m = NDManager.newBaseManager();
        UlptPrompt ulpt =
            new UlptPrompt(m, f32(m, z, K, P, R), f32(m, scale, K, D), f32(m, shift, K, D), seed)) {
      float[] got = ulpt.forward(m.create(TASKS)).toFloatArray(); // (B, P, D)
      double[] proj = UlptPrompt.projection(m, D, R, seed, DataType.FLOAT64).toDoubleArray();
      double[] want = new double[B * P * D];
      for (int i = 0; i < B; i++) {
        int k = (int) TASKS[i];
        for (int p = 0; p < P; p++) {
          for (int j = 0; j < D; j++) {
            double e = 0;
            for (int q = 0; q < R; q++) {
              e += z[(k * P + p) * R + q] * proj[j * R + q];
            }
            want[(i * P + p) * D + j] = e * scale[k * D + j] + shift[k * D + j];
          }
        }
      }
      assertArrayEquals(toFloat(want), got, 1e-5f);
      assertEquals(P * R + 2 * D, ulpt.taskParameterCount());
    }
  }

  @Test
  void attemptMixesSourcePromptsByAttentionOverTheMaxPooledInput() {
    int sources = 2;
    int j = sources + 1;
    double[] src = random(sources * P * D, 8);
    double[] tgt = random(K * P * D, 9);
    double[] down = random(K * R * D, 10);
    double[] up = random(K * D * R, 11);
    double[] tokens = random(B * T * D, 12);
    long[][] mask = {{1, 1, 1}, {1, 1, 0}}; // row 1's last token is padding: not pooled
    try (NDManager m = NDManager.newBaseManager();
        AttemptPrompt attempt =
            new AttemptPrompt(
                m,
                f32(m, src, sources, P, D),
                f32(m, tgt, K, P, D),
                f32(m, down, K, R, D),
                f32(m, up, K, D, R))) {
      float[] got =
          attempt
              .forward(m.create(TASKS), f32(m, tokens, B, T, D), m.create(mask))
              .toFloatArray(); // (B, P, D)
      double[] want = new double[B * P * D];
      for (int i = 0; i < B; i++) {
        int k = (int) TASKS[i];
        double[] pooled = new double[D];
        java.util.Arrays.fill(pooled, Double.NEGATIVE_INFINITY);
        for (int t = 0; t < T; t++) {
          for (int c = 0; c < D && mask[i][t] == 1; c++) {
            pooled[c] = Math.max(pooled[c], tokens[(i * T + t) * D + c]);
          }
        }
        double[] hidden = new double[R];
        for (int q = 0; q < R; q++) {
          double v = 0;
          for (int c = 0; c < D; c++) {
            v += down[(k * R + q) * D + c] * pooled[c];
          }
          hidden[q] = v / (1 + Math.exp(-v)); // SiLU
        }
        double[] h = new double[D];
        for (int c = 0; c < D; c++) {
          for (int q = 0; q < R; q++) {
            h[c] += up[(k * D + c) * R + q] * hidden[q];
          }
        }
        layerNorm(h);
        double[][] candidates = new double[j][];
        for (int n = 0; n < sources; n++) {
          candidates[n] = java.util.Arrays.copyOfRange(src, n * P * D, (n + 1) * P * D);
        }
        candidates[sources] = java.util.Arrays.copyOfRange(tgt, k * P * D, (k + 1) * P * D);
        double[] logits = new double[j];
        for (int n = 0; n < j; n++) {
          for (int c = 0; c < D; c++) {
            double key = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < P; p++) {
              key = Math.max(key, candidates[n][p * D + c]);
            }
            logits[n] += key * h[c] / D;
          }
        }
        double[] weights = softmax(logits);
        for (int p = 0; p < P; p++) {
          for (int c = 0; c < D; c++) {
            double v = candidates[sources][p * D + c];
            for (int n = 0; n < j; n++) {
              v += weights[n] * candidates[n][p * D + c];
            }
            want[(i * P + p) * D + c] = v;
          }
        }
      }
      assertArrayEquals(toFloat(want), got, 1e-5f);
      assertEquals(P * D + R * D + D * R, attempt.taskParameterCount());
      assertEquals(sources * P * D, attempt.sharedParameterCount());
    }
  }

  @Test
  void parameterCountsAtT5BaseShapesAreThePapers() {
    int d = 768;
    assertEquals(76_800, DeptConfig.parameterCount(60, 256, 30, d), "DePT, m = 60, r = 30");
    assertEquals(100L * d, DeptConfig.parameterCount(60, 256, 30, d), "as PT's 100 × 768");
    assertEquals(7_936, UlptConfig.parameterCount(100, 64, d), "ULPT, P = 100, r = 64: 7.9K");
    try (NDManager m = NDManager.newBaseManager();
        DeptPrompt dept =
            new DeptPrompt(
                m,
                m.zeros(new Shape(1, 60, d)),
                m.zeros(new Shape(1, 256, 30)),
                m.zeros(new Shape(1, 30, d)));
        UlptPrompt ulpt =
            new UlptPrompt(
                m,
                m.zeros(new Shape(1, 100, 64)),
                m.ones(new Shape(1, d)),
                m.zeros(new Shape(1, d)),
                1)) {
      assertEquals(76_800, dept.taskParameterCount());
      assertEquals(7_936, ulpt.taskParameterCount());
      assertEquals(
          76_800, dept.parameters().stream().mapToLong(Parameter::size).sum(), "stored = counted");
      assertEquals(
          7_936, ulpt.parameters().stream().mapToLong(Parameter::size).sum(), "stored = counted");
    }
  }

  private static void layerNorm(double[] h) {
    double mean = java.util.Arrays.stream(h).average().orElseThrow();
    double var =
        java.util.Arrays.stream(h).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
    for (int c = 0; c < h.length; c++) {
      h[c] = (h[c] - mean) / Math.sqrt(var + 1e-5);
    }
  }

  private static double[] softmax(double[] x) {
    double max = java.util.Arrays.stream(x).max().orElseThrow();
    double[] e = java.util.Arrays.stream(x).map(v -> Math.exp(v - max)).toArray();
    double sum = java.util.Arrays.stream(e).sum();
    return java.util.Arrays.stream(e).map(v -> v / sum).toArray();
  }

  private static float[] toFloat(double[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }
}
