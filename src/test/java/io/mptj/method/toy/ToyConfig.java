package io.mptj.method.toy;

import io.mptj.engine.Knob;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodConfig;
import io.mptj.method.PromptKnobs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the test-only method: a prompt length, its own learning rate and its own knob.
 *
 * @param promptLength P
 * @param lr the scale vector's rate (group {@link ScaledPrompt#GROUP})
 * @param toyScale the initial value of every scale
 */
record ToyConfig(int promptLength, double lr, double toyScale) implements MethodConfig {

  static final Knob TOY_SCALE =
      Knob.of("toy_scale", "toyScale", Knob.Type.DOUBLE, 1.0, "initial scale of the toy prompt");

  static final Knob TOY_LR =
      Knob.of("toy_lr", "toyLr", Knob.Type.DOUBLE, 0.1, "learning rate of the toy scales");

  static final List<Knob> KNOBS = List.of(PromptKnobs.PROMPT_LENGTH, TOY_LR, TOY_SCALE);

  static ToyConfig from(SettingsMap s) {
    return new ToyConfig(s.integer("prompt_length"), s.real("toy_lr"), s.real("toy_scale"));
  }

  @Override
  public int virtualTokens() {
    return promptLength;
  }

  @Override
  public ToyConfig withVirtualTokens(int length) {
    return new ToyConfig(length, lr, toyScale);
  }

  @Override
  public Map<String, Double> learningRates() {
    return Map.of(ScaledPrompt.GROUP, lr);
  }

  @Override
  public Map<String, Object> saved() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("promptLength", promptLength);
    m.put("toyLr", lr);
    m.put("toyScale", toyScale);
    return m;
  }
}
