package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mptj.backbone.nn.Activation;
import io.mptj.engine.MatmulProbe;
import org.junit.jupiter.api.Test;

/** Useful-FLOP counts of a BERT forward and its prompt-only backward, GEMM by GEMM. */
class BertFlopsTest {

  @Test
  void countsEveryMatmulOfMiniLm() {
    BertConfig c = new BertConfig(30522, 384, 6, 12, 1536, Activation.GELU, 512, 2, 1e-12, 0);
    int b = 16;
    int len = 228;
    double rows = b * len;
    double q = 2 * rows * 384 * 384;
    double k = q;
    double v = q;
    double out = q;
    double ffnIn = 2 * rows * 384 * 1536;
    double ffnOut = 2 * rows * 1536 * 384;
    double scores = 2.0 * (b * 12) * len * len * 32; // QKᵀ per head: (L × dh) (dh × L)
    double context = 2.0 * (b * 12) * len * len * 32; // AV per head: (L × L) (L × dh)
    double projections = q + k + v + out + ffnIn + ffnOut;
    assertEquals(6 * (projections + scores + context), c.forwardFlops(b, len), 1);
    // dX of each projection; dQ, dK of QKᵀ and dA, dV of AV
    assertEquals(6 * (projections + 2 * scores + 2 * context), c.inputGradientFlops(b, len), 1);
    double probed = c.projectionGemms(b, len).stream().mapToDouble(MatmulProbe.Gemm::flops).sum();
    assertEquals(projections, probed, 1);
  }
}
