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

  private Path bert() {
    return tmp.resolve("bert-" + System.nanoTime());
  }

  /**
   * A method with settings and its hand count on the tiny model.
   *
   * @param count what the method trains per task, by hand
   */
  record Case(String method, Map<String, Object> settings, long count, long frozen, String why) {

    Case(String method, Map<String, Object> settings, long count, String why) {
      this(method, settings, count, 0, why);
    }

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
            "2 layers × (query, value) × r·(in + out), r = 2"),
        new Case(
            "bitfit",
            Map.of(),
            2 * (4 * 32 + 32 + 64 + 32 + 32) + 32,
            "per layer the q, k, v, attention-output, intermediate and output biases and two"
                + " LayerNorm biases, plus the embedding LayerNorm's"),
        new Case(
            "adapter",
            Map.of("adapter_reduction", 8),
            2 * 2 * (4 * 32 + 4 + 32 * 4 + 32),
            "2 layers × 2 adapters × (down m·d + m, up d·m + d), m = 32 / 8"),
        new Case(
            "ft",
            Map.of(),
            30522 * 32
                + 40 * 32
                + 2 * 32
                + 2 * 32
                + 2 * (4 * (32 * 32 + 32) + 2 * 32 + (64 * 32 + 64) + (32 * 64 + 32) + 2 * 32),
            "every backbone tensor: embeddings, their LayerNorm, and per layer q, k, v, output,"
                + " intermediate, output dense and two LayerNorms"),
        new Case(
            "dept",
            Map.of("prompt_length", 3, "dept_rank", 2, "dept_positions", 4),
            3 * 32 + 4 * 2 + 2 * 32,
            "m·d + s·r + r·d with m = 3, s = 4 (< T = 5: the last position has no offset), r = 2"),
        new Case(
            "ulpt",
            Map.of("prompt_length", 3, "ulpt_rank", 4),
            3 * 4 + 2 * 32,
            "Z (P·r) + scale and shift (2d); the projection is rebuilt from its seed"),
        new Case(
            "attempt",
            Map.of("prompt_length", 3, "attempt_rank", 4),
            3 * 32 + 4 * 32 + 32 * 4 + 2 * 3 * 32,
            2 * 3 * 32,
            "target prompt P·d, W_down r·d, W_up d·r, plus the 2 frozen source prompts (shared)"),
        new Case(
            "mpt-dept",
            Map.of("prompt_length", 3, "rank", 1, "dept_rank", 2, "dept_positions", 4),
            3 * 32 + (3 + 32) + 4 * 2 + 2 * 32,
            "MPT's P* (P·d, shared) and u, v ((P + d)·r, r = 1), plus DePT's s·r + r·d"),
        new Case(
            "mpt-ulpt",
            Map.of("prompt_length", 3, "ulpt_rank", 4),
            3 * 4 + 2 * 32,
            "ULPT's Z (P·r) + scale and shift (2d), started from MPT's transferred prompt"));
  }

  /**
   * MPT+ULPT starts at the least-squares point of ULPT's space nearest MPT's transferred prompt X:
   * with r = d and r = 2d it is X itself (within 1e-9 in float64); with r = 4 &lt; d its residual,
   * in ULPT's normalised coordinates, is orthogonal to every column of the projection P̃, and its
   * per-dimension mean over the P rows is X's.
   */
  @org.junit.jupiter.api.Test
  void mptUlptStartsAtTheLeastSquaresPointNearestMptsTransferredPrompt() {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(bert(), 5));
        NDManager m = NDManager.newBaseManager()) {
      Case mpt = new Case("mpt", Map.of("prompt_length", 3), 0, "");
      double[] x;
      try (PromptModule transferred = create(mpt, enc, m)) {
        x = transferred.taskPrompt(m, 0).toDoubleArray(); // (P, d) = (3, 32)
      }
      try (PromptModule full =
          create(
              new Case("mpt-ulpt", Map.of("prompt_length", 3, "ulpt_rank", 32), 0, ""), enc, m)) {
        assertArrayEquals(x, full.taskPrompt(m, 0).toDoubleArray(), 1e-9, "r = d reproduces X");
      }
      try (PromptModule wide =
          create(
              new Case("mpt-ulpt", Map.of("prompt_length", 3, "ulpt_rank", 64), 0, ""), enc, m)) {
        assertArrayEquals(x, wide.taskPrompt(m, 0).toDoubleArray(), 1e-9, "r > d reproduces X");
      }
      try (PromptModule low =
          create(new Case("mpt-ulpt", Map.of("prompt_length", 3, "ulpt_rank", 4), 0, ""), enc, m)) {
        double[] start = low.taskPrompt(m, 0).toDoubleArray();
        Map<String, NDArray> state = low.peftState(m);
        double[] scale = state.get("ulpt_scale").toDoubleArray();
        long seed = ((Number) low.adapterConfig(TARGET).require("projection_seed")).longValue();
        double[] proj =
            io.mptj.method.ulpt.UlptPrompt.projection(m, 32, 4, seed, DataType.FLOAT64)
                .toDoubleArray(); // (d, r)
        for (int row = 0; row < 3; row++) {
          for (int col = 0; col < 4; col++) {
            double dot = 0;
            for (int j = 0; j < 32; j++) {
              dot += (x[row * 32 + j] - start[row * 32 + j]) / scale[j] * proj[j * 4 + col];
            }
            assertEquals(0, dot, 1e-9, "residual · P̃ column " + col + ", row " + row);
          }
        }
        for (int j = 0; j < 32; j++) {
          assertEquals(
              (x[j] + x[32 + j] + x[64 + j]) / 3,
              (start[j] + start[32 + j] + start[64 + j]) / 3,
              1e-9,
              "mean of dimension " + j);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferencesAndOnlyTheMethodTrains(Case c) {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(bert(), 5));
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
        if (!p.name().contains("attention.self.key.bias")) { // softmax ignores a key bias
          assertTrue(
              java.util.Arrays.stream(grads.get(p.name())).anyMatch(g -> Math.abs(g) > 1e-8),
              p.name() + " gets a gradient");
        }
      }

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
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(bert(), 5));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(c, enc, m)) {
      assertEquals(c.count(), module.taskParameterCount() + module.sharedParameterCount(), c.why());
      assertEquals(
          c.count() - c.frozen(),
          module.parameters().stream().mapToLong(Parameter::size).sum(),
          "the trainable tensors hold exactly the counted parameters, less frozen shared ones");
      randomize(module, 4);
      double[] out = hidden(enc, module, m).toDoubleArray();
      PeftAdapter.save(adapter, module, TARGET);
      try (PromptModule loaded = PeftAdapter.load(adapter, m)) {
        assertArrayEquals(out, hidden(enc, loaded, m).toDoubleArray(), 0.0, c + " after reload");
      }
    }
  }

  /**
   * LoRA, BitFit and fine-tuning change weights, so their outputs must equal the frozen encoder's
   * with the change merged into the weights by hand ({@code W + (α/r)·B·A}, {@code b + δ}, the
   * copies), loaded as a plain checkpoint: within 1e-12.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("mergeable")
  void outputsEqualTheEncoderWithTheChangeMergedIntoItsWeights(Case c) {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(bert(), 5));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(c, enc, m)) {
      randomize(module, 6);
      Map<String, double[]> merged = new LinkedHashMap<>();
      enc.weights().forEach((k, v) -> merged.put(k, v.toDoubleArray()));
      merge(c, module, merged, m);
      try (BertEncoder plain =
          BertEncoder.load(TinyBert.writeFloat64(tmp.resolve("merged"), merged))) {
        double[] want =
            plain
                .encode(plain.embed(m.create(IDS)), m.create(TYPES), m.create(MASK))
                .toDoubleArray();
        double[] got = hidden(enc, module, m).toDoubleArray();
        assertArrayEquals(want, got, 1e-12, c.toString());
      }
    }
  }

  static Stream<Case> mergeable() {
    return cases().filter(c -> List.of("lora", "bitfit", "ft").contains(c.method()));
  }

  private static void merge(Case c, PromptModule module, Map<String, double[]> w, NDManager m) {
    Map<String, NDArray> state = module.peftState(m);
    switch (c.method()) {
      case "lora" -> {
        double scale = 4.0 / 2;
        for (String module2 : List.of("query", "value")) {
          for (int layer = 0; layer < 2; layer++) {
            String path = "encoder.layer." + layer + ".attention.self." + module2;
            NDArray a = state.get("base_model.model." + path + ".lora_A.weight"); // (r, in)
            NDArray b = state.get("base_model.model." + path + ".lora_B.weight"); // (out, r)
            double[] delta = b.matMul(a).mul(scale).toDoubleArray();
            double[] weight = w.get(path + ".weight");
            for (int i = 0; i < weight.length; i++) {
              weight[i] += delta[i];
            }
          }
        }
      }
      case "bitfit" ->
          state.forEach(
              (key, d) -> {
                double[] bias = w.get(key.substring("bitfit.".length()));
                double[] delta = d.toDoubleArray();
                for (int i = 0; i < bias.length; i++) {
                  bias[i] += delta[i];
                }
              });
      case "ft" -> state.forEach((key, copy) -> w.put(key, copy.toDoubleArray()));
      default -> throw new IllegalArgumentException(c.method());
    }
  }

  /**
   * Every array a forward makes belongs to the step: after forward passes in a step manager that is
   * then closed, the module's and the backbone's managers hold exactly the arrays they held before.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardPassesLeaveNoArraysOutsideTheirStep(Case c) {
    try (BertEncoder enc = BertEncoder.load(TinyBert.writeRandomFloat64(bert(), 5));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(c, enc, m)) {
      hidden(enc, module, m.newSubManager()).getManager().close(); // warm-up (lazy caches)
      int before = io.mptj.engine.NativeMemory.liveArrays();
      for (int i = 0; i < 3; i++) {
        try (NDManager step = m.newSubManager()) {
          hidden(enc, module, step).sum().getDouble();
        }
      }
      assertEquals(
          before, io.mptj.engine.NativeMemory.liveArrays(), c + ": arrays outlived the step");
    }
  }

  PromptModule create(Case c, BertEncoder enc, NDManager m) {
    TuningMethod method = MethodRegistry.get(c.method());
    MethodConfig config = TestSettings.of("bert", Stage.ADAPT, c.method(), c.settings()).config();
    Path from =
        switch (method.upstream()) {
          case SOURCES -> sources(enc, m);
          case DISTILL_RUN -> distilled(m);
          default -> null;
        };
    return method.create(new TuningMethod.Init(enc, 1, from, 11), config, m);
  }

  /** A random distilled MPT adapter: P* (3, 32) and u, v of rank 1 for 2 source tasks. */
  private Path distilled(NDManager m) {
    Path dir = tmp.resolve("distilled");
    try (PromptModule p =
        new io.mptj.method.mpt.MultitaskPrompt(
            m,
            Projections.uniform(m, new Shape(3, 32), 0.5, 30, DataType.FLOAT64),
            Projections.uniform(m, new Shape(2, 3, 1), 1.0, 31, DataType.FLOAT64),
            Projections.uniform(m, new Shape(2, 1, 32), 1.0, 32, DataType.FLOAT64))) {
      PeftAdapter.save(dir, p, TARGET);
    }
    return dir;
  }

  /** Two random source prompts (P = 3) as {@code mptj source} writes them, with teachers.json. */
  private Path sources(BertEncoder enc, NDManager m) {
    Path dir = tmp.resolve("sources");
    Map<String, String> tasks = new LinkedHashMap<>();
    for (int i = 0; i < 2; i++) {
      try (PromptModule p =
          io.mptj.method.pt.SoftPrompt.single(
              m, Projections.uniform(m, new Shape(3, 32), 0.5, 20 + i, DataType.FLOAT64))) {
        PeftAdapter.save(dir.resolve("src-" + i), p, TARGET);
      }
      tasks.put("toy/src-" + i, "src-" + i);
    }
    io.mptj.engine.Json.writeAtomic(dir.resolve("teachers.json"), Map.of("tasks", tasks));
    return dir;
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
