package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.PromptInput;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks of the T5 path that need no HF outputs, on every T5 fixture (recorded, reshaped and
 * random, see {@link io.mptj.testing.T5Fixtures}), with every size taken from the fixture: the
 * prompt gradient against central finite differences in float64, and greedy decoding with the
 * key/value cache against a naive loop that re-runs the whole decoder at every step.
 */
class T5SelfConsistencyTest {

  @TempDir Path tmp;

  static Stream<T5Fixture> fixtures() {
    return T5Fixture.all();
  }

  /**
   * d loss / d prompt from autograd equals central differences of the loss along the gradient
   * itself and along random directions, computed on a float64 copy of the model (so that the
   * differences are exact to about 1e-9 and any float32 step in the path would show).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void promptGradientMatchesCentralFiniteDifferencesInFloat64(T5Fixture f) throws IOException {
    try (T5Model model = T5Model.load(float64Copy(f));
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(DataType.FLOAT64, model.wordEmbeddings().getDataType());
      NDArray prompt = f.load(m, "prompt_embeds").toType(DataType.FLOAT64, true); // (P, d)
      prompt.setRequiresGradient(true);
      double loss0;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray loss = promptLoss(model, f, prompt);
        assertEquals(DataType.FLOAT64, loss.getDataType(), "the loss is computed in float64");
        loss0 = loss.getDouble();
        collector.backward(loss);
      }
      double[] grad = prompt.getGradient().toDoubleArray();
      double norm = Math.sqrt(dot(grad, grad));
      assertTrue(norm > 0, "the prompt has a gradient");
      Random rng = new Random(17);
      double eps = 1e-5;
      for (int k = 0; k < 4; k++) {
        double[] v = k == 0 ? grad.clone() : gaussian(rng, grad.length);
        scale(v, 1 / Math.sqrt(dot(v, v)));
        double plus = shiftedLoss(model, f, m, prompt, v, eps);
        double minus = shiftedLoss(model, f, m, prompt, v, -eps);
        double numeric = (plus - minus) / (2 * eps);
        double analytic = dot(grad, v);
        System.out.printf(
            Locale.ROOT,
            "%s direction %d: autograd %.10g, finite difference %.10g (loss %.6g)%n",
            f.name(),
            k,
            analytic,
            numeric,
            loss0);
        assertEquals(analytic, numeric, 1e-6 * norm + 1e-9, f.name() + " direction " + k);
      }
    }
  }

  /**
   * {@link T5Model#generate} (one decoder position per step, earlier keys and values cached) yields
   * the tokens of a loop that decodes the whole prefix again at each step, with and without the
   * prompt: argmax (lowest id on ties), pad after EOS, stop once every row has emitted EOS.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void cachedGreedyDecodingEqualsNaiveGreedyDecoding(T5Fixture f) {
    int maxNew =
        f.hasHfOutputs()
            ? (int) f.reference().info("greedy_sequences").shape()[1] - 1
            : f.labelLength();
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      for (boolean withPrompt : new boolean[] {false, true}) {
        NDArray mask = f.load(m, "attention_mask");
        NDArray embeds = model.embed(f.load(m, "input_ids"));
        if (withPrompt) {
          embeds = PromptInput.prependEmbeddings(f.promptRows(m), embeds);
          mask = PromptInput.extendMask(mask, f.promptLength());
        }
        long[][] cached = model.generate(embeds, mask, maxNew);
        long[][] naive = naiveGreedy(model, m, embeds, mask, maxNew);
        f.assertTokens((withPrompt ? "prompt " : "") + "greedy", naive, cached);
        System.out.println(
            f.name()
                + (withPrompt ? " prompt" : "")
                + " greedy: "
                + java.util.Arrays.deepToString(cached));
      }
    }
  }

  private static long[][] naiveGreedy(
      T5Model model, NDManager m, NDArray embeds, NDArray mask, int maxNew) {
    NDArray hidden = model.encode(embeds, mask);
    int batch = (int) hidden.getShape().get(0);
    long[][] seqs = new long[batch][1];
    for (long[] row : seqs) {
      row[0] = model.decoderStartTokenId();
    }
    boolean[] finished = new boolean[batch];
    for (int step = 0; step < maxNew && !all(finished); step++) {
      int t = seqs[0].length;
      long[] flat = new long[batch * t];
      for (int b = 0; b < batch; b++) {
        System.arraycopy(seqs[b], 0, flat, b * t, t);
      }
      try (NDManager s = m.newSubManager()) {
        NDArray ids = s.create(flat, new Shape(batch, t));
        NDArray logits = model.decode(ids, hidden, mask).logits(); // (B, t, V)
        double[] last = logits.get(":, -1, :").toType(DataType.FLOAT64, false).toDoubleArray();
        int vocab = model.vocabSize();
        for (int b = 0; b < batch; b++) {
          long next = finished[b] ? model.padTokenId() : argmax(last, b * vocab, vocab);
          finished[b] |= next == model.eosTokenId();
          seqs[b] = java.util.Arrays.copyOf(seqs[b], t + 1);
          seqs[b][t] = next;
        }
      }
    }
    return seqs;
  }

  private static double shiftedLoss(
      T5Model model, T5Fixture f, NDManager m, NDArray prompt, double[] v, double eps) {
    try (NDManager s = m.newSubManager()) {
      double[] p = prompt.toDoubleArray();
      for (int i = 0; i < p.length; i++) {
        p[i] += eps * v[i];
      }
      return promptLoss(model, f, s.create(p, prompt.getShape())).getDouble();
    }
  }

  /** Teacher-forced loss on the fixture's inputs with {@code prompt} (P, d) before every row. */
  private static NDArray promptLoss(T5Model model, T5Fixture f, NDArray prompt) {
    NDManager m = prompt.getManager();
    NDArray ids = f.load(m, "input_ids");
    NDArray labels = f.load(m, "labels");
    NDArray mask = PromptInput.extendMask(f.load(m, "attention_mask"), f.promptLength());
    NDArray rows = prompt.expandDims(0).repeat(0, f.batch()); // (B, P, d)
    NDArray hidden = model.encode(PromptInput.prependEmbeddings(rows, model.embed(ids)), mask);
    return model.loss(model.decode(model.shiftRight(labels), hidden, mask).logits(), labels);
  }

  /** The fixture's model directory with every float tensor widened to float64. */
  private Path float64Copy(T5Fixture f) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(f.name() + "-f64"));
    Files.copy(f.dir().resolve("config.json"), dir.resolve("config.json"));
    try (SafetensorsFile weights = SafetensorsFile.open(f.dir().resolve("model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> wide = new LinkedHashMap<>();
      for (String name : weights.names()) {
        wide.put(name, weights.load(m, name).toType(DataType.FLOAT64, true));
      }
      Safetensors.write(dir.resolve("model.safetensors"), wide, Map.of("format", "pt"));
    }
    return dir;
  }

  private static int argmax(double[] row, int offset, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (row[offset + i] > row[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  private static boolean all(boolean[] flags) {
    for (boolean b : flags) {
      if (!b) {
        return false;
      }
    }
    return true;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static void scale(double[] a, double c) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= c;
    }
  }

  private static double[] gaussian(Random rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextGaussian();
    }
    return v;
  }
}
