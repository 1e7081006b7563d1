package io.mptj.backbone.t5;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.BackboneFamily;
import java.nio.file.Path;
import java.util.Set;

/** The T5 family: {@code model_type} {@code t5} or {@code mt5}, loaded as a {@link T5Model}. */
public final class T5Family implements BackboneFamily {

  /** The {@code model_type} values read. */
  static final Set<String> MODEL_TYPES = Set.of("t5", "mt5");

  /** Lester et al. (2021) sample prompt initialisations from the first 5,000 ids. */
  private static final int RANGE = 5000;

  @Override
  public String name() {
    return T5Model.FAMILY;
  }

  @Override
  public Set<String> modelTypes() {
    return MODEL_TYPES;
  }

  @Override
  public Backbone load(Path dir, String id) {
    return T5Model.load(dir, id);
  }

  /**
   * The paper's settings (Appendix A; ATTEMPT's lineage for warmup and evaluation): P = 100, batch
   * 32, 256 input tokens, 500 warmup steps, dev evaluation every 500 of 2,000 steps; LoRA on T5's
   * {@code q} and {@code v} (Hu et al.'s query and value) and DePT's offset over 256 positions.
   */
  @Override
  public java.util.Map<String, Object> stageDefaults(String stage) {
    return java.util.Map.of(
        "prompt_length", 100,
        "steps", 2000,
        "batch_size", 32,
        "warmup", 500,
        "max_length", 256,
        "eval_every", 500,
        "lora_targets", "q,v",
        "dept_positions", 256);
  }

  /** The first 5,000 ids (SentencePiece orders pieces by frequency), as Lester et al. */
  @Override
  public VocabRange promptInitRange(int vocabSize) {
    return new VocabRange(0, Math.min(RANGE, vocabSize));
  }
}
