package io.mptj.method;

/** The settings of a method that changes the backbone's layers and prepends no prompt. */
public interface LayerConfig extends MethodConfig {

  /** No virtual tokens. */
  @Override
  default int virtualTokens() {
    return 0;
  }

  /** Nothing to resize: the config itself. */
  @Override
  default MethodConfig withVirtualTokens(int length) {
    return this;
  }
}
