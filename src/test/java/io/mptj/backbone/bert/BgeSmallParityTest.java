package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.BackboneFamily.VocabRange;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.nn.Activation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled BAAI/bge-small-en-v1.5 ({@code --backbone bge-small}): its architecture derived from
 * the ONNX graph, and parity with ONNX Runtime running the very same ONNX file (see {@link
 * OnnxRuntimeParity}). Tolerance: max abs diff of the last hidden states ≤ 1e-4 over every
 * position, padded ones included.
 */
class BgeSmallParityTest {

  private static BertEncoder encoder;

  @BeforeAll
  static void load() {
    Backbone loaded = Backbones.load("bge-small");
    encoder = (BertEncoder) loaded;
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  @Test
  void configIsDerivedFromTheGraph() {
    BertConfig c = encoder.config();
    assertEquals(
        new BertConfig(30522, 384, 12, 12, 1536, Activation.GELU, 512, 2, c.layerNormEps(), 0), c);
    assertEquals(1e-12, c.layerNormEps(), 1e-18);
    assertEquals("bge-small", encoder.id());
    assertEquals("bert", encoder.family());
    long embeddings = (30522 + 512 + 2 + 2) * 384L;
    long block = 4 * (384 * 384 + 384) + 2 * (1536 * 384) + 1536 + 384 + 4 * 384;
    assertEquals(embeddings + 12 * block, encoder.parameterCount()); // 33.2 M, no pooler
    assertEquals(new VocabRange(1996, 6996), encoder.promptInitRange());
    assertEquals(BundledEncoder.Pooling.CLS, BundledEncoder.of("bge-small").pooling());
  }

  @Test
  void lastHiddenStatesMatchOnnxRuntime() throws OrtException {
    double maxDiff = OnnxRuntimeParity.maxAbsDiff(encoder, BundledEncoder.BGE_SMALL);
    assertTrue(maxDiff <= 1e-4, "max abs diff " + maxDiff);
  }
}
