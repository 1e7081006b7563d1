package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.WeightSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frozen tensors of a T5 checkpoint, each checked by name and shape on load, plus fused copies
 * (Q|K|V, and wi_0|wi_1) made once so that a forward runs one GEMM where HF runs two or three.
 *
 * <p>{@link Names} is the one table of HF parameter names ({@code
 * transformers/models/t5/modeling_t5.py}); nothing else in mptj spells them. The checkpoint tensors
 * themselves are memory-mapped read-only and never require gradients.
 */
final class T5Weights implements AutoCloseable {

  /**
   * One attention block's projections; linear weights are (out, in).
   *
   * @param qkv (3I, d) rows of q, k, v: the self-attention projection
   * @param q (I, d) view of the q rows: the cross-attention query
   * @param kv (2I, d) view of the k and v rows: the cross-attention memory projection
   * @param o (d, I) output projection
   */
  record Attention(NDArray qkv, NDArray q, NDArray kv, NDArray o) {}

  /**
   * A feed-forward block.
   *
   * @param wi (F, d), or (2F, d) rows of wi_0 then wi_1 when gated
   * @param wo (d, F)
   */
  record FeedForward(NDArray wi, NDArray wo) {}

  /**
   * One block; {@code crossNorm} and {@code cross} are null in the encoder.
   *
   * @param selfNorm (d) RMS-norm weight before self-attention
   * @param crossNorm (d) RMS-norm weight before cross-attention
   * @param ffNorm (d) RMS-norm weight before the feed-forward block
   */
  record Block(
      NDArray selfNorm,
      Attention self,
      NDArray crossNorm,
      Attention cross,
      NDArray ffNorm,
      FeedForward ff) {}

  /**
   * An encoder or decoder stack.
   *
   * @param positionBias (buckets, H) block 0's relative-position bias, shared by all blocks
   * @param finalNorm (d) RMS-norm weight after the last block
   */
  record Stack(NDArray positionBias, List<Block> blocks, NDArray finalNorm) {}

  /** HF parameter names of {@code T5ForConditionalGeneration}. */
  static final class Names {
    static final String ENCODER = "encoder";
    static final String DECODER = "decoder";
    static final String SHARED = "shared.weight";
    static final String LM_HEAD = "lm_head.weight";

    private Names() {}

    /**
     * Index of the sub-layer holding the feed-forward block: 1 in the encoder, 2 in the decoder.
     */
    static int ffLayer(String stack) {
      return stack.equals(ENCODER) ? 1 : 2;
    }

    static String layer(String stack, int block, int layer) {
      return stack + ".block." + block + ".layer." + layer + ".";
    }

    static String selfAttention(String stack, int block, String proj) {
      return layer(stack, block, 0) + "SelfAttention." + proj + ".weight";
    }

    static String crossAttention(int block, String proj) {
      return layer(DECODER, block, 1) + "EncDecAttention." + proj + ".weight";
    }

    static String positionBias(String stack) {
      return selfAttention(stack, 0, "relative_attention_bias");
    }

    static String norm(String stack, int block, int layer) {
      return layer(stack, block, layer) + "layer_norm.weight";
    }

    static String feedForward(String stack, int block, String proj) {
      return layer(stack, block, ffLayer(stack)) + "DenseReluDense." + proj + ".weight";
    }

    static String finalNorm(String stack) {
      return stack + ".final_layer_norm.weight";
    }
  }

  final NDArray shared;
  final NDArray lmHead;
  final Stack encoder;
  final Stack decoder;
  private final NDManager manager;
  private final Map<String, NDArray> byName;

  private T5Weights(Loader loader, NDArray shared, NDArray lmHead, Stack encoder, Stack decoder) {
    this.manager = loader.manager;
    this.byName = Collections.unmodifiableMap(loader.loaded);
    this.shared = shared;
    this.lmHead = lmHead;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /**
   * Loads every tensor the config calls for.
   *
   * @throws io.mptj.engine.CheckpointException naming the first missing or wrongly shaped tensor
   */
  static T5Weights load(WeightSource source, T5Config config) {
    NDManager manager = NDManager.newBaseManager();
    manager.setName("t5-weights");
    Loader loader = new Loader(source, config, manager);
    try {
      NDArray shared = loader.get(Names.SHARED, config.vocabSize(), config.dModel());
      NDArray lmHead =
          config.tieWordEmbeddings()
              ? null
              : loader.get(Names.LM_HEAD, config.vocabSize(), config.dModel());
      Stack encoder = loader.stack(Names.ENCODER, config.numLayers());
      Stack decoder = loader.stack(Names.DECODER, config.numDecoderLayers());
      return new T5Weights(loader, shared, lmHead, encoder, decoder);
    } catch (RuntimeException e) {
      loader.manager.close();
      throw e;
    }
  }

  /** The checkpoint tensors by HF name (aliases such as {@code lm_head} when tied are absent). */
  Map<String, NDArray> byName() {
    return byName;
  }

  /** Number of checkpoint parameters, each tensor counted once. */
  long parameterCount() {
    return byName.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  @Override
  public void close() {
    manager.close();
  }

  /** Reads tensors by name and shape into the weights' manager, remembering each. */
  private static final class Loader {
    private final WeightSource source;
    private final T5Config config;
    private final NDManager manager;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();

    Loader(WeightSource source, T5Config config, NDManager manager) {
      this.source = source;
      this.config = config;
      this.manager = manager;
    }

    NDArray get(String name, long... shape) {
      NDArray a = source.require(manager, name, shape);
      a.setName(name);
      loaded.put(name, a);
      return a;
    }

    Stack stack(String stack, int numBlocks) {
      NDArray bias =
          get(Names.positionBias(stack), config.relativeAttentionNumBuckets(), config.numHeads());
      List<Block> blocks = new ArrayList<>();
      for (int i = 0; i < numBlocks; i++) {
        blocks.add(block(stack, i));
      }
      NDArray finalNorm = get(Names.finalNorm(stack), config.dModel());
      return new Stack(bias, List.copyOf(blocks), finalNorm);
    }

    Block block(String stack, int i) {
      int d = config.dModel();
      NDArray selfNorm = get(Names.norm(stack, i, 0), d);
      Attention self = attention(p -> Names.selfAttention(stack, i, p));
      if (stack.equals(Names.ENCODER)) {
        return new Block(selfNorm, self, null, null, get(Names.norm(stack, i, 1), d), ff(stack, i));
      }
      NDArray crossNorm = get(Names.norm(stack, i, 1), d);
      Attention cross = attention(p -> Names.crossAttention(i, p));
      return new Block(
          selfNorm, self, crossNorm, cross, get(Names.norm(stack, i, 2), d), ff(stack, i));
    }

    Attention attention(java.util.function.Function<String, String> name) {
      int d = config.dModel();
      int inner = config.innerDim();
      NDArray q = get(name.apply("q"), inner, d);
      NDArray k = get(name.apply("k"), inner, d);
      NDArray v = get(name.apply("v"), inner, d);
      NDArray o = get(name.apply("o"), d, inner);
      NDArray qkv =
          NDArrays.concat(new NDList(q, k, v), 0); // (3I, d), a copy in the weights' manager
      NDList parts = qkv.split(new long[] {inner}, 0); // views: (I, d), (2I, d)
      return new Attention(qkv, parts.get(0), parts.get(1), o);
    }

    FeedForward ff(String stack, int i) {
      int d = config.dModel();
      int f = config.dFf();
      NDArray wo = get(Names.feedForward(stack, i, "wo"), d, f);
      if (!config.gatedActivation()) {
        return new FeedForward(get(Names.feedForward(stack, i, "wi"), f, d), wo);
      }
      NDArray wi0 = get(Names.feedForward(stack, i, "wi_0"), f, d);
      NDArray wi1 = get(Names.feedForward(stack, i, "wi_1"), f, d);
      return new FeedForward(NDArrays.concat(new NDList(wi0, wi1), 0), wo); // (2F, d)
    }
  }
}
