package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mptj.backbone.TextTokenizer;
import io.mptj.backbone.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parity of the bundled MiniLM encoder with ONNX Runtime running the very same ONNX file.
 * Tolerance: max abs diff of the last hidden states ≤ 1e-4 over every position, padded ones
 * included (both implementations define them the same way: padded queries attend to the unpadded
 * keys).
 */
class MiniLmParityTest {

  private static final List<String[]> INPUTS =
      List.of(
          new String[] {"A man is playing a guitar.", null},
          new String[] {"The quick brown fox jumps over the lazy dog near the riverbank.", null},
          new String[] {"Hello!", null},
          new String[] {
            "Multitask prompt tuning learns a single transferable prompt.",
            "It then adapts it to each target task with low-rank updates."
          },
          new String[] {"Is it raining?", "No, the sun is shining brightly today."});

  private static BertEncoder encoder;

  @BeforeAll
  static void load() {
    encoder = BertEncoder.bundledMiniLm();
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void configIsDerivedFromTheGraph() {
    BertConfig c = encoder.config();
    assertEquals(
        new BertConfig(30522, 384, 6, 12, 1536, Activation.GELU, 512, 2, c.layerNormEps(), 0), c);
    assertEquals(1e-12, c.layerNormEps(), 1e-18);
    assertEquals("minilm", encoder.id());
    long embeddings = (30522 + 512 + 2 + 2) * 384L;
    long block = 4 * (384 * 384 + 384) + 2 * (1536 * 384) + 1536 + 384 + 4 * 384;
    assertEquals(embeddings + 6 * block, encoder.parameterCount()); // 22.6 M, no pooler
  }

  @Test
  void lastHiddenStatesMatchOnnxRuntime() throws OrtException {
    TextTokenizer tok = encoder.tokenizer();
    List<TextTokenizer.Encoded> encoded = new ArrayList<>();
    for (String[] in : INPUTS) {
      encoded.add(tok.encode(in[0], in[1], 0));
    }
    TextTokenizer.Padded batch = tok.pad(encoded);
    float[][][] expected = onnxRuntime(batch);
    float[] actual;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ids = m.create(batch.ids());
      NDArray out =
          encoder.encode(encoder.embed(ids), m.create(batch.typeIds()), m.create(batch.mask()));
      actual = out.toFloatArray();
    }
    int t = batch.length();
    assertTrue(
        t > 12 && encoded.stream().anyMatch(e -> e.length() < t / 2), "batch must be padded");
    double maxDiff = 0;
    int i = 0;
    for (float[][] row : expected) {
      for (float[] position : row) {
        for (float v : position) {
          maxDiff = Math.max(maxDiff, Math.abs(v - actual[i++]));
        }
      }
    }
    assertEquals(actual.length, i);
    System.out.printf(
        "MiniLM vs ONNX Runtime, %d x %d: max abs diff %.3g%n", batch.ids().length, t, maxDiff);
    assertTrue(maxDiff <= 1e-4, "max abs diff " + maxDiff);
  }

  private static float[][][] onnxRuntime(TextTokenizer.Padded batch) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] model = MiniLmOnnx.readResource(MiniLmOnnx.MODEL_RESOURCE);
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
        OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
        OnnxTensor types = OnnxTensor.createTensor(env, batch.typeIds());
        OrtSession.Result result =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
    }
  }
}
