package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.engine.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a benchmark's line goes: standard output, and appended with the machine's description to
 * {@code <folder>/<kind>.jsonl}, so that results from different days and machines stay apart.
 */
final class BenchRecord {
  private BenchRecord() {}

  /** Prints {@code result} as one JSON line and appends it to {@code folder/kind.jsonl}. */
  static void print(String kind, Map<String, Object> result, String folder) {
    System.out.println(Json.line(result));
    if (folder == null || folder.isBlank()) {
      return;
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("at", Instant.now().toString());
    line.put("machine", Machine.describe());
    line.put("result", result);
    Path file = Path.of(folder).resolve(kind + ".jsonl");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file, Json.line(line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }
}
