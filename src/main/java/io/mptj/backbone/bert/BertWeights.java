package io.mptj.backbone.bert;

import ai.djl.ndarray.NDArray;
import io.mptj.backbone.nn.LayerNorm;
import io.mptj.backbone.nn.Linear;
import io.mptj.backbone.nn.WeightStore;
import io.mptj.engine.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one weight-name table of the BERT family: the HF {@code BertModel} parameter names this
 * encoder reads, with their shapes. Checkpoints saved from {@code BertFor...} models prefix every
 * name with {@code bert.}; the prefix is detected once, here. Pooler and task-head tensors are not
 * read.
 */
final class BertWeights {

  static final String WORD = "embeddings.word_embeddings.weight";
  static final String POSITION = "embeddings.position_embeddings.weight";
  static final String TOKEN_TYPE = "embeddings.token_type_embeddings.weight";
  static final String EMBEDDING_NORM = "embeddings.LayerNorm";

  static final String QUERY = "attention.self.query";
  static final String KEY = "attention.self.key";
  static final String VALUE = "attention.self.value";
  static final String ATTENTION_OUTPUT = "attention.output.dense";
  static final String ATTENTION_NORM = "attention.output.LayerNorm";
  static final String INTERMEDIATE = "intermediate.dense";
  static final String OUTPUT = "output.dense";
  static final String OUTPUT_NORM = "output.LayerNorm";

  /** The attention sub-layer's output module, where adapters see its output before the residual. */
  static final String ATTENTION_SUBLAYER = "attention.output";

  /** The feed-forward sub-layer's output module. */
  static final String FFN_SUBLAYER = "output";

  private static final String PREFIX = "bert.";

  private BertWeights() {}

  /** The HF module path of a block's layer, e.g. {@code encoder.layer.3.attention.self.query}. */
  static String module(int index, String module) {
    return "encoder.layer." + index + "." + module;
  }

  /** The name of a block's tensor, e.g. {@code encoder.layer.3.attention.self.query.weight}. */
  static String layer(int index, String module, String param) {
    return module(index, module) + "." + param;
  }

  /** Every tensor the encoder reads, by its HF name (without prefix), with its shape. */
  static Map<String, long[]> expected(BertConfig c) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put(WORD, new long[] {c.vocabSize(), d});
    shapes.put(POSITION, new long[] {c.maxPositionEmbeddings(), d});
    shapes.put(TOKEN_TYPE, new long[] {c.typeVocabSize(), d});
    putNorm(shapes, EMBEDDING_NORM, d);
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      for (String m : new String[] {QUERY, KEY, VALUE, ATTENTION_OUTPUT}) {
        putLinear(shapes, i, m, d, d);
      }
      putNorm(shapes, module(i, ATTENTION_NORM), d);
      putLinear(shapes, i, INTERMEDIATE, inner, d);
      putLinear(shapes, i, OUTPUT, d, inner);
      putNorm(shapes, module(i, OUTPUT_NORM), d);
    }
    return shapes;
  }

  private static void putLinear(Map<String, long[]> shapes, int i, String m, long out, long in) {
    shapes.put(layer(i, m, "weight"), new long[] {out, in});
    shapes.put(layer(i, m, "bias"), new long[] {out});
  }

  private static void putNorm(Map<String, long[]> shapes, String module, long d) {
    shapes.put(module + ".weight", new long[] {d});
    shapes.put(module + ".bias", new long[] {d});
  }

  /**
   * The frozen layers of an encoder.
   *
   * @param word (V, d) word embeddings
   * @param position (maxPositions, d) absolute position embeddings
   * @param tokenType (types, d) token-type embeddings
   */
  record Layers(
      NDArray word,
      NDArray position,
      NDArray tokenType,
      LayerNorm embeddingNorm,
      List<Block> blocks) {}

  /** One transformer block; {@code qkv} is the fused query-key-value projection (3d, d). */
  record Block(
      Linear qkv,
      Linear attentionOutput,
      LayerNorm attentionNorm,
      Linear intermediate,
      Linear output,
      LayerNorm outputNorm) {}

  /** The source's name prefix: {@code bert.} when only prefixed names exist. */
  static String prefix(WeightSource source) {
    return !source.contains(WORD) && source.contains(PREFIX + WORD) ? PREFIX : "";
  }

  /**
   * Reads every expected tensor into {@code store}, checking each name and shape, and fuses each
   * block's query, key and value projections.
   *
   * @throws io.mptj.engine.CheckpointException naming the first missing or misshaped tensor
   */
  static Layers load(WeightStore store, BertConfig config) {
    Map<String, long[]> shapes = expected(config);
    float eps = (float) config.layerNormEps();
    NDArray word = store.require(WORD, shapes.get(WORD));
    NDArray position = store.require(POSITION, shapes.get(POSITION));
    NDArray tokenType = store.require(TOKEN_TYPE, shapes.get(TOKEN_TYPE));
    LayerNorm embeddingNorm = store.layerNorm(EMBEDDING_NORM, config.hiddenSize(), eps);
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      blocks.add(block(store, shapes, i, eps));
    }
    return new Layers(word, position, tokenType, embeddingNorm, List.copyOf(blocks));
  }

  private static Block block(WeightStore store, Map<String, long[]> shapes, int i, float eps) {
    List<Linear> qkv = new ArrayList<>();
    for (String m : new String[] {QUERY, KEY, VALUE}) {
      qkv.add(linear(store, shapes, i, m));
    }
    return new Block(
        store.fuse(qkv),
        linear(store, shapes, i, ATTENTION_OUTPUT),
        norm(store, shapes, i, ATTENTION_NORM, eps),
        linear(store, shapes, i, INTERMEDIATE),
        linear(store, shapes, i, OUTPUT),
        norm(store, shapes, i, OUTPUT_NORM, eps));
  }

  private static Linear linear(WeightStore store, Map<String, long[]> shapes, int i, String m) {
    long[] w = shapes.get(layer(i, m, "weight"));
    return store.linear(module(i, m), w[0], w[1], true);
  }

  private static LayerNorm norm(
      WeightStore store, Map<String, long[]> shapes, int i, String m, float eps) {
    return store.layerNorm(module(i, m), shapes.get(layer(i, m, "weight"))[0], eps);
  }
}
