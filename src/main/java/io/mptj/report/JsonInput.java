package io.mptj.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads report inputs (JSON files and lines) as {@link JsonFields} that fail with a {@link
 * ReportException}.
 */
final class JsonInput {
  private JsonInput() {}

  /** Reads a whole JSON file whose top level is an object; {@code NaN} is allowed. */
  static JsonFields read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReportException(file + ": file not found");
    }
    try {
      return top(file, 0, Json.LENIENT.readTree(file.toFile()));
    } catch (IOException e) {
      throw new ReportException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Wraps a parsed top-level value, which must be an object; {@code line} is 0 for a whole file.
   */
  static JsonFields top(Path file, long line, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ReportException(file + (line > 0 ? ":" + line : "") + ": expected a JSON object");
    }
    return JsonFields.of(file, line, node, ReportException::new);
  }
}
