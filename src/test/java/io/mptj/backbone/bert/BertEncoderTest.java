package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.TextTokenizer;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.NativeMemory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loading BERT checkpoints from HF directories, and the forward against a naive reference. */
class BertEncoderTest {

  @TempDir Path tmp;

  /**
   * A tiny random BERT loaded from an HF directory matches the naive double-precision reference on
   * real tokenized sentences with a soft prompt in front and padding: max abs diff ≤ 1e-5 (float32
   * arithmetic over 2 layers of width 32; the observed difference is about 1e-6).
   */
  @ParameterizedTest
  @CsvSource({"GELU, ''", "GELU_TANH, bert.", "RELU, ''", "SILU, ''"})
  void hfDirectoryForwardMatchesNaiveReference(Activation act, String prefix) {
    BertConfig config = TinyBert.config(act);
    Map<String, double[]> w = TinyBert.randomWeights(config, 7);
    Path dir = TinyBert.write(tmp.resolve("m"), config, w, false, prefix, a -> {});
    int promptLength = 3;
    try (BertEncoder encoder = BertEncoder.load(dir);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(config, encoder.config());
      assertEquals("bert", encoder.family());
      TextTokenizer tok = encoder.tokenizer();
      TextTokenizer.Padded batch =
          tok.pad(
              List.of(
                  tok.encode("A soft prompt goes in front.", null, 0),
                  tok.encode("Short one", "with a pair", 0),
                  tok.encode("Hi", null, 0)));
      NDArray prompt = m.randomNormal(new Shape(3, promptLength, config.hiddenSize()));
      NDArray embeds = PromptInput.prependEmbeddings(prompt, encoder.embed(m.create(batch.ids())));
      NDArray types = PromptInput.extendTokenTypes(m.create(batch.typeIds()), promptLength);
      NDArray mask = PromptInput.extendMask(m.create(batch.mask()), promptLength);
      float[] actual = encoder.encode(embeds, types, mask).toFloatArray();
      double[][][] expected =
          TinyBert.reference(config, w, toDouble3(embeds), longs2(types), longs2(mask));
      double maxDiff = maxAbsDiff(expected, actual);
      assertTrue(maxDiff <= 1e-5, act + ": max abs diff " + maxDiff);
    }
  }

  @Test
  void missingTensorIsNamed() {
    BertConfig config = TinyBert.config(Activation.GELU);
    String name = "encoder.layer.1.attention.self.key.weight";
    Path dir =
        TinyBert.write(
            tmp.resolve("missing"),
            config,
            TinyBert.randomWeights(config, 1),
            false,
            "",
            a -> a.remove(name));
    int before = NativeMemory.liveArrays();
    CheckpointException e = assertThrows(CheckpointException.class, () -> BertEncoder.load(dir));
    assertTrue(e.getMessage().contains("missing tensor '" + name + "'"), e.getMessage());
    assertEquals(before, NativeMemory.liveArrays(), "a failed load must free what it loaded");
  }

  @Test
  void wronglyShapedTensorIsNamedWithBothShapes() {
    BertConfig config = TinyBert.config(Activation.GELU);
    String name = "bert.encoder.layer.0.intermediate.dense.weight";
    Path dir =
        TinyBert.write(
            tmp.resolve("shape"),
            config,
            TinyBert.randomWeights(config, 1),
            false,
            "bert.",
            a -> a.put(name, a.get(name).transpose()));
    CheckpointException e = assertThrows(CheckpointException.class, () -> BertEncoder.load(dir));
    assertTrue(
        e.getMessage().contains("'" + name + "' has shape [32, 64], expected [64, 32]"),
        e.getMessage());
  }

  @Test
  void configErrorsNameTheKeyAndValue() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String good = TinyBert.configJson(TinyBert.config(Activation.GELU));
    assertEquals(TinyBert.config(Activation.GELU), BertConfig.fromJson(json.readTree(good)));
    Map<String, String> broken =
        Map.of(
            "\"num_attention_heads\" : 4",
                "hidden_size 32 is not divisible by num_attention_heads 5",
            "\"hidden_act\" : \"gelu\"", "hidden_act 'swish' is not supported",
            "\"position_embedding_type\" : \"absolute\"", "position_embedding_type 'relative_key'",
            "\"vocab_size\" : 30522", "required key 'vocab_size' is missing",
            "\"layer_norm_eps\" : 1.0E-12", "layer_norm_eps must be in (0, 1), got -1.0");
    Map<String, String> replacement =
        Map.of(
            "\"num_attention_heads\" : 4", "\"num_attention_heads\" : 5",
            "\"hidden_act\" : \"gelu\"", "\"hidden_act\" : \"swish\"",
            "\"position_embedding_type\" : \"absolute\"",
                "\"position_embedding_type\" : \"relative_key\"",
            "\"vocab_size\" : 30522", "\"vocab\" : 30522",
            "\"layer_norm_eps\" : 1.0E-12", "\"layer_norm_eps\" : -1.0");
    for (Map.Entry<String, String> e : broken.entrySet()) {
      assertTrue(good.contains(e.getKey()), e.getKey());
      String bad = good.replace(e.getKey(), replacement.get(e.getKey()));
      CheckpointException ex =
          assertThrows(CheckpointException.class, () -> BertConfig.fromJson(json.readTree(bad)));
      assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage());
    }
  }

  @Test
  void inputLongerThanPositionsIsRejected() {
    BertConfig config = TinyBert.config(Activation.GELU);
    Path dir =
        TinyBert.write(
            tmp.resolve("m"), config, TinyBert.randomWeights(config, 2), false, "", a -> {});
    try (BertEncoder encoder = BertEncoder.load(dir);
        NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.zeros(new Shape(1, 41, 32));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> encoder.encode(x, null, m.ones(new Shape(1, 41))));
      assertTrue(e.getMessage().contains("41 exceeds max_position_embeddings 40"), e.getMessage());
    }
  }

  @Test
  void referenceErfIsAccurate() {
    double[][] known = {
      {0.5, 0.5204998778130465},
      {1, 0.8427007929497149},
      {2, 0.9953222650189527},
      {3.5, 0.9999992569016276}
    };
    for (double[] k : known) {
      assertEquals(k[1], TinyBert.erf(k[0]), 1e-13);
      assertEquals(-k[1], TinyBert.erf(-k[0]), 1e-13);
    }
  }

  static double[][][] toDouble3(NDArray a) {
    Shape s = a.getShape();
    float[] f = a.toFloatArray();
    double[][][] out = new double[(int) s.get(0)][(int) s.get(1)][(int) s.get(2)];
    int i = 0;
    for (double[][] plane : out) {
      for (double[] row : plane) {
        for (int j = 0; j < row.length; j++) {
          row[j] = f[i++];
        }
      }
    }
    return out;
  }

  static double maxAbsDiff(double[][][] expected, float[] actual) {
    double max = 0;
    int i = 0;
    for (double[][] plane : expected) {
      for (double[] row : plane) {
        for (double v : row) {
          max = Math.max(max, Math.abs(v - actual[i++]));
        }
      }
    }
    assertEquals(actual.length, i);
    return max;
  }

  static long[][] longs2(NDArray a) {
    long[] flat = a.toLongArray();
    int rows = (int) a.getShape().get(0);
    int cols = (int) a.getShape().get(1);
    long[][] out = new long[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, out[r], 0, cols);
    }
    return out;
  }
}
