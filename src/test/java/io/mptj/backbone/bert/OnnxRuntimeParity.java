package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The tests every bundled encoder passes: its architecture and parameter count derived from the
 * ONNX graph, and parity with ONNX Runtime on the very same ONNX file and tokenized batch: max abs
 * diff of the last hidden states ≤ 1e-4 over every position, padded ones included (both
 * implementations define them the same way: padded queries attend to the unpadded keys).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnnxRuntimeParity {

  /** Real sentences and sentence pairs of very different lengths, so that the batch is padded. */
  static final List<String[]> INPUTS =
      List.of(
          new String[] {"A man is playing a guitar.", null},
          new String[] {"The quick brown fox jumps over the lazy dog near the riverbank.", null},
          new String[] {"Hello!", null},
          new String[] {
            "Multitask prompt tuning learns a single transferable prompt.",
            "It then adapts it to each target task with low-rank updates."
          },
          new String[] {"Is it raining?", "No, the sun is shining brightly today."});

  private final BundledEncoder bundled;
  private final BertConfig expectedConfig;
  private final long expectedParameters;
  private BertEncoder encoder;

  /**
   * @param bundled the table entry under test
   * @param expectedConfig the architecture its model card states
   * @param expectedParameters the parameter count its model card states, without the pooler
   */
  OnnxRuntimeParity(BundledEncoder bundled, BertConfig expectedConfig, long expectedParameters) {
    this.bundled = bundled;
    this.expectedConfig = expectedConfig;
    this.expectedParameters = expectedParameters;
  }

  @BeforeAll
  void load() {
    encoder = (BertEncoder) Backbones.load(bundled.id());
  }

  @AfterAll
  void close() {
    encoder.close();
  }

  @Test
  void configIsDerivedFromTheGraph() {
    assertEquals(expectedConfig, encoder.config());
    assertEquals(bundled.id(), encoder.id());
    assertEquals("bert", encoder.family());
    assertEquals(expectedParameters, parameters(encoder.config()));
    assertEquals(expectedParameters, encoder.parameterCount());
  }

  @Test
  void lastHiddenStatesMatchOnnxRuntime() throws OrtException {
    double maxDiff = maxAbsDiff(encoder, bundled);
    assertTrue(maxDiff <= 1e-4, "max abs diff " + maxDiff);
  }

  /** The encoder under test. */
  BertEncoder encoder() {
    return encoder;
  }

  /**
   * Parameters of a BERT encoder without pooler, counted by hand: embeddings and their LayerNorm,
   * then per block Q, K, V and output projections with biases, the FFN in and out, and two
   * LayerNorms.
   */
  static long parameters(BertConfig c) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    long embeddings = (c.vocabSize() + c.maxPositionEmbeddings() + c.typeVocabSize() + 2) * d;
    long block = 4 * (d * d + d) + 2 * (inner * d) + inner + d + 4 * d;
    return embeddings + c.numHiddenLayers() * block;
  }

  /** Max abs diff between {@code encoder} and ONNX Runtime on {@link #INPUTS}; prints it. */
  private static double maxAbsDiff(BertEncoder encoder, BundledEncoder bundled)
      throws OrtException {
    TextTokenizer tok = encoder.tokenizer();
    List<TextTokenizer.Encoded> encoded = new ArrayList<>();
    for (String[] in : INPUTS) {
      encoded.add(tok.encode(in[0], in[1], 0));
    }
    TextTokenizer.Padded batch = tok.pad(encoded);
    float[][][] expected = onnxRuntime(bundled, batch);
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
        "%s vs ONNX Runtime, %d x %d: max abs diff %.3g%n",
        bundled.id(), batch.ids().length, t, maxDiff);
    return maxDiff;
  }

  private static float[][][] onnxRuntime(BundledEncoder bundled, TextTokenizer.Padded batch)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session =
            env.createSession(bundled.readModel(), new OrtSession.SessionOptions());
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
