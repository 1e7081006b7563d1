package io.mptj.method;

/**
 * What a target-adaptation method starts from, among the paper's stages (a closed set: the
 * pipeline's stages).
 */
public enum Upstream {
  /** Nothing: a fresh module. */
  NONE,
  /** One source task's run of {@code mptj source} (e.g. SPoT). */
  SOURCE_RUN,
  /**
   * The output of {@code mptj source}: every source task's prompt, listed in teachers.json
   * (ATTEMPT).
   */
  SOURCES,
  /** A run of {@code mptj distill} (MPT). */
  DISTILL_RUN
}
