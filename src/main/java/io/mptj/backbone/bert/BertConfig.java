package io.mptj.backbone.bert;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.MatmulProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The architecture of a BERT-family encoder, with the meaning of HF {@code BertConfig}
 * (transformers {@code models/bert/configuration_bert.py}): absolute learned positions, token
 * types, post-LayerNorm blocks.
 *
 * @param vocabSize rows of the word embedding matrix ({@code vocab_size})
 * @param hiddenSize model width d ({@code hidden_size})
 * @param numHiddenLayers number of transformer blocks ({@code num_hidden_layers})
 * @param numAttentionHeads heads per block; divides d ({@code num_attention_heads})
 * @param intermediateSize FFN width ({@code intermediate_size})
 * @param hiddenAct FFN activation ({@code hidden_act})
 * @param maxPositionEmbeddings longest input, prompt included ({@code max_position_embeddings})
 * @param typeVocabSize number of segment ids ({@code type_vocab_size})
 * @param layerNormEps LayerNorm epsilon ({@code layer_norm_eps})
 * @param padTokenId padding token id ({@code pad_token_id})
 */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    Activation hiddenAct,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double layerNormEps,
    int padTokenId) {

  /**
   * Parses an HF {@code hidden_act} name: {@code gelu} (exact), {@code gelu_new} or {@code
   * gelu_pytorch_tanh} (the tanh approximation), {@code relu} or {@code silu}.
   */
  public static Activation activation(String hfName) {
    return switch (hfName) {
      case "gelu" -> Activation.GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_TANH;
      case "relu" -> Activation.RELU;
      case "silu" -> Activation.SILU;
      default ->
          throw new CheckpointException(
              "hidden_act '" + hfName + "' is not supported (use gelu, gelu_new, relu or silu)");
    };
  }

  /** Validates every field; errors name the HF key and the bad value. */
  public BertConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    layers("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
    if (hiddenAct == null) {
      throw new CheckpointException("hidden_act is missing");
    }
    if (hiddenSize % numAttentionHeads != 0) {
      throw new CheckpointException(
          "hidden_size "
              + hiddenSize
              + " is not divisible by num_attention_heads "
              + numAttentionHeads);
    }
    if (!(layerNormEps > 0) || layerNormEps >= 1) {
      throw new CheckpointException("layer_norm_eps must be in (0, 1), got " + layerNormEps);
    }
    if (padTokenId < 0 || padTokenId >= vocabSize) {
      throw new CheckpointException(
          "pad_token_id " + padTokenId + " is outside the vocabulary [0, " + vocabSize + ")");
    }
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
      throw new CheckpointException(key + " must be positive, got " + value);
    }
  }

  /** Width of one attention head, {@code d / heads}. */
  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * Reads an HF {@code config.json}. Keys that do not change the encoder's computation (dropout
   * rates, {@code architectures}, ...) are ignored; keys that would change it in a way this encoder
   * does not implement (relative positions, decoder use) are rejected.
   *
   * @throws CheckpointException naming the file and the key
   */
  public static BertConfig fromFile(Path configJson) {
    JsonNode root;
    try {
      root = io.mptj.engine.Json.MAPPER.readTree(Files.readString(configJson));
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + configJson + ": " + e.getMessage(), e);
    }
    try {
      return fromJson(root);
    } catch (CheckpointException e) {
      throw new CheckpointException(configJson + ": " + e.getMessage(), e);
    }
  }

  /** Parses the JSON object of an HF {@code config.json}. */
  public static BertConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new CheckpointException("config is not a JSON object");
    }
    String modelType = text(root, "model_type", "bert");
    if (!BertFamily.MODEL_TYPES.contains(modelType)) {
      throw new CheckpointException(
          "model_type '" + modelType + "' is not a BERT encoder this backbone implements");
    }
    String positions = text(root, "position_embedding_type", "absolute");
    if (!positions.equals("absolute")) {
      throw new CheckpointException(
          "position_embedding_type '" + positions + "' is not supported (only absolute)");
    }
    if (root.path("is_decoder").asBoolean(false)
        || root.path("add_cross_attention").asBoolean(false)) {
      throw new CheckpointException(
          "is_decoder / add_cross_attention BERT models are not encoders");
    }
    return new BertConfig(
        required(root, "vocab_size"),
        required(root, "hidden_size"),
        required(root, "num_hidden_layers"),
        required(root, "num_attention_heads"),
        required(root, "intermediate_size"),
        activation(text(root, "hidden_act", "gelu")),
        optional(root, "max_position_embeddings", 512),
        optional(root, "type_vocab_size", 2),
        root.has("layer_norm_eps") ? number(root, "layer_norm_eps") : 1e-12,
        optional(root, "pad_token_id", 0));
  }

  private static int required(JsonNode root, String key) {
    if (!root.has(key) || root.get(key).isNull()) {
      throw new CheckpointException("required key '" + key + "' is missing");
    }
    return integer(root, key);
  }

  private static int optional(JsonNode root, String key, int fallback) {
    return root.has(key) && !root.get(key).isNull() ? integer(root, key) : fallback;
  }

  private static int integer(JsonNode root, String key) {
    JsonNode v = root.get(key);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new CheckpointException("'" + key + "' must be an integer, got " + v);
    }
    return v.intValue();
  }

  private static double number(JsonNode root, String key) {
    JsonNode v = root.get(key);
    if (!v.isNumber()) {
      throw new CheckpointException("'" + key + "' must be a number, got " + v);
    }
    return v.doubleValue();
  }

  private static String text(JsonNode root, String key, String fallback) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new CheckpointException("'" + key + "' must be a string, got " + v);
    }
    return v.asText();
  }

  /**
   * Matmul FLOPs of one forward pass (2 per multiply-add): the Q/K/V, output and FFN projections
   * over all {@code batch × length} positions, and the two attention products {@code QKᵀ} and
   * {@code AV}. Embedding lookups, LayerNorm, softmax and activations are not counted.
   *
   * @param length the full input length L (prompt plus tokens)
   */
  public double forwardFlops(int batch, int length) {
    return numHiddenLayers * (projectionFlops(batch, length) + attentionFlops(batch, length));
  }

  /**
   * Matmul FLOPs of the backward pass when only the input (the prompt) needs a gradient: each
   * projection needs one GEMM for its input gradient (as many FLOPs as forward), while both
   * attention products need gradients for both operands (twice their forward FLOPs). Weight
   * gradients are not computed for a frozen backbone and are not counted.
   */
  public double inputGradientFlops(int batch, int length) {
    return numHiddenLayers * (projectionFlops(batch, length) + 2 * attentionFlops(batch, length));
  }

  /**
   * The projection GEMMs of one block over {@code batch × length} rows, the shapes on which to
   * measure the machine's matmul rate: fused Q/K/V, attention output, FFN in and FFN out.
   */
  public List<MatmulProbe.Gemm> projectionGemms(int batch, int length) {
    long rows = (long) batch * length;
    return List.of(
        new MatmulProbe.Gemm(rows, hiddenSize, 3L * hiddenSize),
        new MatmulProbe.Gemm(rows, hiddenSize, hiddenSize),
        new MatmulProbe.Gemm(rows, hiddenSize, intermediateSize),
        new MatmulProbe.Gemm(rows, intermediateSize, hiddenSize));
  }

  private double projectionFlops(int batch, int length) {
    double rows = (double) batch * length;
    double d = hiddenSize;
    return 2 * rows * d * (4 * d + 2.0 * intermediateSize);
  }

  private double attentionFlops(int batch, int length) {
    return 2 * 2 * (double) batch * length * length * hiddenSize;
  }
}
