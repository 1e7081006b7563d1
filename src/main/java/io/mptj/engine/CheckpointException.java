package io.mptj.engine;

/** A checkpoint or weight file is missing, malformed, or does not match the expected model. */
public class CheckpointException extends RuntimeException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
