package io.mptj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mptj.testing.Reliability;
import io.mptj.testing.TinyPromptModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same prompt-tuning step on the same batch, repeated: every loss and gradient must be
 * bit-identical (issue 13: a finite loss with a garbage or NaN gradient, now and then; see
 * docs/RELIABILITY.md, "Garbage gradients"). {@code -Dmptj.repeats=N} (3,000).
 */
@Reliability
class GradientDeterminismTest {

  @TempDir Path work;

  @Test
  void theSameStepGivesTheSameGradientEveryTime() {
    int repeats = Integer.getInteger("mptj.repeats", 3000);
    try (TinyPromptModel tiny = new TinyPromptModel(work)) {
      TinyPromptModel.Step first = tiny.step(() -> {});
      List<String> seen = new ArrayList<>();
      int differ = 0;
      for (int r = 1; r < repeats; r++) {
        TinyPromptModel.Step now = tiny.step(() -> {});
        if (now.loss() != first.loss()
            || !Arrays.equals(now.promptGradient(), first.promptGradient())) {
          differ++;
          if (seen.size() < 10) {
            seen.add(describe(r, now, first));
          }
        }
      }
      assertEquals(0, differ, "of " + repeats + " repeats, steps differed: " + seen);
    }
  }

  private static String describe(int r, TinyPromptModel.Step now, TinyPromptModel.Step first) {
    double norm = 0;
    double ref = 0;
    int elements = 0;
    for (int i = 0; i < now.promptGradient().length; i++) {
      norm += now.promptGradient()[i] * now.promptGradient()[i];
      ref += first.promptGradient()[i] * first.promptGradient()[i];
      elements += now.promptGradient()[i] != first.promptGradient()[i] ? 1 : 0;
    }
    return String.format(
        "repeat %d: loss %s vs %s, |g| %.6g vs %.6g, %d of %d elements",
        r,
        now.loss(),
        first.loss(),
        Math.sqrt(norm),
        Math.sqrt(ref),
        elements,
        now.promptGradient().length);
  }
}
