package io.mptj.backbone.t5;

import static io.mptj.backbone.nn.Attention.additiveKeyMask;
import static io.mptj.backbone.nn.Attention.attend;
import static io.mptj.backbone.nn.Attention.mergeHeads;
import static io.mptj.backbone.nn.Attention.splitHeads;
import static io.mptj.backbone.t5.T5Layers.feedForward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.backbone.nn.Scoped;

/**
 * The T5 encoder stack (HF {@code T5Stack} with {@code is_decoder=False}): pre-norm blocks of
 * bidirectional self-attention and a feed-forward block, then a final RMS norm. Block 0's
 * relative-position bias, plus the key mask, is added to the scores of every block.
 */
final class T5Encoder {

  private final T5Weights.Stack stack;
  private final T5Config config;
  private final RelativePositionBuckets buckets;
  private final LayerEdits edits;

  T5Encoder(
      T5Weights.Stack stack, T5Config config, RelativePositionBuckets buckets, LayerEdits edits) {
    this.stack = stack;
    this.config = config;
    this.buckets = buckets;
    this.edits = edits;
  }

  /**
   * Runs the encoder on input embeddings.
   *
   * @param embeds (B, L, d) unscaled input embeddings (soft prompt first, if any)
   * @param mask (B, L) 1 for real positions, 0 for padding
   * @return (B, L, d) last hidden state after the final norm
   */
  NDArray forward(NDArray embeds, NDArray mask) {
    int length = (int) embeds.getShape().get(1);
    long[] table = buckets.table(0, length, length, true);
    NDArray positions =
        edits.table(T5Weights.Names.positionBias(T5Weights.Names.ENCODER), stack.positionBias());
    NDArray bias = T5Layers.positionBias(embeds, table, length, length, positions); // (1,H,L,L)
    bias = bias.add(additiveKeyMask(mask)); // (B, H, L, L)
    NDArray h = embeds; // (B, L, d)
    for (int i = 0; i < stack.blocks().size(); i++) {
      // a scope per block: its intermediates are freed when it returns (BertEncoder does the same)
      int index = i;
      NDArray in = h;
      NDArray b = bias;
      h =
          Scoped.arrays(scope -> new NDList(block(in, index, stack.blocks().get(index), b)), in, b)
              .singletonOrThrow(); // (B, L, d)
    }
    return edits.rmsNorm(stack.finalNorm(), h); // (B, L, d)
  }

  private NDArray block(NDArray h, int i, T5Weights.Block block, NDArray bias) {
    NDArray a = selfAttention(edits.rmsNorm(block.selfNorm(), h), block.self(), bias); // (B,L,d)
    h = h.add(edits.sublayer(T5Weights.Names.sublayer(T5Weights.Names.ENCODER, i, 0), a));
    NDArray f = feedForward(edits.rmsNorm(block.ffNorm(), h), block.ff(), config, edits);
    return h.add(edits.sublayer(T5Weights.Names.sublayer(T5Weights.Names.ENCODER, i, 1), f));
  }

  private NDArray selfAttention(NDArray x, T5Weights.Attention w, NDArray bias) {
    int heads = config.numHeads();
    NDList qkv = edits.linear(w.qkv(), x).split(3, 2); // 3 x (B, L, I)
    NDArray q = splitHeads(qkv.get(0), heads); // (B, H, L, dk)
    NDArray k = splitHeads(qkv.get(1), heads); // (B, H, L, dk)
    NDArray v = splitHeads(qkv.get(2), heads); // (B, H, L, dk)
    return edits.linear(w.o(), mergeHeads(attend(q, k, v, bias))); // (B, L, d)
  }
}
