package io.mptj.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The defaults that depend on the backbone family and the stage, over each setting's own default
 * (which is the BERT-family value, measured on all-MiniLM-L6-v2; see README "Defaults"). T5 takes
 * the paper's (Appendix A).
 */
final class StageDefaults {
  private StageDefaults() {}

  /** Setting values by key for a family ({@code bert}, {@code t5}) and stage. */
  static Map<String, Object> of(String family, Stage stage) {
    Map<String, Object> d = new LinkedHashMap<>();
    if (family.equals("t5")) {
      d.put("prompt_length", 100);
      d.put("steps", 2000);
      d.put("batch_size", 32);
      d.put("warmup", 500);
      d.put("max_length", 256);
      d.put("eval_every", 500);
    }
    d.put("lr_task", stage == Stage.ADAPT ? 0.4 : 0.3);
    return d;
  }
}
