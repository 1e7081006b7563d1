package io.mptj.task;

import java.util.List;

/** The gold label of an {@link Example}: a class index, a score, answer strings, or none. */
public sealed interface Label {

  /** A class index into {@link Task#labels()}. */
  record ClassIndex(int index) implements Label {
    /** Checks the index is not negative. */
    public ClassIndex {
      if (index < 0) {
        throw new IllegalArgumentException("class index must be >= 0, got " + index);
      }
    }
  }

  /** A regression target, e.g. an STS-B similarity in [0, 5]. */
  record Score(double value) implements Label {
    /** Checks the value is finite. */
    public Score {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("score must be finite, got " + value);
      }
    }
  }

  /** Acceptable answer strings of a generation task, any of which is correct. */
  record Answers(List<String> texts) implements Label {
    /** Copies the list. */
    public Answers {
      texts = List.copyOf(texts);
    }
  }

  /** No gold label, as in unlabelled test files. */
  record None() implements Label {}

  /** The shared instance of {@link None}. */
  Label NONE = new None();
}
