package io.mptj.report;

import ai.djl.ndarray.NDManager;
import io.mptj.engine.Devices;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import java.nio.file.Path;
import java.util.List;

/**
 * Cosine similarity between adapted task prompts, each flattened from (P, d) to one vector, as in
 * the prompt analysis of arXiv 2303.02861 (Figure 4 right).
 */
public final class PromptSimilarity {
  private PromptSimilarity() {}

  /**
   * The cosine of the angle between two vectors of equal length.
   *
   * @throws IllegalArgumentException when the lengths differ or a vector is all zeros
   */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "prompts differ in size: " + a.length + " vs " + b.length + " values");
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    if (na == 0 || nb == 0) {
      throw new IllegalArgumentException("cosine is undefined for an all-zero prompt");
    }
    return dot / Math.sqrt(na * nb);
  }

  /** The symmetric matrix of pairwise cosines (so the diagonal is 1 up to rounding). */
  public static double[][] matrix(List<float[]> prompts) {
    int n = prompts.size();
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        m[i][j] = cosine(prompts.get(i), prompts.get(j));
        m[j][i] = m[i][j];
      }
    }
    return m;
  }

  /**
   * The flattened (P·d) prompt of task index 0 of the PEFT adapter in a run directory; for MPT the
   * folded {@code P* ∘ (u vᵀ)}.
   *
   * @throws io.mptj.engine.CheckpointException naming the file when the adapter is absent or bad
   */
  public static float[] prompt(Path runDir) {
    try (NDManager m = Devices.newManager();
        PromptModule module = PeftAdapter.load(runDir, m)) {
      return module.taskPrompt(m, 0).toFloatArray();
    }
  }
}
