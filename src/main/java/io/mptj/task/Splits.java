package io.mptj.task;

import java.util.List;

/**
 * A task's train/dev/test examples after the paper's splitting (see {@link SplitRecipe}).
 *
 * @param train examples to train on
 * @param dev examples for model selection
 * @param test examples to report
 */
public record Splits(List<Example> train, List<Example> dev, List<Example> test) {
  /** Copies the lists. */
  public Splits {
    train = List.copyOf(train);
    dev = List.copyOf(dev);
    test = List.copyOf(test);
  }
}
