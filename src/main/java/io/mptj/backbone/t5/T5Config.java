package io.mptj.backbone.t5;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.MatmulProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Shape and vocabulary of a T5 model, read from an HF {@code config.json}; the only place where HF
 * config keys are named.
 *
 * <p>Defaults follow HF {@code T5Config} (transformers 4.36): {@code num_decoder_layers} defaults
 * to {@code num_layers}, {@code tie_word_embeddings} to true; {@code decoder_start_token_id}, which
 * {@code T5Config} itself leaves unset, defaults to the pad id as every published T5 sets it. Keys
 * the model does not use ({@code dropout_rate}, {@code architectures}, {@code
 * task_specific_params}, ...) are ignored, because hub configs carry many of them.
 *
 * @param dModel width d of the residual stream ({@code d_model})
 * @param dKv width of one attention head ({@code d_kv})
 * @param numHeads attention heads H ({@code num_heads})
 * @param dFf hidden width of the feed-forward block ({@code d_ff})
 * @param numLayers encoder blocks ({@code num_layers})
 * @param numDecoderLayers decoder blocks ({@code num_decoder_layers})
 * @param vocabSize rows of {@code shared.weight} ({@code vocab_size})
 * @param relativeAttentionNumBuckets rows of the position-bias table
 * @param relativeAttentionMaxDistance distance beyond which all positions share the last bucket
 * @param layerNormEpsilon epsilon of the RMS norm
 * @param activation activation of the feed-forward block
 * @param gatedActivation whether the feed-forward block is gated ({@code wi_0}, {@code wi_1})
 * @param tieWordEmbeddings whether the LM head is {@code shared.weight} scaled by d^-0.5
 * @param padTokenId padding id
 * @param eosTokenId end-of-sequence id
 * @param decoderStartTokenId first decoder input id
 */
public record T5Config(
    int dModel,
    int dKv,
    int numHeads,
    int dFf,
    int numLayers,
    int numDecoderLayers,
    int vocabSize,
    int relativeAttentionNumBuckets,
    int relativeAttentionMaxDistance,
    double layerNormEpsilon,
    Activation activation,
    boolean gatedActivation,
    boolean tieWordEmbeddings,
    int padTokenId,
    int eosTokenId,
    int decoderStartTokenId) {

  /** Activation functions of the feed-forward block, by their HF {@code ACT2FN} names. */
  public enum Activation {
    /** {@code relu}. */
    RELU("relu", io.mptj.backbone.nn.Activation.RELU),
    /** {@code gelu}: the exact erf form. */
    GELU("gelu", io.mptj.backbone.nn.Activation.GELU),
    /** {@code gelu_new}: the tanh approximation, used by T5 v1.1 and FLAN-T5. */
    GELU_NEW("gelu_new", io.mptj.backbone.nn.Activation.GELU_TANH),
    /** {@code silu} (also called {@code swish}). */
    SILU("silu", io.mptj.backbone.nn.Activation.SILU);

    private final String hfName;
    private final io.mptj.backbone.nn.Activation function;

    Activation(String hfName, io.mptj.backbone.nn.Activation function) {
      this.hfName = hfName;
      this.function = function;
    }

    /** The function computed, shared with the other families. */
    public io.mptj.backbone.nn.Activation function() {
      return function;
    }

    /** The HF name, e.g. {@code gelu_new}. */
    public String hfName() {
      return hfName;
    }
  }

  /** Validates every field; errors name the HF key and the bad value. */
  public T5Config {
    positive("d_model", dModel);
    positive("d_kv", dKv);
    positive("num_heads", numHeads);
    positive("d_ff", dFf);
    positive("num_layers", numLayers);
    layers("num_layers", numLayers);
    positive("num_decoder_layers", numDecoderLayers);
    layers("num_decoder_layers", numDecoderLayers);
    positive("vocab_size", vocabSize);
    if (relativeAttentionNumBuckets < 4) {
      throw invalid("relative_attention_num_buckets", relativeAttentionNumBuckets, "must be >= 4");
    }
    positive("relative_attention_max_distance", relativeAttentionMaxDistance);
    if (!(layerNormEpsilon > 0 && layerNormEpsilon < 1)) {
      throw invalid("layer_norm_epsilon", layerNormEpsilon, "must be in (0, 1)");
    }
    if (activation == null) {
      throw invalid("feed_forward_proj", null, "is required");
    }
    tokenId("pad_token_id", padTokenId, vocabSize);
    tokenId("eos_token_id", eosTokenId, vocabSize);
    tokenId("decoder_start_token_id", decoderStartTokenId, vocabSize);
  }

  /** Width of all heads together, {@code num_heads * d_kv}. */
  public int innerDim() {
    return numHeads * dKv;
  }

  /** The HF {@code feed_forward_proj} string, e.g. {@code gated-gelu} or {@code relu}. */
  public String feedForwardProj() {
    String act = activation == Activation.GELU_NEW && gatedActivation ? "gelu" : activation.hfName;
    return gatedActivation ? "gated-" + act : act;
  }

  /**
   * Useful matmul FLOPs (2 per multiply-add) of one example's forward pass: projections, attention
   * scores and context, feed-forward blocks, and the LM head. Norms, softmax, and elementwise ops
   * are left out.
   *
   * @param encoderTokens L, encoder input length (prompt included)
   * @param decoderTokens S, decoder input length
   */
  public long matmulFlops(long encoderTokens, long decoderTokens) {
    long d = dModel;
    long inner = innerDim();
    long ff = (gatedActivation ? 3L : 2L) * d * dFf; // wi (or wi_0, wi_1) and wo, per token
    long l = encoderTokens;
    long s = decoderTokens;
    long encoderBlock = l * (4 * d * inner + ff) + 2 * l * l * inner;
    long decoderSelf = s * 4 * d * inner + 2 * s * s * inner;
    long decoderCross = s * 2 * d * inner + l * 2 * d * inner + 2 * s * l * inner;
    long decoderBlock = decoderSelf + decoderCross + s * ff;
    return 2 * (numLayers * encoderBlock + numDecoderLayers * decoderBlock + s * d * vocabSize);
  }

  /**
   * Matmul FLOPs of the backward pass of one example when only the encoder input (the prompt) needs
   * a gradient: every projection and the LM head need one input-gradient GEMM (as many FLOPs as
   * forward), the attention products need gradients for both operands (twice their forward FLOPs);
   * no weight gradients.
   */
  public long inputGradientFlops(long encoderTokens, long decoderTokens) {
    long inner = innerDim();
    long l = encoderTokens;
    long s = decoderTokens;
    long attention =
        numLayers * 2 * l * l * inner + numDecoderLayers * (2 * s * s * inner + 2 * s * l * inner);
    return matmulFlops(encoderTokens, decoderTokens) + 2 * attention;
  }

  /**
   * The projection GEMMs of one encoder block over {@code rows} positions, the shapes on which to
   * measure the machine's matmul rate: fused Q/K/V, attention output, FFN in (both halves when
   * gated) and FFN out.
   */
  public List<MatmulProbe.Gemm> projectionGemms(long rows) {
    long inner = innerDim();
    return List.of(
        new MatmulProbe.Gemm(rows, dModel, 3 * inner),
        new MatmulProbe.Gemm(rows, inner, dModel),
        new MatmulProbe.Gemm(rows, dModel, (gatedActivation ? 2L : 1L) * dFf),
        new MatmulProbe.Gemm(rows, dFf, dModel));
  }

  /** Reads {@code config.json} of an HF T5 model directory. */
  public static T5Config load(Path configJson) {
    try {
      return fromJson(io.mptj.engine.Json.MAPPER.readTree(Files.readString(configJson)));
    } catch (IOException e) {
      throw new CheckpointException("cannot read T5 config " + configJson + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(configJson + ": " + e.getMessage(), e);
    }
  }

  /** Builds a config from a parsed HF {@code config.json}. */
  public static T5Config fromJson(JsonNode json) {
    String modelType = json.path("model_type").asText("t5");
    if (!T5Family.MODEL_TYPES.contains(modelType)) {
      throw invalid("model_type", modelType, "is not a T5 model (expected t5 or mt5)");
    }
    String proj = json.path("feed_forward_proj").asText("relu");
    int pad = intKey(json, "pad_token_id", 0);
    int numLayers = intKey(json, "num_layers", 6);
    return new T5Config(
        intKey(json, "d_model", 512),
        intKey(json, "d_kv", 64),
        intKey(json, "num_heads", 8),
        intKey(json, "d_ff", 2048),
        numLayers,
        intKey(json, "num_decoder_layers", numLayers),
        intKey(json, "vocab_size", 32128),
        intKey(json, "relative_attention_num_buckets", 32),
        intKey(json, "relative_attention_max_distance", 128),
        json.path("layer_norm_epsilon").asDouble(1e-6),
        activationOf(proj),
        proj.startsWith("gated-"),
        json.path("tie_word_embeddings").asBoolean(true),
        pad,
        intKey(json, "eos_token_id", 1),
        intKey(json, "decoder_start_token_id", pad));
  }

  /**
   * Parses {@code feed_forward_proj} as HF does: {@code ACT} or {@code gated-ACT}, where {@code
   * gated-gelu} means the tanh approximation {@code gelu_new}.
   */
  static Activation activationOf(String feedForwardProj) {
    String[] parts = feedForwardProj.split("-");
    boolean gated = parts.length == 2 && parts[0].equals("gated");
    if (parts.length > 2 || (parts.length == 2 && !gated)) {
      throw invalid("feed_forward_proj", feedForwardProj, "must be ACT or gated-ACT");
    }
    String act = parts[parts.length - 1].toLowerCase(Locale.ROOT);
    return switch (act) {
      case "relu" -> Activation.RELU;
      case "gelu" -> gated ? Activation.GELU_NEW : Activation.GELU;
      case "gelu_new" -> Activation.GELU_NEW;
      case "silu", "swish" -> Activation.SILU;
      default ->
          throw invalid(
              "feed_forward_proj", feedForwardProj, "uses an unsupported activation '" + act + "'");
    };
  }

  private static int intKey(JsonNode json, String key, int fallback) {
    JsonNode node = json.get(key);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (node.isArray() && node.size() == 1) {
      node = node.get(0);
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw invalid(key, node, "must be an integer");
    }
    return node.intValue();
  }

  /** The most transformer blocks a config may declare (the largest public models have < 200). */
  static final int MAX_LAYERS = 1024;

  private static void layers(String key, int value) {
    if (value > MAX_LAYERS) {
      throw new io.mptj.engine.CheckpointException(
          key + " " + value + " is more than the " + MAX_LAYERS + " layers a model may have");
    }
  }

  private static void positive(String key, int value) {
    if (value <= 0) {
      throw invalid(key, value, "must be positive");
    }
  }

  private static void tokenId(String key, int id, int vocabSize) {
    if (id < 0 || id >= vocabSize) {
      throw invalid(key, id, "must be in [0, vocab_size=" + vocabSize + ")");
    }
  }

  private static IllegalArgumentException invalid(String key, Object value, String why) {
    return new IllegalArgumentException("T5 config " + key + "=" + value + " " + why);
  }
}
