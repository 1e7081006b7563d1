package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.Seq2SeqBackbone.DecoderOutput;
import io.mptj.backbone.Seq2SeqBackbone.LabelScores;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Behaviour of the T5 backbone beyond HF parity (frozen weights, checked loading, scoring, the key
 * and value cache), on every T5 fixture: recorded, reshaped and random (see {@link
 * io.mptj.testing.T5Fixtures}). Every size, name and count is read from the fixture's files.
 */
class T5ModelTest {

  @TempDir Path tmp;

  static Stream<T5Fixture> fixtures() {
    return T5Fixture.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void weightsStayBitIdenticalThroughPromptOptimizerSteps(T5Fixture f) {
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      Map<String, byte[]> before = snapshot(model);
      NDArray prompt = f.load(m, "prompt_embeds"); // (P, d)
      byte[] initialPrompt = prompt.toByteArray();
      prompt.setRequiresGradient(true);
      Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build();
      for (int step = 0; step < 2; step++) {
        try (NDManager stepManager = m.newSubManager()) {
          NDArray loss = promptLoss(model, f, stepManager, prompt);
          assertTrue(Float.isFinite(loss.getFloat()));
          sgd.update("prompt", prompt, prompt.getGradient());
        }
      }
      assertFalse(
          java.util.Arrays.equals(initialPrompt, prompt.toByteArray()), "the prompt was trained");
      for (Map.Entry<String, NDArray> w : model.weights().entrySet()) {
        assertFalse(w.getValue().hasGradient(), w.getKey() + " has a gradient");
        assertArrayEquals(before.get(w.getKey()), w.getValue().toByteArray(), w.getKey());
      }
      assertEquals(before.keySet(), model.weights().keySet());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void missingTensorIsNamed(T5Fixture f) throws IOException {
    int last = f.configInt("num_decoder_layers", f.configInt("num_layers", 6)) - 1;
    String name = "decoder.block." + last + ".layer.1.EncDecAttention.k.weight";
    Path dir = copyFixture(f, name, null);
    var e = assertThrows(CheckpointException.class, () -> T5Model.load(dir));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void wronglyShapedTensorIsNamed(T5Fixture f) throws IOException {
    String name = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
    long[] shape = shapeInModel(f, name); // (buckets, H)
    long[] transposed = {shape[1], shape[0]};
    assertFalse(java.util.Arrays.equals(shape, transposed), "buckets == heads: not a misshape");
    Path dir = copyFixture(f, name, transposed);
    var e = assertThrows(CheckpointException.class, () -> T5Model.load(dir));
    assertTrue(
        e.getMessage().contains("'" + name + "'")
            && e.getMessage().contains(java.util.Arrays.toString(transposed)),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void labelScoresEqualSummedLogSoftmaxOfTeacherForcedLogits(T5Fixture f) {
    long[][] labels = candidateLabels(f);
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      for (boolean withPrompt : new boolean[] {false, true}) {
        NDArray mask = f.load(m, "attention_mask");
        NDArray embeds = model.embed(f.load(m, "input_ids"));
        if (withPrompt) {
          embeds = PromptInput.prependEmbeddings(f.promptRows(m), embeds);
          mask = PromptInput.extendMask(mask, f.promptLength());
        }
        LabelScores scores = model.scoreLabels(embeds, mask, labels);
        NDArray hidden = model.encode(embeds, mask);
        for (int c = 0; c < labels.length; c++) {
          float[] got = new float[scores.scores().length];
          for (int b = 0; b < got.length; b++) {
            got[b] = scores.scores()[b][c];
          }
          f.assertClose(
              (withPrompt ? "prompt " : "") + "label " + c + " score",
              separateScores(model, m, hidden, mask, labels[c]),
              got,
              1e-4,
              1e-4);
        }
        for (int b = 0; b < scores.best().length; b++) {
          float[] row = scores.scores()[b];
          for (float s : row) {
            assertTrue(row[scores.best()[b]] >= s);
          }
        }
      }
    }
  }

  /** The key/value cache: decoding in chunks (1, 6, then the rest) equals decoding at once. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void cachedDecodingInChunksEqualsOneShotDecoding(T5Fixture f) {
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      NDArray mask = f.load(m, "attention_mask");
      NDArray hidden = model.encode(model.embed(f.load(m, "input_ids")), mask);
      NDArray decoderIds = f.load(m, "decoder_input_ids"); // (B, S)
      int length = f.labelLength();
      int split = 1 + (length - 1) / 3;
      assertTrue(length >= 3, "three chunks need S >= 3, got " + length);
      T5Decoder.Memory memory = model.decoder().memory(hidden, mask);
      NDArray whole = model.decoder().forward(model.lookup(decoderIds), memory, null);
      KvCache cache = new KvCache(m, model.config().numDecoderLayers());
      NDArray chunked =
          NDArrays.concat(
              new NDList(
                  model.decoder().forward(model.lookup(decoderIds.get(":, 0:1")), memory, cache),
                  model
                      .decoder()
                      .forward(model.lookup(decoderIds.get(":, 1:" + split)), memory, cache),
                  model
                      .decoder()
                      .forward(model.lookup(decoderIds.get(":, " + split + ":")), memory, cache)),
              1);
      assertEquals(length, cache.length());
      f.assertClose(
          "chunked decoder states", T5Fixture.host(whole), T5Fixture.host(chunked), 1e-5, 1e-5);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void forwardStepsLeaveNoLiveArraysBehind(T5Fixture f) {
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      NDManager weightsManager = model.wordEmbeddings().getManager();
      int weightArrays = weightsManager.getManagedArrays().size();
      NDArray prompt = f.load(m, "prompt_embeds");
      prompt.setRequiresGradient(true);
      int callerArrays = m.getManagedArrays().size();
      for (int step = 0; step < 4; step++) {
        try (NDManager stepManager = m.newSubManager()) {
          promptLoss(model, f, stepManager, prompt);
          NDArray ids = f.load(stepManager, "input_ids");
          model.generate(model.embed(ids), f.load(stepManager, "attention_mask"), 3);
          model.scoreLabels(
              model.embed(ids),
              f.load(stepManager, "attention_mask"),
              new long[][] {{Math.min(7, f.vocabSize() - 1), f.eosTokenId()}});
        }
        assertEquals(callerArrays, m.getManagedArrays().size(), "live arrays after step " + step);
        assertEquals(weightArrays, weightsManager.getManagedArrays().size(), "weight arrays");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void reportsShapeAndCounts(T5Fixture f) {
    try (T5Model model = T5Model.load(f.dir())) {
      assertEquals("t5", model.family());
      assertEquals(f.dModel(), model.hiddenSize());
      assertEquals(f.vocabSize(), model.vocabSize());
      assertEquals(f.configInt("num_layers", 6), model.numLayers());
      assertEquals(f.configInt("num_heads", 8), model.numHeads());
      assertEquals(Integer.MAX_VALUE, model.maxPositions());
      try (SafetensorsFile file = SafetensorsFile.open(f.dir().resolve("model.safetensors"))) {
        assertEquals(file.names(), model.weights().keySet(), "every tensor of the file, no other");
        long floats = file.names().stream().mapToLong(n -> file.info(n).numel()).sum();
        assertEquals(floats, model.parameterCount());
      }
      var e = assertThrows(IllegalStateException.class, model::tokenizer);
      assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void misshapedInputsAreRejectedWithTheirShapes(T5Fixture f) {
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      int b = f.batch();
      int l = f.encoderLength();
      NDArray embeds = model.embed(f.load(m, "input_ids")); // (B, L, d)
      NDArray shortMask = m.ones(new ai.djl.ndarray.types.Shape(b, l - 1));
      var e = assertThrows(IllegalArgumentException.class, () -> model.encode(embeds, shortMask));
      assertTrue(e.getMessage().contains("(" + b + ", " + (l - 1) + ")"), e.getMessage());
      NDArray narrow = m.zeros(new ai.djl.ndarray.types.Shape(b, l, f.dModel() / 2));
      NDArray mask = f.load(m, "attention_mask");
      assertThrows(IllegalArgumentException.class, () -> model.generate(narrow, mask, 2));
    }
  }

  /** Teacher-forced loss with the prompt prepended; leaves the gradient on the prompt. */
  private static NDArray promptLoss(T5Model model, T5Fixture f, NDManager m, NDArray prompt) {
    NDArray ids = f.load(m, "input_ids");
    NDArray labels = f.load(m, "labels");
    NDArray mask = PromptInput.extendMask(f.load(m, "attention_mask"), f.promptLength());
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray rows =
          m.zeros(new ai.djl.ndarray.types.Shape(f.batch(), 1, 1), prompt.getDataType())
              .add(prompt); // (B, P, d)
      NDArray embeds = PromptInput.prependEmbeddings(rows, model.embed(ids));
      NDArray hidden = model.encode(embeds, mask);
      DecoderOutput out = model.decode(model.shiftRight(labels), hidden, mask);
      NDArray loss = model.loss(out.logits(), labels);
      collector.backward(loss);
      return loss;
    }
  }

  /**
   * One label's log-likelihood per row, from a separate teacher-forced decode, summed on the host.
   */
  private static float[] separateScores(
      T5Model model, NDManager m, NDArray hidden, NDArray mask, long[] label) {
    int batch = (int) hidden.getShape().get(0);
    long[] labels = new long[batch * label.length];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(label, 0, labels, b * label.length, label.length);
    }
    NDArray labelArray = m.create(labels, new ai.djl.ndarray.types.Shape(batch, label.length));
    float[] logits =
        T5Fixture.host(model.decode(model.shiftRight(labelArray), hidden, mask).logits());
    int vocab = model.vocabSize();
    float[] out = new float[batch];
    for (int b = 0; b < batch; b++) {
      double sum = 0;
      for (int t = 0; t < label.length; t++) {
        int row = (b * label.length + t) * vocab;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          max = Math.max(max, logits[row + v]);
        }
        double z = 0;
        for (int v = 0; v < vocab; v++) {
          z += Math.exp(logits[row + v] - max);
        }
        sum += logits[row + (int) label[t]] - max - Math.log(z);
      }
      out[b] = (float) sum;
    }
    return out;
  }

  private static Map<String, byte[]> snapshot(T5Model model) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    model.weights().forEach((name, a) -> out.put(name, a.toByteArray()));
    return out;
  }

  /**
   * Three candidate label sequences of lengths 3, 2 and 5 ending in EOS, with ids spread over the
   * fixture's vocabulary (its last ids included).
   */
  private static long[][] candidateLabels(T5Fixture f) {
    int v = f.vocabSize();
    long eos = f.eosTokenId();
    return new long[][] {
      {5 % v, 17 % v, eos}, {v - 56 > 1 ? v - 56 : v - 2, eos}, {3, 3, v - 6, 9 % v, eos}
    };
  }

  private static long[] shapeInModel(T5Fixture f, String tensor) {
    try (SafetensorsFile weights = SafetensorsFile.open(f.dir().resolve("model.safetensors"))) {
      return weights.info(tensor).shape();
    }
  }

  /** Copies a fixture's model with one tensor removed ({@code shape == null}) or reshaped. */
  private Path copyFixture(T5Fixture f, String tensor, long[] shape) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(f.name()));
    Files.copy(f.dir().resolve("config.json"), dir.resolve("config.json"));
    try (SafetensorsFile weights = SafetensorsFile.open(f.dir().resolve("model.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : weights.names()) {
        NDArray a = weights.load(m, name);
        if (!name.equals(tensor)) {
          tensors.put(name, a);
        } else if (shape != null) {
          tensors.put(name, a.reshape(shape));
        }
      }
      Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }
    return dir;
  }
}
