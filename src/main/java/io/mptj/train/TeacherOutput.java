package io.mptj.train;

/**
 * What distillation needs of a frozen teacher's output on one example, kept on the host so that
 * each training example's teacher pass runs once (the teacher prompts never change).
 *
 * @param logits encoder: class logits (C); seq2seq: the teacher's top-k log-probabilities per
 *     target position, flattened (S·k)
 * @param ids seq2seq: the vocabulary ids of those top-k entries (S·k); empty for encoders
 * @param hidden hidden states the student is pulled towards: encoder: the pooled output (d);
 *     seq2seq: the mean-pooled encoder output (d) followed by the decoder states at the target
 *     positions (S·d)
 */
public record TeacherOutput(float[] logits, int[] ids, float[] hidden) {}
