package io.mptj.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.testing.FakeRuns;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptSimilarityTest {

  @Test
  void identicalPromptsHaveCosineOne() {
    float[] a = FakeRuns.random(300, 1);
    assertEquals(1.0, PromptSimilarity.cosine(a, a.clone()), 1e-9);
  }

  @Test
  void cosineIgnoresScaleAndFlipsSignForOppositePrompts() {
    float[] a = FakeRuns.random(50, 2);
    float[] scaled = new float[a.length];
    float[] opposite = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      scaled[i] = 3.5f * a[i];
      opposite[i] = -a[i];
    }
    assertEquals(1.0, PromptSimilarity.cosine(a, scaled), 1e-6);
    assertEquals(-1.0, PromptSimilarity.cosine(a, opposite), 1e-9);
    assertEquals(0.0, PromptSimilarity.cosine(new float[] {1, 0}, new float[] {0, 2}), 0);
    assertEquals(
        1 / Math.sqrt(2), PromptSimilarity.cosine(new float[] {1, 1}, new float[] {0, 5}), 1e-12);
  }

  @Test
  void matrixIsSymmetricWithUnitDiagonal() {
    List<float[]> prompts =
        List.of(FakeRuns.random(40, 3), FakeRuns.random(40, 4), FakeRuns.random(40, 5));
    double[][] m = PromptSimilarity.matrix(prompts);
    for (int i = 0; i < 3; i++) {
      assertEquals(1.0, m[i][i], 1e-9, "diagonal " + i);
      for (int j = 0; j < 3; j++) {
        assertEquals(m[i][j], m[j][i], 0);
        assertEquals(PromptSimilarity.cosine(prompts.get(i), prompts.get(j)), m[i][j], 0);
      }
    }
    assertTrue(Math.abs(m[0][1]) < 0.9, "random prompts are not parallel");
  }

  @Test
  void mismatchedOrZeroPromptsAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> PromptSimilarity.cosine(new float[3], new float[4]));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PromptSimilarity.cosine(new float[3], new float[] {1, 2, 3}));
    assertTrue(e.getMessage().contains("all-zero"), e.getMessage());
  }
}
