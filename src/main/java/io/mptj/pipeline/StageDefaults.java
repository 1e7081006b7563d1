package io.mptj.pipeline;

import io.mptj.backbone.BackboneFamily;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The defaults that depend on the stage and the backbone's family, over each setting's own default
 * (the BERT-family value, measured on all-MiniLM-L6-v2; see README "Defaults"): the family's own
 * ({@link BackboneFamily#stageDefaults}; T5 takes the paper's, Appendix A), and the paper's
 * two-speed target adaptation (u, v at 0.4).
 */
final class StageDefaults {
  private StageDefaults() {}

  /** Setting values by key for a backbone family and stage. */
  static Map<String, Object> of(BackboneFamily family, Stage stage) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr_task", stage == Stage.ADAPT ? 0.4 : 0.3);
    d.putAll(family.stageDefaults(stage.name().toLowerCase(java.util.Locale.ROOT)));
    return d;
  }
}
