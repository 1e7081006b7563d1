package io.mptj.task;

/**
 * The input of an encoder (BERT-style) model: one text, or a text pair encoded as two segments.
 *
 * @param text the first segment
 * @param pair the second segment, or {@code null} for single-text tasks
 */
public record EncoderInput(String text, String pair) {
  /** Checks the first segment is present. */
  public EncoderInput {
    if (text == null) {
      throw new IllegalArgumentException("encoder input needs a text");
    }
  }
}
