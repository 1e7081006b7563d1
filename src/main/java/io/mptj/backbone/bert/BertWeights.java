package io.mptj.backbone.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.WeightSource;
import java.util.LinkedHashMap;
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

  private static final String PREFIX = "bert.";

  private BertWeights() {}

  /** The name of a block's tensor, e.g. {@code encoder.layer.3.attention.self.query.weight}. */
  static String layer(int index, String module, String param) {
    return "encoder.layer." + index + "." + module + "." + param;
  }

  /** Every tensor the encoder reads, by its HF name (without prefix), with its shape. */
  static Map<String, long[]> expected(BertConfig c) {
    long d = c.hiddenSize();
    long inner = c.intermediateSize();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put(WORD, new long[] {c.vocabSize(), d});
    shapes.put(POSITION, new long[] {c.maxPositionEmbeddings(), d});
    shapes.put(TOKEN_TYPE, new long[] {c.typeVocabSize(), d});
    norm(shapes, EMBEDDING_NORM, d);
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      for (String m : new String[] {QUERY, KEY, VALUE, ATTENTION_OUTPUT}) {
        linear(shapes, i, m, d, d);
      }
      norm(shapes, "encoder.layer." + i + "." + ATTENTION_NORM, d);
      linear(shapes, i, INTERMEDIATE, inner, d);
      linear(shapes, i, OUTPUT, d, inner);
      norm(shapes, "encoder.layer." + i + "." + OUTPUT_NORM, d);
    }
    return shapes;
  }

  private static void linear(Map<String, long[]> shapes, int i, String m, long out, long in) {
    shapes.put(layer(i, m, "weight"), new long[] {out, in});
    shapes.put(layer(i, m, "bias"), new long[] {out});
  }

  private static void norm(Map<String, long[]> shapes, String module, long d) {
    shapes.put(module + ".weight", new long[] {d});
    shapes.put(module + ".bias", new long[] {d});
  }

  /**
   * Loads every expected tensor into {@code manager}, checking each name and shape.
   *
   * @return HF name (without prefix) to array, in table order
   * @throws io.mptj.engine.CheckpointException naming the first missing or misshaped tensor
   */
  static Map<String, NDArray> load(NDManager manager, BertConfig config, WeightSource source) {
    String prefix = !source.contains(WORD) && source.contains(PREFIX + WORD) ? PREFIX : "";
    Map<String, NDArray> loaded = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expected(config).entrySet()) {
      loaded.put(e.getKey(), source.require(manager, prefix + e.getKey(), e.getValue()));
    }
    return loaded;
  }
}
