package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.method.MethodRegistry;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.TuningMethod;
import io.mptj.pipeline.Stage;
import io.mptj.testing.TestSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer methods on T5, on every T5 fixture widened to float64: the gradient of the
 * teacher-forced loss w.r.t. all of the method's parameters, along the gradient and a random
 * direction, equals central finite differences (step 1e-6) within 1e-6·|g| + 1e-9; after an SGD
 * step every frozen weight is bit-identical; save → load gives the same loss; and BitFit's count is
 * the hand count of T5's dense layers and RMS norms (T5 has no biases, so they are added), LoRA's
 * is r·(in + out) over the self- and cross-attention q and v (PEFT's suffix match of "q", "v").
 */
class T5LayerMethodsTest {

  @TempDir Path tmp;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (T5Fixture f : T5Fixture.all().toList()) {
      for (String method : List.of("lora", "bitfit", "adapter", "ft")) {
        out.add(Arguments.of(f, method));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void layerMethodsTrainOnlyThemselvesWithExactGradientsOnT5(T5Fixture f, String method)
      throws IOException {
    try (T5Model model = T5Model.load(float64Copy(f));
        NDManager m = NDManager.newBaseManager();
        PromptModule module = create(method, model, m)) {
      perturb(module, 5);
      Map<String, byte[]> before = new LinkedHashMap<>();
      model.weights().forEach((k, v) -> before.put(k, v.toByteArray()));
      List<double[]> grads = new ArrayList<>();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(loss(model, module, f, m));
        for (Parameter p : module.parameters()) {
          grads.add(p.array().getGradient().toDoubleArray());
        }
      }
      double norm = Math.sqrt(grads.stream().mapToDouble(T5LayerMethodsTest::dot2).sum());
      assertTrue(norm > 0, method + " has a gradient");
      Random rng = new Random(3);
      for (int k = 0; k < 2; k++) {
        List<double[]> dir = new ArrayList<>();
        for (double[] g : grads) {
          double[] v = g.clone();
          for (int i = 0; k == 1 && i < v.length; i++) {
            v[i] = rng.nextGaussian();
          }
          dir.add(v);
        }
        double len = Math.sqrt(dir.stream().mapToDouble(T5LayerMethodsTest::dot2).sum());
        double analytic = 0;
        for (int i = 0; i < grads.size(); i++) {
          analytic += dot(grads.get(i), dir.get(i)) / len;
        }
        // 1e-6, not 1e-5: with full fine-tuning every ReLU pre-activation moves, and a 1e-5 step
        // crossed a kink once in many runs (relu-tied ft, relative error 1.9e-6); at 1e-6 the error
        // is under 2e-9 of |g| on every fixture (curvature falls 100x, kink crossings 10x)
        double eps = 1e-6;
        double plus = shifted(model, module, f, m, dir, eps / len);
        double minus = shifted(model, module, f, m, dir, -eps / len);
        shifted(model, module, f, m, dir, 0);
        double numeric = (plus - minus) / (2 * eps);
        assertEquals(analytic, numeric, 1e-6 * norm + 1e-9, f + " " + method + " direction " + k);
      }
      double lossBefore = loss(model, module, f, m).getDouble();
      Path adapter = tmp.resolve(method + "-adapter");
      PeftAdapter.save(adapter, module, new PeftAdapter.Target("t5", "SEQ_2_SEQ_LM", 1, 1));
      try (PromptModule loaded = PeftAdapter.load(adapter, m)) {
        loaded.checkFits(model, adapter.toString());
        assertEquals(lossBefore, loss(model, loaded, f, m).getDouble(), 0.0, "reloaded " + method);
      }
      for (int i = 0; i < grads.size(); i++) {
        NDArray p = module.parameters().get(i).array();
        p.subi(m.create(grads.get(i), p.getShape()).mul(0.1));
      }
      for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
        assertFalse(e.getValue().hasGradient(), e.getKey() + " must not require a gradient");
        assertArrayEquals(before.get(e.getKey()), e.getValue().toByteArray(), e.getKey());
      }
      if (method.equals("bitfit")) {
        assertEquals(bitFitHandCount(f), module.taskParameterCount(), f.toString());
      }
      if (method.equals("lora")) {
        long d = f.dModel();
        long inner = (long) f.configInt("num_heads", 8) * f.configInt("d_kv", 64);
        long layers = f.configInt("num_layers", 6);
        long dec = f.configInt("num_decoder_layers", (int) layers);
        long r = 2;
        long perProjection = r * (d + inner);
        assertEquals((layers * 2 + dec * 4) * perProjection, module.taskParameterCount());
      }
    }
  }

  /** T5 has no biases: one per dense layer's output and per RMS norm, as BitFit adds them. */
  private static long bitFitHandCount(T5Fixture f) {
    long d = f.dModel();
    long inner = (long) f.configInt("num_heads", 8) * f.configInt("d_kv", 64);
    long ff = f.configInt("d_ff", 2048);
    boolean gated = f.config().path("feed_forward_proj").asText("relu").startsWith("gated");
    long feedForward = (gated ? 2 * ff : ff) + d; // wi (or wi_0, wi_1), wo
    long attention = 3 * inner + d; // q, k, v, o
    long layers = f.configInt("num_layers", 6);
    long dec = f.configInt("num_decoder_layers", (int) layers);
    long encoder = layers * (attention + feedForward + 2 * d) + d;
    long decoder = dec * (2 * attention + feedForward + 3 * d) + d;
    return encoder + decoder;
  }

  private static PromptModule create(String method, T5Model model, NDManager m) {
    Map<String, Object> settings =
        Map.of("lora_rank", 2, "lora_alpha", 4.0, "adapter_reduction", 4);
    var config = TestSettings.of("t5", Stage.ADAPT, method, settings).config();
    return MethodRegistry.get(method).create(new TuningMethod.Init(model, 1, null, 9), config, m);
  }

  /** Adds N(0, 0.05²) noise to every parameter (LoRA's B and BitFit's offsets start at zero). */
  private static void perturb(PromptModule module, long seed) {
    Random rng = new Random(seed);
    for (Parameter p : module.parameters()) {
      double[] x = p.array().toDoubleArray();
      for (int i = 0; i < x.length; i++) {
        x[i] += 0.05 * rng.nextGaussian();
      }
      p.array().set(new NDIndex("..."), p.array().getManager().create(x, p.array().getShape()));
    }
  }

  private static NDArray loss(T5Model model, PromptModule module, T5Fixture f, NDManager m) {
    NDArray ids = f.load(m, "input_ids");
    NDArray mask = f.load(m, "attention_mask");
    NDArray labels = f.load(m, "labels");
    NDArray taskIds = m.zeros(new ai.djl.ndarray.types.Shape(f.batch()), DataType.INT64);
    Seq2SeqBackbone b = model.withEdits(module.edits(taskIds));
    NDArray hidden = b.encode(b.embed(ids), mask);
    return b.loss(b.decode(b.shiftRight(labels), hidden, mask).logits(), labels);
  }

  private static double shifted(
      T5Model model, PromptModule module, T5Fixture f, NDManager m, List<double[]> dir, double t) {
    List<double[]> saved = new ArrayList<>();
    List<Parameter> params = module.parameters();
    for (int i = 0; i < params.size(); i++) {
      NDArray p = params.get(i).array();
      double[] x = p.toDoubleArray();
      saved.add(x.clone());
      for (int j = 0; j < x.length; j++) {
        x[j] += t * dir.get(i)[j];
      }
      p.set(new NDIndex("..."), m.create(x, p.getShape()));
    }
    try (NDManager step = m.newSubManager()) {
      return loss(model, module, f, step).getDouble();
    } finally {
      for (int i = 0; i < params.size(); i++) {
        NDArray p = params.get(i).array();
        p.set(new NDIndex("..."), m.create(saved.get(i), p.getShape()));
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double dot2(double[] a) {
    return dot(a, a);
  }

  /** The fixture's model directory with every float tensor widened to float64. */
  private Path float64Copy(T5Fixture f) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(f.name() + "-f64"));
    Files.copy(
        f.dir().resolve("config.json"),
        dir.resolve("config.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
}
