package io.mptj.task;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * How a task's examples become model inputs and targets: the text-to-text source and target as
 * ATTEMPT casts them for T5 ({@code "rte sentence1: … sentence2: …"} → {@code "0"}), and the text
 * or text pair of an encoder model.
 *
 * @param kind classification, regression or generation
 * @param classes the number of classes (0 unless classification)
 * @param t5Prefix ATTEMPT's prefix, its name of the task
 * @param t5Parts the "key: text" parts after the prefix
 * @param encoder the encoder input of an example
 * @param answerText how an answer becomes a T5 target (SQuAD pads punctuation)
 */
public record Templates(
    TaskKind kind,
    int classes,
    String t5Prefix,
    Function<Example, List<String>> t5Parts,
    Function<Example, EncoderInput> encoder,
    Function<String, String> answerText) {
  /** STS-B's targets: the scores 0.0 to 5.0 in steps of 0.2. */
  private static final int STSB_TARGETS = 26;

  /** The input of an encoder model: one text or a text pair. */
  public EncoderInput encoderInput(Example e) {
    return encoder.apply(e);
  }

  /** The T5 source text as ATTEMPT builds it, e.g. {@code "rte sentence1: … sentence2: …"}. */
  public String t5Source(Example e) {
    return T5Text.join(t5Prefix, t5Parts.apply(e));
  }

  /**
   * The T5 target: the class index as a digit string ("0", "1", "2"), the STS-B score rounded to
   * 0.2 ("3.4"), or the (first) answer text.
   */
  public String t5Target(Example e) {
    return switch (e.label()) {
      case Label.ClassIndex(int index) -> Integer.toString(index);
      case Label.Score(double value) -> T5Text.stsbTarget(value);
      case Label.Answers(List<String> texts) -> answerText.apply(texts.getFirst());
      case Label.None none ->
          throw new IllegalArgumentException("example " + e.id() + " is unlabelled");
    };
  }

  /**
   * The target strings a T5 model ranks for classification: "0".."n-1", or STS-B's 26 values
   * "0.0".."5.0"; empty for generation.
   */
  public List<String> t5LabelStrings() {
    return switch (kind) {
      case CLASSIFICATION ->
          Stream.iterate(0, i -> i + 1).limit(classes).map(String::valueOf).toList();
      case REGRESSION ->
          Stream.iterate(0, i -> i + 1)
              .limit(STSB_TARGETS)
              .map(i -> T5Text.stsbTarget(i / 5.0))
              .toList();
      case GENERATION -> List.of();
    };
  }

  /** The class a generated T5 target names, or -1 when it names none (an invalid answer). */
  public int t5ToClass(String generated) {
    return kind == TaskKind.CLASSIFICATION ? t5LabelStrings().indexOf(generated.strip()) : -1;
  }
}
