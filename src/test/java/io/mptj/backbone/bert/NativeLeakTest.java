package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.TextTokenizer;
import io.mptj.engine.NativeMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 200 training steps of a soft prompt on the bundled MiniLM (forward, backward, SGD update, each
 * step in its own sub-manager) leave the number of live NDArrays in the whole process exactly
 * constant after a 10-step warm-up, and the resident set size grows by less than 64 MiB (a leaked
 * step would keep its activations, several MiB each).
 */
class NativeLeakTest {

  private static final int WARMUP = 10;
  private static final int STEPS = 200;
  private static final int PROMPT = 8;
  private static final long RSS_MARGIN = 64L << 20;

  @Test
  void forwardBackwardStepsLeaveLiveArraysAndRssFlat() {
    try (BertEncoder encoder = BertEncoder.bundledMiniLm();
        NDManager base = NDManager.newBaseManager()) {
      TextTokenizer tok = encoder.tokenizer();
      TextTokenizer.Padded batch =
          tok.pad(
              List.of(
                  tok.encode("The movie was wonderful.", null, 0),
                  tok.encode("I did not like the ending at all, it felt rushed.", null, 0),
                  tok.encode("Premise here.", "Hypothesis there.", 0),
                  tok.encode("Okay", null, 0)));
      NDArray prompt = base.randomNormal(new Shape(4, PROMPT, encoder.hiddenSize())).muli(0.1);
      prompt.setRequiresGradient(true);
      int arrays = -1;
      long rss = -1;
      for (int step = 0; step < STEPS; step++) {
        step(encoder, base, prompt, batch);
        if (step == WARMUP - 1) {
          arrays = NativeMemory.liveArrays();
          rss = NativeMemory.residentBytes();
        } else if (step >= WARMUP) {
          assertEquals(arrays, NativeMemory.liveArrays(), "live arrays after step " + step);
        }
      }
      long growth = NativeMemory.residentBytes() - rss;
      System.out.printf(
          "leak test: %d live arrays throughout, RSS grew %.1f MiB over %d steps%n",
          arrays, growth / 1048576.0, STEPS - WARMUP);
      assertTrue(rss > 0, "RSS is readable");
      assertTrue(growth < RSS_MARGIN, "RSS grew " + (growth >> 20) + " MiB");
    }
  }

  /** One SGD step on the prompt, every intermediate in a sub-manager closed at the end. */
  private static void step(
      BertEncoder encoder, NDManager base, NDArray prompt, TextTokenizer.Padded batch) {
    try (NDManager s = base.newSubManager()) {
      NDArray mask = PromptInput.extendMask(s.create(batch.mask()), PROMPT);
      NDArray types = PromptInput.extendTokenTypes(s.create(batch.typeIds()), PROMPT);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray embeds =
            PromptInput.prependEmbeddings(prompt, encoder.embed(s.create(batch.ids())));
        NDArray hidden = encoder.encode(embeds, types, mask);
        gc.backward(hidden.get(":, 0, :").square().mean());
      }
      NDArray grad = prompt.getGradient();
      grad.attach(s);
      prompt.subi(grad.mul(0.01));
      grad.muli(0);
    }
  }
}
