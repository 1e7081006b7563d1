package io.mptj.method;

import java.util.Map;

/**
 * A tuning method's own resolved settings (an immutable record per method, validated when built).
 */
public interface MethodConfig {

  /** Positions the method prepends to every input (its prompt length; 0 for none). */
  int virtualTokens();

  /**
   * This config with the prompt length of the prompt a run starts from (a teacher, P*, a source
   * prompt); methods without a prompt return themselves.
   */
  MethodConfig withVirtualTokens(int length);

  /** The base learning rate of each parameter group the method's modules declare. */
  Map<String, Double> learningRates();

  /**
   * Whether and how a target run picks the one upstream task it starts from ({@link
   * TuningMethod.Init#source()}), instead of the method's default.
   */
  default SourceChoice sourceChoice() {
    return SourceChoice.NONE;
  }

  /** The values as saved under {@code hyper} in config.json. */
  Map<String, Object> saved();
}
