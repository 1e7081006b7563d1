package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.pt.SoftPrompt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptModulesTest {

  @TempDir Path tmp;

  private static final int P = 5;
  private static final int D = 7;
  private static final int K = 3;
  private static final int R = 2;

  private static float[] random(int n, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  @Test
  void multitaskPromptIsSharedPromptTimesRankRUpdateComputedByHand() {
    float[] s = random(P * D, 1);
    float[] u = random(K * P * R, 2);
    float[] v = random(K * R * D, 3);
    try (NDManager m = NDManager.newBaseManager();
        MultitaskPrompt mpt =
            new MultitaskPrompt(
                m,
                m.create(s, new Shape(P, D)),
                m.create(u, new Shape(K, P, R)),
                m.create(v, new Shape(K, R, D)))) {
      long[] tasks = {2, 0, 2, 1};
      NDArray out = mpt.forward(m.create(tasks)); // (B, P, D)
      assertEquals(new Shape(4, P, D), out.getShape());
      float[] got = out.toFloatArray();
      for (int b = 0; b < tasks.length; b++) {
        int k = (int) tasks[b];
        for (int i = 0; i < P; i++) {
          for (int j = 0; j < D; j++) {
            double w = 0;
            for (int r = 0; r < R; r++) {
              w += u[(k * P + i) * R + r] * v[(k * R + r) * D + j];
            }
            double expected = s[i * D + j] * w;
            assertEquals(
                expected, got[(b * P + i) * D + j], 1e-5, "b=" + b + " i=" + i + " j=" + j);
          }
        }
      }
      float[] folded = mpt.taskPrompt(m, 1).toFloatArray();
      float[] row1 = java.util.Arrays.copyOfRange(got, 3 * P * D, 4 * P * D);
      assertArrayEquals(row1, folded, 1e-6f);
    }
  }

  @Test
  void gradientsReachEveryParameterAndOnlyTheTasksInTheBatch() {
    try (NDManager m = NDManager.newBaseManager();
        MultitaskPrompt mpt =
            new MultitaskPrompt(
                m,
                m.randomNormal(new Shape(P, D)),
                m.randomNormal(new Shape(K, P, R)),
                m.randomNormal(new Shape(K, R, D)))) {
      try (NDManager step = m.newSubManager()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(mpt.forward(step.create(new long[] {0, 2})).sum());
        }
        for (Parameter p : mpt.parameters()) {
          float[] g = p.array().getGradient().toFloatArray();
          assertTrue(java.util.Arrays.stream(toDouble(g)).anyMatch(x -> x != 0), p.name());
        }
        NDArray gu = mpt.parameters().get(1).array().getGradient();
        assertEquals(0f, gu.get(1).abs().sum().getFloat(), "task 1 was not in the batch");
      }
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  @Test
  void peftRoundTripKeepsExactKeysShapesAndValues() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        MultitaskPrompt mpt =
            new MultitaskPrompt(
                m,
                m.randomNormal(new Shape(P, D)),
                m.randomNormal(new Shape(K, P, R)),
                m.randomNormal(new Shape(K, R, D)))) {
      PeftAdapter.Target target = new PeftAdapter.Target("t5-base", "SEQ_2_SEQ_LM", 12, 12);
      PeftAdapter.save(tmp, mpt, target);
      Map<String, long[]> shapes = PeftAdapter.shapes(tmp);
      assertEquals(3, shapes.size());
      assertArrayEquals(new long[] {P, D}, shapes.get("prompt_embeddings"));
      assertArrayEquals(new long[] {K, P, R}, shapes.get("prefix_task_cols"));
      assertArrayEquals(new long[] {K, R, D}, shapes.get("prefix_task_rows"));
      try (SafetensorsFile f = SafetensorsFile.open(tmp.resolve(PeftAdapter.WEIGHTS))) {
        assertEquals("pt", f.metadata().get("format"));
      }
      JsonNode cfg = new ObjectMapper().readTree(tmp.resolve(PeftAdapter.CONFIG).toFile());
      assertEquals("MULTITASK_PROMPT_TUNING", cfg.get("peft_type").asText());
      assertEquals(P, cfg.get("num_virtual_tokens").asInt());
      assertEquals(D, cfg.get("token_dim").asInt());
      assertEquals(R, cfg.get("num_ranks").asInt());
      assertEquals(K, cfg.get("num_tasks").asInt());
      assertEquals(1, cfg.get("num_transformer_submodules").asInt());
      try (PromptModule back = PeftAdapter.load(tmp, m)) {
        NDArray ids = m.create(new long[] {0, 1, 2});
        assertArrayEquals(mpt.forward(ids).toFloatArray(), back.forward(ids).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void foldedAdapterIsAPlainPromptWithTheTaskPrompt() {
    try (NDManager m = NDManager.newBaseManager();
        MultitaskPrompt mpt =
            new MultitaskPrompt(
                m,
                m.randomNormal(new Shape(P, D)),
                m.randomNormal(new Shape(K, P, R)),
                m.randomNormal(new Shape(K, R, D)))) {
      PeftAdapter.saveFolded(tmp, mpt, 2, new PeftAdapter.Target("minilm", "SEQ_CLS", 12, 6));
      assertEquals("PROMPT_TUNING", PeftAdapter.readConfig(tmp).peftType());
      try (PromptModule plain = PeftAdapter.load(tmp, m)) {
        assertTrue(plain instanceof SoftPrompt);
        assertArrayEquals(
            mpt.taskPrompt(m, 2).toFloatArray(), plain.taskPrompt(m, 0).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void adapterWithForeignKeysIsRejectedNamingThem() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        SoftPrompt sp = SoftPrompt.single(m, m.ones(new Shape(P, D)))) {
      PeftAdapter.save(tmp, sp, new PeftAdapter.Target("minilm", "SEQ_CLS", 12, 6));
      Safetensors.write(
          tmp.resolve(PeftAdapter.WEIGHTS),
          Map.of("base_model.prompt_embeddings", m.ones(new Shape(P, D))),
          Map.of());
      var e = assertThrows(CheckpointException.class, () -> PeftAdapter.load(tmp, m));
      assertTrue(e.getMessage().contains("base_model.prompt_embeddings"), e.getMessage());
      assertTrue(Files.exists(tmp.resolve(PeftAdapter.CONFIG)));
    }
  }
}
