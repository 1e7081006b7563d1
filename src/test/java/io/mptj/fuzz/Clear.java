package io.mptj.fuzz;

import io.mptj.engine.CheckpointException;
import io.mptj.task.DataException;

/** What a fuzzed loader may end in: success, or one of the project's clear errors. */
final class Clear {
  private Clear() {}

  /**
   * Runs {@code body}; a {@link CheckpointException}, {@link DataException} or {@link
   * IllegalArgumentException} whose message names {@code mustName} is a clear error and passes;
   * anything else (a NullPointerException, an IndexOutOfBounds, an error of the JVM) fails.
   *
   * @return true when the body succeeded, false when it ended in a clear error
   */
  static boolean errorOrSuccess(String mustName, ThrowingRunnable body) {
    try {
      body.run();
      return true;
    } catch (CheckpointException | DataException | IllegalArgumentException e) {
      String m = e.getMessage();
      if (m == null || m.isBlank() || (mustName != null && !m.contains(mustName))) {
        throw new AssertionError("an error that does not name " + mustName + ": " + m, e);
      }
      return false;
    } catch (Exception e) {
      throw new AssertionError("not a clear error: " + e, e);
    }
  }

  /** A body that may throw. */
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
