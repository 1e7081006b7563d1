package io.mptj.train;

/**
 * One tokenized training or evaluation example, ready for batching.
 *
 * @param task index of the example's task within the model's task list
 * @param index index of the example within its task's split (the teacher cache's key)
 * @param ids input token ids with special tokens (T)
 * @param typeIds segment ids (T)
 * @param label class index, or -1 (regression, generation or unlabelled)
 * @param target regression value (NaN unless regression)
 * @param targetIds seq2seq target token ids ending with EOS, or an empty array for encoders
 */
public record Instance(
    int task, int index, long[] ids, long[] typeIds, int label, float target, long[] targetIds) {

  /** Input length in tokens. */
  public int length() {
    return ids.length;
  }
}
