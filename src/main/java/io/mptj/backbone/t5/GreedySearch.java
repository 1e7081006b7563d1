package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Greedy decoding with a key/value cache, as HF {@code generate(do_sample=False, num_beams=1)}: the
 * decoder starts from the start id; each step appends the most likely token (the lowest id on ties,
 * like {@code argmax}); a row that has emitted EOS gets the pad id from then on; decoding stops
 * after {@code maxNewTokens} steps or once every row has emitted EOS.
 */
final class GreedySearch {

  private final T5Model model;
  private final NDManager scope;

  /**
   * @param scope owner of the encoder output and the cache for the whole search; each step's
   *     intermediates live in a child of it
   */
  GreedySearch(T5Model model, NDManager scope) {
    this.model = model;
    this.scope = scope;
  }

  /**
   * Decodes greedily.
   *
   * @param inputsEmbeds (B, L, d) encoder input embeddings (soft prompt first, if any)
   * @param mask (B, L) 1 for real positions
   * @return B rows of 1 + n ids each, starting with the start id; n ≤ maxNewTokens
   */
  long[][] run(NDArray inputsEmbeds, NDArray mask, int maxNewTokens) {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens=" + maxNewTokens + " must be >= 0");
    }
    int batch = (int) inputsEmbeds.getShape().get(0);
    NDArray encoderHidden = model.encoder().forward(inputsEmbeds, mask); // (B, L, d)
    T5Decoder.Memory memory = model.decoder().memory(encoderHidden, mask);
    KvCache cache = new KvCache(scope, model.config().numDecoderLayers());
    long[][] sequences = new long[batch][maxNewTokens + 1];
    long[] next = new long[batch];
    Arrays.fill(next, model.decoderStartTokenId());
    boolean[] finished = new boolean[batch];
    record(sequences, 0, next);
    int steps = 0;
    while (steps < maxNewTokens && !allTrue(finished)) {
      next = choose(step(next, memory, cache), finished);
      steps++;
      record(sequences, steps, next);
    }
    return trim(sequences, steps + 1);
  }

  /** Runs the decoder on one new position per row and returns each row's argmax token. */
  private long[] step(long[] tokens, T5Decoder.Memory memory, KvCache cache) {
    try (NDManager step = scope.newSubManager()) {
      NDArray ids = step.create(tokens, new Shape(tokens.length, 1)); // (B, 1)
      NDArray hidden = model.decoder().forward(model.lookup(ids), memory, cache); // (B, 1, d)
      return model.logits(hidden).argMax(2).toLongArray(); // (B, 1)
    }
  }

  /** Pads rows that already finished and marks rows that emit EOS now. */
  private long[] choose(long[] best, boolean[] finished) {
    long[] tokens = new long[best.length];
    for (int b = 0; b < best.length; b++) {
      tokens[b] = finished[b] ? model.padTokenId() : best[b];
      finished[b] |= tokens[b] == model.eosTokenId();
    }
    return tokens;
  }

  private static void record(long[][] sequences, int position, long[] tokens) {
    for (int b = 0; b < tokens.length; b++) {
      sequences[b][position] = tokens[b];
    }
  }

  private static boolean allTrue(boolean[] flags) {
    for (boolean f : flags) {
      if (!f) {
        return false;
      }
    }
    return true;
  }

  private static long[][] trim(long[][] sequences, int length) {
    long[][] out = new long[sequences.length][];
    for (int b = 0; b < sequences.length; b++) {
      out[b] = Arrays.copyOf(sequences[b], length);
    }
    return out;
  }
}
