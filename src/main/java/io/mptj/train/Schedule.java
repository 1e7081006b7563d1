package io.mptj.train;

/**
 * Learning-rate factor per step: linear warmup from 0, then constant, linear decay to 0, or cosine
 * decay to 0 at the last step.
 *
 * @param kind decay after warmup
 * @param warmupSteps steps of linear warmup
 * @param totalSteps total optimizer steps
 */
public record Schedule(Kind kind, int warmupSteps, int totalSteps) {

  /** Decay shapes. */
  public enum Kind {
    CONSTANT,
    LINEAR,
    COSINE
  }

  public Schedule {
    if (warmupSteps < 0 || totalSteps <= 0) {
      throw new IllegalArgumentException(
          "warmup must be >= 0 and total steps > 0, got " + warmupSteps + ", " + totalSteps);
    }
  }

  /** Factor for the update at 0-based {@code step}. */
  public double factor(long step) {
    if (step < warmupSteps) {
      return (step + 1.0) / (warmupSteps + 1.0);
    }
    double progress =
        totalSteps <= warmupSteps ? 1 : (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    progress = Math.min(1, Math.max(0, progress));
    return switch (kind) {
      case CONSTANT -> 1;
      case LINEAR -> 1 - progress;
      case COSINE -> 0.5 * (1 + Math.cos(Math.PI * progress));
    };
  }
}
