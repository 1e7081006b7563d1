package io.mptj.serve;

/**
 * The server's bounds, validated once: what a request may carry, how long it may wait, how much
 * work may queue.
 *
 * @param queueCapacity requests that may wait for the model thread; one more is answered 429
 * @param maxBodyBytes largest request body; a larger one is answered 413
 * @param maxInputs most inputs in one request (413 beyond)
 * @param maxInputChars most characters in one input's fields together (413 beyond); inputs within
 *     it that are longer than the run's token cap are truncated as in training
 * @param maxBatch most inputs in one forward pass (requests of every task and run are gathered)
 * @param maxWaitMillis how long the model thread waits for more requests before a pass
 * @param deadlineMillis how long a request may wait for its answer (504 beyond; its slot is freed)
 * @param fuseRuns whether runs that can share a forward pass do ({@link
 *     io.mptj.pipeline.FusedRuns}); off, each run has its own pass
 */
public record ServeLimits(
    int queueCapacity,
    int maxBodyBytes,
    int maxInputs,
    int maxInputChars,
    int maxBatch,
    int maxWaitMillis,
    int deadlineMillis,
    boolean fuseRuns) {

  /** The defaults of {@code mptj serve}. */
  public static ServeLimits defaults() {
    return new ServeLimits(256, 1 << 20, 64, 20_000, 64, 5, 30_000, true);
  }

  /** Checks every bound is positive (the wait may be 0). */
  public ServeLimits {
    require(queueCapacity > 0, "queue capacity", queueCapacity);
    require(maxBodyBytes > 0, "max body bytes", maxBodyBytes);
    require(maxInputs > 0, "max inputs", maxInputs);
    require(maxInputChars > 0, "max input chars", maxInputChars);
    require(maxBatch > 0, "max batch", maxBatch);
    require(maxWaitMillis >= 0, "max wait ms", maxWaitMillis);
    require(deadlineMillis > 0, "deadline ms", deadlineMillis);
  }

  /** The same limits with another batch size. */
  public ServeLimits withMaxBatch(int n) {
    return new ServeLimits(
        queueCapacity,
        maxBodyBytes,
        maxInputs,
        maxInputChars,
        n,
        maxWaitMillis,
        deadlineMillis,
        fuseRuns);
  }

  private static void require(boolean ok, String what, int value) {
    if (!ok) {
      throw new IllegalArgumentException("serve: " + what + " must be positive, not " + value);
    }
  }
}
