package io.mptj.task;

import java.util.List;

/**
 * A model's predictions for a list of examples, in the same order: class indices for classification
 * (an index outside the label list marks an invalid answer), values for regression, texts for
 * generation.
 */
public sealed interface Predictions {

  /** How many predictions there are. */
  int size();

  /** Class indices. */
  record Classes(int[] indices) implements Predictions {
    /** Copies the array. */
    public Classes {
      indices = indices.clone();
    }

    @Override
    public int size() {
      return indices.length;
    }
  }

  /** Real values. */
  record Values(double[] values) implements Predictions {
    /** Copies the array. */
    public Values {
      values = values.clone();
    }

    @Override
    public int size() {
      return values.length;
    }
  }

  /** Generated texts. */
  record Texts(List<String> texts) implements Predictions {
    /** Copies the list. */
    public Texts {
      texts = List.copyOf(texts);
    }

    @Override
    public int size() {
      return texts.size();
    }
  }

  /** Class-index predictions. */
  static Predictions classes(int... indices) {
    return new Classes(indices);
  }

  /** Regression predictions. */
  static Predictions values(double... values) {
    return new Values(values);
  }

  /** Text predictions. */
  static Predictions texts(List<String> texts) {
    return new Texts(texts);
  }
}
