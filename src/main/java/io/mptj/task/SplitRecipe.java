package io.mptj.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a task's original files become train/dev/test, following the MPT paper (arXiv 2303.02861,
 * p.16: "for small datasets we split the original dev set in half; otherwise we carve a dev set out
 * of train and use the original dev set as test") as ATTEMPT's {@code AbstractTask.get} implements
 * it with {@code split_validation_test=True}: the shuffles are {@code torch.randperm} with the seed
 * (42 in the paper's runs; see {@link TorchPermutation}), and the shuffled order is kept.
 */
public enum SplitRecipe {
  /**
   * Small datasets (CoLA, STS-B, MRPC, RTE, BoolQ, CB, COPA, MultiRC, WiC, WSC, SciTail): train is
   * the original train; the original validation set, shuffled, gives its first {@code n/2} to dev
   * and the rest to test.
   */
  HALVE_VALIDATION,
  /**
   * Large datasets (QQP, QNLI, SST-2, ReCoRD, SQuAD, WinoGrande, Yelp): the first 1,000 of the
   * shuffled train set are dev, the rest train; the original validation set is test.
   */
  CARVE_TRAIN,
  /** MNLI: train as is, dev = validation_mismatched, test = validation_matched. */
  MNLI,
  /** Datasets with a labelled test set and neither list in ATTEMPT (PAWS): the original splits. */
  ORIGINAL;

  /** The number of train examples carved out as dev by {@link #CARVE_TRAIN}. */
  public static final int CARVED_DEV_SIZE = 1000;

  /**
   * Applies the recipe.
   *
   * @param files examples per original split ("train", "validation", "test", or MNLI's
   *     "validation_matched" / "validation_mismatched")
   * @param heldOut the original split that plays the validation set's role, normally "validation"
   * @param seed the shuffle seed
   * @param trainCap the most train examples to keep (the first ones after splitting), or 0 for all
   * @param problems the errors for a missing original split and an unlabelled example, naming the
   *     file
   */
  Splits apply(
      Map<String, List<Example>> files,
      String heldOut,
      long seed,
      int trainCap,
      Problems problems) {
    return apply(files, heldOut, seed, trainCap, problems, false);
  }

  /**
   * Applies the recipe; with {@code testOptional}, a large dataset whose validation file is absent
   * still gets its train and carved dev splits, and an empty test split.
   */
  Splits apply(
      Map<String, List<Example>> files,
      String heldOut,
      long seed,
      int trainCap,
      Problems problems,
      boolean testOptional) {
    Splits s =
        switch (this) {
          case HALVE_VALIDATION ->
              halve(need(files, "train", problems), need(files, heldOut, problems), seed);
          case CARVE_TRAIN ->
              carve(
                  need(files, "train", problems),
                  testOptional && !files.containsKey(heldOut)
                      ? List.of()
                      : need(files, heldOut, problems),
                  seed);
          case MNLI ->
              new Splits(
                  need(files, "train", problems),
                  need(files, "validation_mismatched", problems),
                  need(files, "validation_matched", problems));
          case ORIGINAL ->
              new Splits(
                  need(files, "train", problems),
                  need(files, heldOut, problems),
                  need(files, "test", problems));
        };
    if (trainCap > 0 && s.train().size() > trainCap) {
      return new Splits(s.train().subList(0, trainCap), s.dev(), s.test());
    }
    return s;
  }

  private static Splits halve(List<Example> train, List<Example> validation, long seed) {
    List<Example> shuffled = shuffled(validation, seed);
    int half = shuffled.size() / 2;
    return new Splits(train, shuffled.subList(0, half), shuffled.subList(half, shuffled.size()));
  }

  private static Splits carve(List<Example> train, List<Example> validation, long seed) {
    List<Example> shuffled = shuffled(train, seed);
    int dev = Math.min(CARVED_DEV_SIZE, shuffled.size());
    return new Splits(shuffled.subList(dev, shuffled.size()), shuffled.subList(0, dev), validation);
  }

  /** The examples in the order of {@code torch.randperm(n)} with the seed. */
  public static List<Example> shuffled(List<Example> examples, long seed) {
    int[] perm = TorchPermutation.of(examples.size(), seed);
    List<Example> out = new ArrayList<>(perm.length);
    for (int i : perm) {
      out.add(examples.get(i));
    }
    return out;
  }

  /** The errors a recipe raises, made by the code that knows the task's files. */
  interface Problems {
    /** Original split {@code split} has no file. */
    DataException missing(String split);

    /** Original split {@code split} has an unlabelled example, so it cannot be split. */
    DataException unlabelled(String split, String exampleId);
  }

  private static List<Example> need(
      Map<String, List<Example>> files, String split, Problems problems) {
    List<Example> e = files.get(split);
    if (e == null) {
      throw problems.missing(split);
    }
    for (Example x : e) {
      if (!x.labelled()) {
        throw problems.unlabelled(split, x.id());
      }
    }
    return e;
  }
}
