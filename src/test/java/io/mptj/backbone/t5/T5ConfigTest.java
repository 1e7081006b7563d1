package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.t5.T5Config.Activation;
import io.mptj.testing.T5Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class T5ConfigTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<T5Fixture> fixtures() {
    return T5Fixture.all();
  }

  /** Every key of every fixture's config.json is read as written (HF's default when absent). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readsEveryFixtureConfigAsWritten(T5Fixture f) {
    T5Config c = T5Config.load(f.dir().resolve("config.json"));
    JsonNode j = f.config();
    String proj = j.path("feed_forward_proj").asText("relu");
    assertEquals(proj, c.feedForwardProj());
    assertEquals(proj.startsWith("gated-"), c.gatedActivation());
    assertEquals(
        proj.endsWith("relu") ? Activation.RELU : Activation.GELU_NEW,
        c.activation(),
        "the fixtures use relu and gated-gelu (gelu_new)");
    assertEquals(j.path("tie_word_embeddings").asBoolean(true), c.tieWordEmbeddings());
    assertEquals(j.get("d_model").asInt(), c.dModel());
    assertEquals(j.get("d_kv").asInt(), c.dKv());
    assertEquals(j.get("num_heads").asInt(), c.numHeads());
    assertEquals(j.get("d_ff").asInt(), c.dFf());
    assertEquals(j.get("num_layers").asInt(), c.numLayers());
    assertEquals(j.path("num_decoder_layers").asInt(c.numLayers()), c.numDecoderLayers());
    assertEquals(j.get("vocab_size").asInt(), c.vocabSize());
    assertEquals(
        j.path("relative_attention_num_buckets").asInt(32), c.relativeAttentionNumBuckets());
    assertEquals(
        j.path("relative_attention_max_distance").asInt(128), c.relativeAttentionMaxDistance());
    assertEquals(j.path("layer_norm_epsilon").asDouble(1e-6), c.layerNormEpsilon());
    assertEquals(j.path("pad_token_id").asInt(0), c.padTokenId());
    assertEquals(j.path("eos_token_id").asInt(1), c.eosTokenId());
    assertEquals(j.path("decoder_start_token_id").asInt(c.padTokenId()), c.decoderStartTokenId());
  }

  /** The two recorded fixtures are the two T5 styles the README describes. */
  @Test
  void recordedFixturesCoverBothT5Styles() {
    List<Path> recorded = T5Fixtures.recorded();
    assumeTrue(!recorded.isEmpty(), "no recorded T5 fixtures (../shared/fixtures/t5 absent)");
    Set<String> styles = new TreeSet<>();
    for (Path dir : recorded) {
      T5Config c = T5Config.load(dir.resolve("config.json"));
      styles.add(c.feedForwardProj() + (c.tieWordEmbeddings() ? " tied" : " untied"));
    }
    assertTrue(styles.containsAll(Set.of("relu tied", "gated-gelu untied")), styles.toString());
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
