package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import io.mptj.backbone.nn.Activation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Parity of the bundled MiniLM encoder with ONNX Runtime running the very same ONNX file (see
 * {@link OnnxRuntimeParity}). Tolerance: max abs diff of the last hidden states ≤ 1e-4 over every
 * position, padded ones included.
 */
class MiniLmParityTest {

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
    double maxDiff = OnnxRuntimeParity.maxAbsDiff(encoder, BundledEncoder.MINILM);
    assertTrue(maxDiff <= 1e-4, "max abs diff " + maxDiff);
  }
}
