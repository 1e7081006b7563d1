package io.mptj.backbone.bert;

import io.mptj.backbone.nn.Activation;

/**
 * Parity of the bundled MiniLM encoder ({@code --backbone minilm}) with ONNX Runtime running the
 * very same ONNX file, and its architecture derived from the graph (see {@link OnnxRuntimeParity});
 * 22.6 M parameters. The graph stores the LayerNorm epsilon as float32.
 */
class MiniLmParityTest extends OnnxRuntimeParity {

  MiniLmParityTest() {
    super(
        BundledEncoder.MINILM,
        new BertConfig(30522, 384, 6, 12, 1536, Activation.GELU, 512, 2, 1e-12f, 0),
        22_565_376);
  }
}
