package io.mptj.report;

/**
 * A report cannot be built: a listed run directory lacks a file, or a file or field is malformed.
 * The message names the file (or directory) and the field.
 */
public final class ReportException extends RuntimeException {

  /** An error whose message already names the file and field. */
  public ReportException(String message) {
    super(message);
  }

  /** An error caused by an I/O or parse failure. */
  public ReportException(String message, Throwable cause) {
    super(message, cause);
  }
}
