package io.mptj.testing;

import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodRegistry;
import io.mptj.pipeline.Stage;
import io.mptj.pipeline.StageSettings;
import java.util.Map;

/**
 * Stage settings for tests: a family's defaults with the given values, as the CLI resolves them.
 */
public final class TestSettings {
  private TestSettings() {}

  /**
   * @param family {@code bert} or {@code t5}
   * @param method a registered tuning method
   * @param values settings by key (flag names in snake case)
   */
  public static StageSettings of(String family, Stage stage, String method, Map<String, ?> values) {
    return StageSettings.resolve(
        io.mptj.backbone.BackboneFamilies.named(family),
        stage,
        MethodRegistry.get(method),
        SettingsMap.of(values, StageSettings.allKnobs(), "test"));
  }

  /** The same learning rate for every parameter group of the built-in methods and the heads. */
  public static Map<String, Double> allGroups(double lr) {
    return Map.of(
        io.mptj.method.pt.SoftPrompt.GROUP,
        lr,
        io.mptj.method.mpt.MultitaskPrompt.SHARED_GROUP,
        lr,
        io.mptj.method.mpt.MultitaskPrompt.TASK_GROUP,
        lr,
        io.mptj.method.Parameter.HEAD_GROUP,
        lr);
  }
}
