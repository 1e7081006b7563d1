package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.mptj.method.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  /** Minimises sum(w_i * c_i) for two steps and compares with AdamW computed by hand in doubles. */
  @Test
  void matchesHandComputedAdamWWithPerGroupRatesAndDecay() {
    double[] w0 = {0.5, -1.0, 2.0};
    double[] c = {1.0, -3.0, 0.25};
    double lr = 0.1;
    double wd = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0.5f, -1.0f, 2.0f});
      w.setRequiresGradient(true);
      NDArray coef = m.create(new float[] {1.0f, -3.0f, 0.25f});
      var settings = new AdamW.Settings(Map.of("task", lr), b1, b2, eps, wd, 0);
      try (AdamW opt = new AdamW(m, List.of(new Parameter("w", w, "task")), settings)) {
        double[] x = w0.clone();
        double[] mm = new double[3];
        double[] vv = new double[3];
        for (int t = 1; t <= 2; t++) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(coef).sum());
          }
          double scale = t == 1 ? 1.0 : 0.5;
          opt.step(scale);
          for (int i = 0; i < 3; i++) {
            mm[i] = b1 * mm[i] + (1 - b1) * c[i];
            vv[i] = b2 * vv[i] + (1 - b2) * c[i] * c[i];
            double mh = mm[i] / (1 - Math.pow(b1, t));
            double vh = vv[i] / (1 - Math.pow(b2, t));
            double a = lr * scale;
            x[i] = x[i] * (1 - a * wd) - a * mh / (Math.sqrt(vh) + eps);
          }
        }
        float[] got = w.toFloatArray();
        for (int i = 0; i < 3; i++) {
          assertEquals(x[i], got[i], 1e-5);
        }
        assertArrayEquals(
            new float[] {0, 0, 0}, w.getGradient().toFloatArray(), "gradients are zeroed");
        assertEquals(2, opt.steps());
      }
    }
  }

  @Test
  void clipsTheGlobalGradientNorm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {0f});
      a.setRequiresGradient(true);
      var settings = new AdamW.Settings(Map.of("shared", 1.0), 0.0, 0.0, 1e-8, 0, 1.0);
      try (AdamW opt = new AdamW(m, List.of(new Parameter("a", a, "shared")), settings)) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(a.mul(30f).sum());
        }
        assertEquals(30.0, opt.step(1.0), 1e-4);
        // with beta1 = beta2 = 0 the step is lr * g / |g| = 1 regardless of clipping: the sign
        // shows it moved
        assertEquals(-1.0, a.getFloat(0), 1e-4);
      }
    }
  }

  @Test
  void scheduleWarmsUpThenDecays() {
    Schedule s = new Schedule(Schedule.Kind.LINEAR, 4, 14);
    assertEquals(0.2, s.factor(0), 1e-9);
    assertEquals(1.0, s.factor(4), 1e-9);
    assertEquals(0.5, s.factor(9), 1e-9);
    Schedule cos = new Schedule(Schedule.Kind.COSINE, 0, 10);
    assertEquals(1.0, cos.factor(0), 1e-9);
    assertEquals(0.5, cos.factor(5), 1e-9);
  }
}
