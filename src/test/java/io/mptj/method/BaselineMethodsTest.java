package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.bert.BertEncoder;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.pipeline.Stage;
import io.mptj.testing.TestSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proofs every baseline method owes (issue 12), on a tiny random float64 BERT (d = 32, 2
 * layers, FFN 64, 4 heads, 40 positions, 2 token types, the bundled 30,522-word vocabulary): the
 * gradient of {@code loss = Σ encode(...) ⊙ R} w.r.t. the method's parameters equals central finite
 * differences (step 1e-6) within 1e-6 · (1 + |g|) on up to 24 coordinates per tensor; after an SGD
 * step on them every frozen backbone weight is bit-identical and has no gradient, while each of the
 * method's tensors moved; save → load gives bit-identical outputs; the parameter count equals the
 * hand count stated per case.
 */
class BaselineMethodsTest {

  private static final long[][] IDS = {{101, 7592, 2088, 999, 102}, {101, 2748, 102, 0, 0}};
  private static final long[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
  private static final long[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};
  private static final PeftAdapter.Target TARGET =
      new PeftAdapter.Target("tiny-bert", "SEQ_CLS", 4, 2);

  @TempDir Path tmp;

  /**
   * A method with settings and its hand count on the tiny model.
   *
   * @param count what the method trains per task, by hand
   */
  record Case(String method, Map<String, Object> settings, long count, String why) {
    @Override
    public String toString() {
      return method;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "lora",
            Map.of("lora_rank", 2, "lora_alpha", 4.0),
            2 * 2 * 2 * (32 + 32),
            "2 layers × (query, value) × r·(in + out), r = 2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferencesAndOnlyTheMethodTrains(Case c) {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(tmp.resolve("bert"), 5));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(c, enc, m)) {
      assertEquals(DataType.FLOAT64, enc.wordEmbeddings().getDataType());
      randomize(module, 3);
      NDArray r = weightsOfLoss(enc, module, m);
      Map<String, byte[]> before = new LinkedHashMap<>();
      enc.weights().forEach((k, v) -> before.put(k, v.toByteArray()));
      Map<String, double[]> grads = new LinkedHashMap<>();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(loss(enc, module, m, r));
        for (Parameter p : module.parameters()) {
          grads.put(p.name(), p.array().getGradient().toDoubleArray());
        }
      }
      double maxErr = 0;
      boolean nonzero = false;
      Random pick = new Random(7);
      for (Parameter p : module.parameters()) {
        double[] g = grads.get(p.name());
        for (int t = 0; t < Math.min(24, g.length); t++) {
          int i = g.length <= 24 ? t : pick.nextInt(g.length);
          double fd = finiteDifference(enc, module, m, r, p.array(), i);
          maxErr = Math.max(maxErr, Math.abs(fd - g[i]) / (1 + Math.abs(g[i])));
          nonzero |= Math.abs(g[i]) > 1e-4;
        }
      }
      assertTrue(maxErr <= 1e-6, c + ": max relative gradient error " + maxErr);
      assertTrue(nonzero, c + ": the gradient is not trivially zero");

      for (Parameter p : module.parameters()) {
        double[] was = p.array().toDoubleArray();
        p.array()
            .subi(
                p.array().getManager().create(grads.get(p.name()), p.array().getShape()).mul(0.1));
        assertFalse(java.util.Arrays.equals(was, p.array().toDoubleArray()), p.name() + " moved");
      }
      for (Map.Entry<String, NDArray> e : enc.weights().entrySet()) {
        assertFalse(e.getValue().hasGradient(), e.getKey() + " must not require a gradient");
        assertArrayEquals(
            before.get(e.getKey()), e.getValue().toByteArray(), e.getKey() + " changed");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void savedAndLoadedGivesIdenticalOutputsAndCountsAreTheHandCount(Case c) {
    Path adapter = tmp.resolve("adapter");
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(tmp.resolve("bert"), 5));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(c, enc, m)) {
      assertEquals(c.count(), module.taskParameterCount() + module.sharedParameterCount(), c.why());
      assertEquals(
          c.count(),
          module.parameters().stream().mapToLong(Parameter::size).sum(),
          "the trainable tensors hold exactly the counted parameters");
      randomize(module, 4);
      double[] out = hidden(enc, module, m).toDoubleArray();
      PeftAdapter.save(adapter, module, TARGET);
      try (PromptModule loaded = PeftAdapter.load(adapter, m)) {
        assertArrayEquals(out, hidden(enc, loaded, m).toDoubleArray(), 0.0, c + " after reload");
      }
    }
  }

  static PromptModule create(Case c, BertEncoder enc, NDManager m) {
    TuningMethod method = MethodRegistry.get(c.method());
    MethodConfig config = TestSettings.of("bert", Stage.ADAPT, c.method(), c.settings()).config();
    return method.create(new TuningMethod.Init(enc, 1, null, 11), config, m);
  }

  /** Sets every parameter to N(0, 0.3²) values (LoRA's B and BitFit's offsets start at zero). */
  static void randomize(PromptModule module, long seed) {
    Random rng = new Random(seed);
    for (Parameter p : module.parameters()) {
      double[] x = new double[Math.toIntExact(p.size())];
      for (int i = 0; i < x.length; i++) {
        x[i] = 0.3 * rng.nextGaussian();
      }
      NDArray v =
          p.array()
              .getManager()
              .create(x, p.array().getShape())
              .toType(p.array().getDataType(), false);
      p.array().set(new NDIndex("..."), v);
      v.close();
    }
  }

  /** The forward a task model runs, without its head: (B, P + T, d). */
  static NDArray hidden(BertEncoder enc, PromptModule module, NDManager m) {
    NDArray taskIds = m.create(new long[] {0, 0});
    LayerEdits edits = module.edits(taskIds);
    NDArray tokens = module.embedTokens(enc.embed(m.create(IDS), edits), taskIds); // (B, T, d)
    NDArray mask = m.create(MASK);
    NDArray types = m.create(TYPES);
    NDArray x = tokens;
    int p = module.length();
    if (p > 0) {
      x = PromptInput.prependEmbeddings(module.forward(taskIds, tokens, mask), tokens);
      mask = PromptInput.extendMask(mask, p);
      types = PromptInput.extendTokenTypes(types, p);
    }
    return enc.encode(x, types, mask, edits);
  }

  private static NDArray weightsOfLoss(BertEncoder enc, PromptModule module, NDManager m) {
    Shape s = hidden(enc, module, m).getShape();
    Random rng = new Random(2);
    double[] r = new double[Math.toIntExact(s.size())];
    for (int i = 0; i < r.length; i++) {
      r[i] = rng.nextGaussian();
    }
    return m.create(r, s);
  }

  private static NDArray loss(BertEncoder enc, PromptModule module, NDManager m, NDArray r) {
    return hidden(enc, module, m).mul(r).sum();
  }

  private static double finiteDifference(
      BertEncoder enc, PromptModule module, NDManager m, NDArray r, NDArray param, int flat) {
    double h = 1e-6;
    double x0 = param.toDoubleArray()[flat];
    double plus = lossWith(enc, module, m, r, param, flat, x0 + h);
    double minus = lossWith(enc, module, m, r, param, flat, x0 - h);
    lossWith(enc, module, m, r, param, flat, x0);
    return (plus - minus) / (2 * h);
  }

  private static double lossWith(
      BertEncoder enc,
      PromptModule module,
      NDManager m,
      NDArray r,
      NDArray param,
      int flat,
      double v) {
    NDIndex at = new NDIndex(coordinates(param.getShape(), flat));
    param.set(at, v);
    try (NDManager step = m.newSubManager()) {
      return loss(enc, module, step, r).getDouble();
    }
  }

  private static String coordinates(Shape shape, int flat) {
    long[] c = new long[shape.dimension()];
    for (int d = shape.dimension() - 1; d >= 0; d--) {
      c[d] = flat % shape.get(d);
      flat /= (int) shape.get(d);
    }
    return java.util.Arrays.stream(c)
        .mapToObj(Long::toString)
        .reduce((a, b) -> a + "," + b)
        .orElse("");
  }

  static List<String> names() {
    return cases().map(Case::method).toList();
  }
}
