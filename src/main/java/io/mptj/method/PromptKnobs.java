package io.mptj.method;

import io.mptj.engine.Knob;

/** The settings every soft-prompt method shares, declared once so that their keys agree. */
public final class PromptKnobs {
  private PromptKnobs() {}

  /** P, the number of prompt vectors (100 in the paper). */
  public static final Knob PROMPT_LENGTH =
      Knob.of(
          "prompt_length", "promptLength", Knob.Type.INT, 20, "prompt vectors P (T5 default 100)");

  /** The learning rate of a prompt matrix (a vanilla prompt, or MPT's P*): 0.3 in the paper. */
  public static final Knob LR =
      Knob.of(
          "lr",
          "lrShared",
          Knob.Type.DOUBLE,
          0.3,
          "learning rate of the prompt (P* or a vanilla prompt)");

  /** How a fresh prompt starts. */
  public static final Knob INIT =
      Knob.choice(
          "init",
          "init",
          "vocab",
          "initial prompt: vocab (sampled vocabulary, default), random, or for distill teachers"
              + " (their mean)",
          "vocab",
          "random",
          "teachers");
}
