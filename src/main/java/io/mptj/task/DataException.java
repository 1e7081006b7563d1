package io.mptj.task;

import java.nio.file.Path;

/**
 * Bad or missing task data. The message names the file, and the line and field when known, so a
 * user can open the file at the right place.
 */
public final class DataException extends RuntimeException {

  /** An error about the data in general, e.g. a missing directory. */
  public DataException(String message) {
    super(message);
  }

  /** An error about a whole file, e.g. an empty one. */
  public static DataException inFile(Path file, String what) {
    return new DataException(file + ": " + what);
  }

  /** An error at a line (1-based) of a file, about one field ({@code null} for the whole line). */
  public static DataException at(Path file, long line, String field, String what) {
    String where = field == null ? "" : " field '" + field + "':";
    return new DataException(file + ":" + line + ":" + where + " " + what);
  }
}
