package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import io.mptj.backbone.nn.Linear;
import io.mptj.backbone.nn.RmsNorm;
import io.mptj.backbone.nn.WeightStore;
import io.mptj.engine.WeightSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The frozen tensors of a T5 checkpoint, each checked by name and shape on load, with fused
 * projections (Q|K|V, and wi_0|wi_1) made once so that a forward runs one GEMM where HF runs two or
 * three; the fused parts stay readable by name as views (see {@link WeightStore}).
 *
 * <p>{@link Names} is the one table of HF parameter names ({@code
 * transformers/models/t5/modeling_t5.py}); nothing else in mptj spells them. No tensor requires a
 * gradient.
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
  record Attention(Linear qkv, Linear q, Linear kv, Linear o) {}

  /**
   * A feed-forward block.
   *
   * @param wi (F, d), or (2F, d) rows of wi_0 then wi_1 when gated
   * @param wo (d, F)
   */
  record FeedForward(Linear wi, Linear wo) {}

  /**
   * One block; {@code crossNorm} and {@code cross} are null in the encoder.
   *
   * @param selfNorm RMS norm before self-attention
   * @param crossNorm RMS norm before cross-attention
   * @param ffNorm RMS norm before the feed-forward block
   */
  record Block(
      RmsNorm selfNorm,
      Attention self,
      RmsNorm crossNorm,
      Attention cross,
      RmsNorm ffNorm,
      FeedForward ff) {}

  /**
   * An encoder or decoder stack.
   *
   * @param positionBias (buckets, H) block 0's relative-position bias, shared by all blocks
   * @param finalNorm RMS norm after the last block
   */
  record Stack(NDArray positionBias, List<Block> blocks, RmsNorm finalNorm) {}

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

    /** The HF module path of a block's sub-layer, e.g. {@code encoder.block.0.layer.1}. */
    static String sublayer(String stack, int block, int layer) {
      return stack + ".block." + block + ".layer." + layer;
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

  /** {@code lm_head}, or {@code shared} itself when tied (then applied to {@code h · d^-0.5}). */
  final Linear lmHead;

  final Stack encoder;
  final Stack decoder;
  private final WeightStore store;

  private T5Weights(
      WeightStore store, NDArray shared, Linear lmHead, Stack encoder, Stack decoder) {
    this.store = store;
    this.shared = shared;
    this.lmHead = lmHead;
    this.encoder = encoder;
    this.decoder = decoder;
  }

  /**
   * Loads every tensor the config calls for; {@code source} may be closed afterwards.
   *
   * @throws io.mptj.engine.CheckpointException naming the first missing or wrongly shaped tensor
   */
  static T5Weights load(WeightSource source, T5Config config) {
    return WeightStore.build(
        "t5-weights",
        source,
        "",
        store -> {
          Loader loader = new Loader(store, config);
          NDArray shared = store.require(Names.SHARED, config.vocabSize(), config.dModel());
          Linear lmHead =
              config.tieWordEmbeddings()
                  ? new Linear(module(Names.SHARED), shared, null)
                  : loader.linear(Names.LM_HEAD, config.vocabSize(), config.dModel());
          Stack encoder = loader.stack(Names.ENCODER, config.numLayers());
          Stack decoder = loader.stack(Names.DECODER, config.numDecoderLayers());
          return new T5Weights(store, shared, lmHead, encoder, decoder);
        });
  }

  /** The checkpoint tensors by HF name (aliases such as {@code lm_head} when tied are absent). */
  Map<String, NDArray> byName() {
    return store.byName();
  }

  /** Number of checkpoint parameters, each tensor counted once. */
  long parameterCount() {
    return store.parameterCount();
  }

  @Override
  public void close() {
    store.close();
  }

  /**
   * The module path of a parameter name: {@code encoder.final_layer_norm.weight} without {@code
   * .weight}.
   */
  private static String module(String weightName) {
    return weightName.substring(0, weightName.length() - ".weight".length());
  }

  /** Reads the layers of the stacks through the store. */
  private static final class Loader {
    private final WeightStore store;
    private final T5Config config;
    private final float eps;

    Loader(WeightStore store, T5Config config) {
      this.store = store;
      this.config = config;
      this.eps = (float) config.layerNormEpsilon();
    }

    Linear linear(String weightName, long out, long in) {
      return store.linear(module(weightName), out, in, false);
    }

    RmsNorm norm(String weightName) {
      return store.rmsNorm(module(weightName), config.dModel(), eps);
    }

    Stack stack(String stack, int numBlocks) {
      NDArray bias =
          store.require(
              Names.positionBias(stack), config.relativeAttentionNumBuckets(), config.numHeads());
      List<Block> blocks = new ArrayList<>();
      for (int i = 0; i < numBlocks; i++) {
        blocks.add(block(stack, i));
      }
      return new Stack(bias, List.copyOf(blocks), norm(Names.finalNorm(stack)));
    }

    Block block(String stack, int i) {
      RmsNorm selfNorm = norm(Names.norm(stack, i, 0));
      Attention self = attention(p -> Names.selfAttention(stack, i, p));
      if (stack.equals(Names.ENCODER)) {
        return new Block(selfNorm, self, null, null, norm(Names.norm(stack, i, 1)), ff(stack, i));
      }
      RmsNorm crossNorm = norm(Names.norm(stack, i, 1));
      Attention cross = attention(p -> Names.crossAttention(i, p));
      return new Block(
          selfNorm, self, crossNorm, cross, norm(Names.norm(stack, i, 2)), ff(stack, i));
    }

    Attention attention(Function<String, String> name) {
      int d = config.dModel();
      int inner = config.innerDim();
      Linear q = linear(name.apply("q"), inner, d);
      Linear k = linear(name.apply("k"), inner, d);
      Linear v = linear(name.apply("v"), inner, d);
      Linear o = linear(name.apply("o"), d, inner);
      Linear qkv = store.fuse(List.of(q, k, v)); // (3I, d), one copy
      Linear kv = qkv.rows(k.name() + "+" + v.name(), inner, 3L * inner); // (2I, d) view
      return new Attention(qkv, qkv.rows(q.name(), 0, inner), kv, o);
    }

    FeedForward ff(String stack, int i) {
      int d = config.dModel();
      int f = config.dFf();
      Linear wo = linear(Names.feedForward(stack, i, "wo"), d, f);
      if (!config.gatedActivation()) {
        return new FeedForward(linear(Names.feedForward(stack, i, "wi"), f, d), wo);
      }
      Linear wi0 = linear(Names.feedForward(stack, i, "wi_0"), f, d);
      Linear wi1 = linear(Names.feedForward(stack, i, "wi_1"), f, d);
      return new FeedForward(store.fuse(List.of(wi0, wi1)), wo); // (2F, d)
    }
  }
}
