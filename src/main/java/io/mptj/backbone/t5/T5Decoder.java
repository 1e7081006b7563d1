package io.mptj.backbone.t5;

import static io.mptj.backbone.nn.Attention.additiveKeyMask;
import static io.mptj.backbone.nn.Attention.attend;
import static io.mptj.backbone.nn.Attention.contiguous;
import static io.mptj.backbone.nn.Attention.mergeHeads;
import static io.mptj.backbone.nn.Attention.splitHeads;
import static io.mptj.backbone.t5.T5Layers.feedForward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.nn.Attention;
import io.mptj.backbone.nn.LayerEdits;
import java.util.ArrayList;
import java.util.List;

/**
 * The T5 decoder stack (HF {@code T5Stack} with {@code is_decoder=True}): pre-norm blocks of causal
 * self-attention with block 0's unidirectional position bias, cross-attention over the encoder
 * output without position bias, and a feed-forward block, then a final RMS norm.
 *
 * <p>It runs either a whole teacher-forced sequence or, with a {@link KvCache}, the next positions
 * of a sequence whose earlier keys and values are cached.
 */
final class T5Decoder {

  /**
   * The encoder output projected to every block's cross-attention keys and values, computed once
   * per encoder pass.
   *
   * @param keys per block (B, H, L, dk)
   * @param values per block (B, H, L, dk)
   * @param maskBias (B, 1, 1, L) additive key mask
   */
  record Memory(List<NDArray> keys, List<NDArray> values, NDArray maskBias) {
    /** Number of encoder rows B. */
    long batch() {
      return maskBias.getShape().get(0);
    }
  }

  private final T5Weights.Stack stack;
  private final T5Config config;
  private final RelativePositionBuckets buckets;
  private final LayerEdits edits;

  T5Decoder(
      T5Weights.Stack stack, T5Config config, RelativePositionBuckets buckets, LayerEdits edits) {
    this.stack = stack;
    this.config = config;
    this.buckets = buckets;
    this.edits = edits;
  }

  /**
   * Projects the encoder output for cross-attention.
   *
   * @param encoderHidden (B, L, d)
   * @param encoderMask (B, L) 1 for real positions, 0 for padding
   */
  Memory memory(NDArray encoderHidden, NDArray encoderMask) {
    List<NDArray> keys = new ArrayList<>();
    List<NDArray> values = new ArrayList<>();
    for (T5Weights.Block block : stack.blocks()) {
      NDList kv = edits.linear(block.cross().kv(), encoderHidden).split(2, 2); // 2 x (B, L, I)
      keys.add(contiguous(splitHeads(kv.get(0), config.numHeads()))); // (B, H, L, dk)
      values.add(contiguous(splitHeads(kv.get(1), config.numHeads()))); // (B, H, L, dk)
    }
    return new Memory(keys, values, additiveKeyMask(encoderMask));
  }

  /**
   * Runs the decoder over new positions.
   *
   * <p>The rows of {@code embeds} may be a whole multiple G of the memory's rows: row {@code b·G +
   * g} then attends to encoder row b (several candidate outputs per input, without copying the
   * memory).
   *
   * @param embeds (N, S, d) embedded decoder inputs, N = G·B
   * @param cache earlier positions' self-attention keys and values, extended in place; {@code null}
   *     for a whole sequence from position 0
   * @return (N, S, d) last hidden state after the final norm
   */
  NDArray forward(NDArray embeds, Memory memory, KvCache cache) {
    int length = (int) embeds.getShape().get(1);
    int offset = cache == null ? 0 : cache.length();
    NDArray bias = causalBias(embeds, offset, length); // (1, H, S, offset + S)
    NDArray h = embeds; // (N, S, d)
    for (int i = 0; i < stack.blocks().size(); i++) {
      h = block(h, i, bias, memory, cache); // (N, S, d)
    }
    return edits.rmsNorm(stack.finalNorm(), h); // (N, S, d)
  }

  private NDArray block(NDArray h, int i, NDArray bias, Memory memory, KvCache cache) {
    T5Weights.Block block = stack.blocks().get(i);
    NDArray x = edits.rmsNorm(block.selfNorm(), h); // (N, S, d)
    h = h.add(sublayer(i, 0, selfAttention(x, block.self(), bias, i, cache))); // (N, S, d)
    x = edits.rmsNorm(block.crossNorm(), h); // (N, S, d)
    h = h.add(sublayer(i, 1, crossAttention(x, block.cross(), memory, i))); // (N, S, d)
    NDArray f = feedForward(edits.rmsNorm(block.ffNorm(), h), block.ff(), config, edits);
    return h.add(sublayer(i, 2, f)); // (N, S, d)
  }

  private NDArray sublayer(int block, int layer, NDArray out) {
    return edits.sublayer(T5Weights.Names.sublayer(T5Weights.Names.DECODER, block, layer), out);
  }

  private NDArray selfAttention(
      NDArray x, T5Weights.Attention w, NDArray bias, int layer, KvCache cache) {
    int heads = config.numHeads();
    NDList qkv = edits.linear(w.qkv(), x).split(3, 2); // 3 x (N, S, I)
    NDArray q = splitHeads(qkv.get(0), heads); // (N, H, S, dk)
    NDArray k = splitHeads(qkv.get(1), heads); // (N, H, S, dk)
    NDArray v = splitHeads(qkv.get(2), heads); // (N, H, S, dk)
    if (cache != null) {
      NDList kv = cache.append(layer, k, v);
      k = kv.get(0); // (N, H, offset + S, dk)
      v = kv.get(1); // (N, H, offset + S, dk)
    }
    return edits.linear(w.o(), mergeHeads(attend(q, k, v, bias))); // (N, S, d)
  }

  private NDArray crossAttention(NDArray x, T5Weights.Attention w, Memory memory, int layer) {
    Shape shape = x.getShape(); // (N, S, d)
    long rows = memory.batch();
    NDArray folded = x.reshape(rows, shape.get(0) / rows * shape.get(1), shape.get(2)); // (B,G·S,d)
    NDArray q = splitHeads(edits.linear(w.q(), folded), config.numHeads()); // (B, H, G·S, dk)
    NDArray context =
        attend(q, memory.keys().get(layer), memory.values().get(layer), memory.maskBias());
    return edits.linear(w.o(), mergeHeads(context)).reshape(shape); // (N, S, d)
  }

  /**
   * Position bias plus the causal mask for queries {@code offset .. offset+length-1} over keys
   * {@code 0 .. offset+length-1}; HF adds {@code finfo.min} where a key lies after the query.
   *
   * @return (1, H, S, offset + S)
   */
  private NDArray causalBias(NDArray owner, int offset, int length) {
    int keys = offset + length;
    long[] table = buckets.table(offset, length, keys, false);
    NDArray positions =
        edits.table(T5Weights.Names.positionBias(T5Weights.Names.DECODER), stack.positionBias());
    NDArray bias = T5Layers.positionBias(owner, table, length, keys, positions);
    if (length == 1) {
      return bias; // a single newest query sees every key
    }
    float[] mask = new float[length * keys];
    for (int i = 0; i < length; i++) {
      for (int j = offset + i + 1; j < keys; j++) {
        mask[i * keys + j] = Attention.MASKED;
      }
    }
    return bias.add(owner.getManager().create(mask, new Shape(length, keys))); // (1, H, S, keys)
  }
}
