package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.Seq2SeqBackbone.LabelScores;
import java.util.Arrays;

/**
 * Rank classification: scores each of a fixed set of label strings as the output of each input and
 * picks the best, as T0 and ATTEMPT evaluate classification tasks with a seq2seq model.
 *
 * <p>A label's score is the sum of its tokens' log-probabilities under teacher forcing, i.e. the
 * log-likelihood of the whole label sequence (EOS included); it is not divided by the length, so
 * that scores are comparable log-probabilities of complete outputs. The encoder runs once per
 * input, and the decoder runs once over all B·C (input, label) pairs: pair {@code b·C + c} attends
 * to encoder row b without the encoder output being copied C times.
 */
final class LabelScorer {

  private LabelScorer() {}

  /**
   * Scores every label for every input.
   *
   * @param inputsEmbeds (B, L, d) encoder input embeddings (soft prompt first, if any)
   * @param mask (B, L) 1 for real positions
   * @param labelIds C label token sequences, each non-empty and normally ending with EOS
   */
  static LabelScores score(
      T5Model model, NDManager scope, NDArray inputsEmbeds, NDArray mask, long[][] labelIds) {
    validate(labelIds, model.vocabSize());
    int batch = (int) inputsEmbeds.getShape().get(0);
    NDArray encoderHidden = model.encoder().forward(inputsEmbeds, mask); // (B, L, d)
    T5Decoder.Memory memory = model.decoder().memory(encoderHidden, mask);
    NDArray labels =
        scope.create(pairLabels(labelIds, batch), pairShape(labelIds, batch)); // (B·C,S)
    NDArray decoderInput = model.lookup(model.shiftRight(labels)); // (B·C, S, d)
    NDArray hidden = model.decoder().forward(decoderInput, memory, null); // (B·C, S, d)
    NDArray logp = TeacherForcing.tokenLogProbs(model.logits(hidden), labels); // (B·C, S)
    return best(logp.sum(new int[] {1}).toFloatArray(), batch, labelIds.length);
  }

  /** Labels of all (input, label) pairs, right-padded with the ignore index. */
  private static long[] pairLabels(long[][] labelIds, int batch) {
    int length = maxLength(labelIds);
    long[] out = new long[batch * labelIds.length * length];
    Arrays.fill(out, TeacherForcing.IGNORE_INDEX);
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < labelIds.length; c++) {
        int row = b * labelIds.length + c;
        System.arraycopy(labelIds[c], 0, out, row * length, labelIds[c].length);
      }
    }
    return out;
  }

  private static Shape pairShape(long[][] labelIds, int batch) {
    return new Shape((long) batch * labelIds.length, maxLength(labelIds));
  }

  private static int maxLength(long[][] labelIds) {
    return Arrays.stream(labelIds).mapToInt(l -> l.length).max().orElse(0);
  }

  private static LabelScores best(float[] flat, int batch, int labels) {
    float[][] scores = new float[batch][];
    int[] best = new int[batch];
    for (int b = 0; b < batch; b++) {
      scores[b] = Arrays.copyOfRange(flat, b * labels, (b + 1) * labels);
      for (int c = 1; c < labels; c++) {
        if (scores[b][c] > scores[b][best[b]]) {
          best[b] = c;
        }
      }
    }
    return new LabelScores(scores, best);
  }

  private static void validate(long[][] labelIds, int vocabSize) {
    if (labelIds.length == 0) {
      throw new IllegalArgumentException("rank classification needs at least one label");
    }
    for (int c = 0; c < labelIds.length; c++) {
      if (labelIds[c].length == 0) {
        throw new IllegalArgumentException("label " + c + " has no tokens");
      }
      for (long id : labelIds[c]) {
        if (id < 0 || id >= vocabSize) {
          throw new IllegalArgumentException(
              "label " + c + " has token id " + id + " outside [0, " + vocabSize + ")");
        }
      }
    }
  }
}
