package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mptj.backbone.BackboneFamily.VocabRange;
import io.mptj.backbone.nn.Activation;
import org.junit.jupiter.api.Test;

/**
 * Parity of the bundled BAAI/bge-small-en-v1.5 ({@code --backbone bge-small}) with ONNX Runtime
 * running the very same ONNX file, and its architecture derived from the graph (see {@link
 * OnnxRuntimeParity}); 33.2 M parameters. The graph stores the LayerNorm epsilon as float32.
 */
class BgeSmallParityTest extends OnnxRuntimeParity {

  BgeSmallParityTest() {
    super(
        BundledEncoder.BGE_SMALL,
        new BertConfig(30522, 384, 12, 12, 1536, Activation.GELU, 512, 2, 1e-12f, 0),
        33_212_160);
  }

  @Test
  void promptsStartFromWholeWordsAndTheCardPoolsCls() {
    assertEquals(new VocabRange(1996, 6996), encoder().promptInitRange());
    assertEquals(BundledEncoder.Pooling.CLS, BundledEncoder.BGE_SMALL.pooling());
    assertEquals(BundledEncoder.Pooling.MEAN, BundledEncoder.MINILM.pooling());
  }
}
