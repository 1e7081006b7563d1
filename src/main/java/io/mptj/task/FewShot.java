package io.mptj.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Few-shot training sets (MPT paper §4.2, k = 4, 16, 32; ten samples with different seeds, the mean
 * reported). The paper does not say whether k counts per class; mptj draws <b>k examples per
 * class</b> for classification (balanced, so no class is missing at k = 4) and <b>k in total</b>
 * for regression and generation. The draw shuffles with {@link TorchPermutation} and keeps the
 * first k of each class in shuffled order, so it is deterministic for a seed on every JVM, and a
 * sample for a smaller k is a subset of one for a larger k with the same seed.
 */
public final class FewShot {
  private FewShot() {}

  /**
   * k examples per class (classification) or k in total (otherwise), drawn with the seed.
   * Unlabelled examples are never drawn; a class with fewer than k examples gives all it has.
   *
   * @return the sample, in shuffled order
   */
  public static List<Example> sample(List<Example> train, int k, long seed) {
    if (k <= 0) {
      throw new IllegalArgumentException("k must be positive, got " + k);
    }
    boolean perClass = train.stream().anyMatch(e -> e.label() instanceof Label.ClassIndex);
    Map<Integer, Integer> taken = new HashMap<>();
    List<Example> out = new ArrayList<>();
    for (Example e : SplitRecipe.shuffled(train, seed)) {
      if (!e.labelled()) {
        continue;
      }
      if (!perClass) {
        out.add(e);
        if (out.size() == k) {
          break;
        }
      } else if (taken.merge(e.classIndex(), 1, Integer::sum) <= k) {
        out.add(e);
      }
    }
    return out;
  }
}
