package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.t5.T5Config.Activation;
import io.mptj.testing.Shared;
import org.junit.jupiter.api.Test;

class T5ConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void readsBothFixtureConfigs() {
    T5Config relu = T5Config.load(Shared.fixture("t5/tiny-t5-relu-tied/config.json"));
    assertEquals(Activation.RELU, relu.activation());
    assertFalse(relu.gatedActivation());
    assertTrue(relu.tieWordEmbeddings());
    assertEquals("relu", relu.feedForwardProj());
    T5Config gated = T5Config.load(Shared.fixture("t5/tiny-t5-gated-gelu-untied/config.json"));
    assertEquals(Activation.GELU_NEW, gated.activation());
    assertTrue(gated.gatedActivation());
    assertFalse(gated.tieWordEmbeddings());
    assertEquals("gated-gelu", gated.feedForwardProj());
    for (T5Config c : new T5Config[] {relu, gated}) {
      assertEquals(64, c.dModel());
      assertEquals(16, c.dKv());
      assertEquals(4, c.numHeads());
      assertEquals(128, c.dFf());
      assertEquals(2, c.numLayers());
      assertEquals(2, c.numDecoderLayers());
      assertEquals(256, c.vocabSize());
      assertEquals(32, c.relativeAttentionNumBuckets());
      assertEquals(128, c.relativeAttentionMaxDistance());
      assertEquals(1e-6, c.layerNormEpsilon());
      assertEquals(0, c.padTokenId());
      assertEquals(1, c.eosTokenId());
      assertEquals(0, c.decoderStartTokenId());
    }
  }

  @Test
  void appliesHuggingFaceDefaults() {
    T5Config c = T5Config.fromJson(JSON.createObjectNode().put("num_layers", 3));
    assertEquals(512, c.dModel());
    assertEquals(3, c.numDecoderLayers());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(Activation.RELU, c.activation());
    assertEquals(c.padTokenId(), c.decoderStartTokenId());
  }

  @Test
  void parsesFeedForwardProjLikeHuggingFace() {
    assertEquals(Activation.GELU_NEW, T5Config.activationOf("gated-gelu"));
    assertEquals(Activation.GELU, T5Config.activationOf("gelu"));
    assertEquals(Activation.SILU, T5Config.activationOf("gated-silu"));
    assertEquals(Activation.GELU_NEW, T5Config.activationOf("gelu_new"));
    for (String bad : new String[] {"gated-tanhh", "gelu-gated", "gated-gelu-x", "mish"}) {
      var e = assertThrows(IllegalArgumentException.class, () -> T5Config.activationOf(bad));
      assertTrue(e.getMessage().contains("feed_forward_proj=" + bad), e.getMessage());
    }
  }

  @Test
  void errorsNameTheKeyAndValue() {
    assertInvalid(JSON.createObjectNode().put("d_model", 0), "d_model=0");
    assertInvalid(JSON.createObjectNode().put("num_heads", "four"), "num_heads=\"four\"");
    assertInvalid(JSON.createObjectNode().put("eos_token_id", 40000), "eos_token_id=40000");
    assertInvalid(JSON.createObjectNode().put("layer_norm_epsilon", 0.0), "layer_norm_epsilon=0.0");
    assertInvalid(JSON.createObjectNode().put("model_type", "bert"), "model_type=bert");
  }

  /** Counts for a 1-layer toy config, written out multiply-add by multiply-add. */
  @Test
  void countsMatmulFlops() {
    ObjectNode json =
        JSON.createObjectNode()
            .put("d_model", 8)
            .put("d_kv", 2)
            .put("num_heads", 2)
            .put("d_ff", 16)
            .put("num_layers", 1)
            .put("vocab_size", 10);
    T5Config c = T5Config.fromJson(json);
    long l = 5;
    long s = 3;
    long encoder = l * (3 * 8 * 4 + 4 * 8) + 2 * (l * l * 4) + l * (8 * 16 + 16 * 8);
    long decoderSelf = s * (3 * 8 * 4 + 4 * 8) + 2 * (s * s * 4);
    long decoderCross = s * 8 * 4 + l * 2 * 8 * 4 + 2 * (s * l * 4) + s * 4 * 8;
    long decoderFf = s * (8 * 16 + 16 * 8);
    long head = s * 8 * 10;
    long macs = encoder + decoderSelf + decoderCross + decoderFf + head;
    assertEquals(2 * macs, c.matmulFlops(l, s));
    T5Config gated = T5Config.fromJson(json.put("feed_forward_proj", "gated-gelu"));
    assertEquals(2 * (macs + (l + s) * 8 * 16), gated.matmulFlops(l, s));
  }

  private static void assertInvalid(ObjectNode json, String expected) {
    var e = assertThrows(IllegalArgumentException.class, () -> T5Config.fromJson(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
