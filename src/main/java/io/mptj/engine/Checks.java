package io.mptj.engine;

/** Validation of settings records: errors name the flag and the bad value. */
public final class Checks {
  private Checks() {}

  /**
   * @throws IllegalArgumentException {@code "<flag> has an invalid value: <value>"} unless ok
   */
  public static void check(boolean ok, String flag, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(flag + " has an invalid value: " + value);
    }
  }

  /** Requires {@code value > 0}. */
  public static void positive(double value, String flag) {
    check(value > 0, flag, value % 1 == 0 ? (Object) (long) value : value);
  }
}
