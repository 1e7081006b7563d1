package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.nn.Activation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soft-prompt path gets exact gradients and the backbone stays frozen: on a tiny random float64
 * BERT, the prompt gradient of {@code loss = Σ encode([prompt; tokens]) ⊙ R} equals central finite
 * differences (step 1e-5) within 1e-7 · (1 + |g|) for every prompt coordinate; after an SGD step on
 * the prompt, every backbone weight is bit-identical and has no gradient.
 */
class PromptGradientTest {

  private static final int PROMPT = 3;
  private static final long[][] IDS = {{101, 7592, 2088, 999, 102}, {101, 2748, 102, 0, 0}};
  private static final long[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
  private static final long[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};

  @TempDir Path tmp;

  @Test
  void promptGradientMatchesFiniteDifferencesAndBackboneStaysFrozen() {
    BertConfig config = TinyBert.config(Activation.GELU);
    Path dir = TinyBert.write(tmp, config, TinyBert.randomWeights(config, 11), true, "", a -> {});
    try (BertEncoder encoder = BertEncoder.load(dir);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(DataType.FLOAT64, encoder.wordEmbeddings().getDataType());
      int d = config.hiddenSize();
      Shape promptShape = new Shape(IDS.length, PROMPT, d);
      double[] p0 = gaussian(promptShape.size(), 1);
      NDArray r =
          m.create(gaussian(IDS.length * (PROMPT + IDS[0].length) * d, 2))
              .reshape(IDS.length, PROMPT + IDS[0].length, d);
      Map<String, byte[]> before = snapshot(encoder);

      NDArray prompt = m.create(p0, promptShape);
      prompt.setRequiresGradient(true);
      double[] grad;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = loss(encoder, prompt, r);
        gc.backward(loss);
        grad = prompt.getGradient().toDoubleArray();
      }
      double maxErr = 0;
      double h = 1e-5;
      for (int i = 0; i < p0.length; i++) {
        double[] plus = p0.clone();
        double[] minus = p0.clone();
        plus[i] += h;
        minus[i] -= h;
        double fd =
            (lossAt(encoder, plus, promptShape, r) - lossAt(encoder, minus, promptShape, r))
                / (2 * h);
        double err = Math.abs(fd - grad[i]) / (1 + Math.abs(grad[i]));
        maxErr = Math.max(maxErr, err);
      }
      assertTrue(maxErr <= 1e-7, "max relative gradient error " + maxErr);
      assertTrue(
          java.util.Arrays.stream(grad).anyMatch(g -> Math.abs(g) > 1e-3),
          "gradient is not trivially zero");

      NDArray step = prompt.getGradient().mul(0.1);
      prompt.subi(step);
      assertFalse(java.util.Arrays.equals(p0, prompt.toDoubleArray()), "the prompt moved");
      for (Map.Entry<String, NDArray> e : encoder.weights().entrySet()) {
        assertFalse(e.getValue().hasGradient(), e.getKey() + " must not require a gradient");
        assertArrayEquals(
            before.get(e.getKey()), e.getValue().toByteArray(), e.getKey() + " changed");
      }
    }
  }

  private static NDArray loss(BertEncoder encoder, NDArray prompt, NDArray r) {
    NDManager m = prompt.getManager();
    NDArray embeds = PromptInput.prependEmbeddings(prompt, encoder.embed(m.create(IDS)));
    NDArray types = PromptInput.extendTokenTypes(m.create(TYPES), PROMPT);
    NDArray mask = PromptInput.extendMask(m.create(MASK), PROMPT);
    return encoder.encode(embeds, types, mask).mul(r).sum();
  }

  private static double lossAt(BertEncoder encoder, double[] values, Shape shape, NDArray r) {
    try (NDManager step = r.getManager().newSubManager()) {
      return loss(encoder, step.create(values, shape), r).getDouble();
    }
  }

  private static Map<String, byte[]> snapshot(BertEncoder encoder) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    encoder.weights().forEach((k, v) -> out.put(k, v.toByteArray()));
    return out;
  }

  private static double[] gaussian(long n, long seed) {
    Random random = new Random(seed);
    double[] out = new double[(int) n];
    for (int i = 0; i < out.length; i++) {
      out[i] = random.nextGaussian();
    }
    return out;
  }
}
