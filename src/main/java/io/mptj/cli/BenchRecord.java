package io.mptj.cli;

import io.mptj.engine.Devices;
import io.mptj.engine.Json;
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
    line.put("machine", machine());
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

  /** CPU model and count, what the launcher preloaded, and the JVM. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("device", Devices.current().toString());
    m.put("allocator", System.getenv().getOrDefault("MPTJ_ALLOCATOR", "unknown"));
    m.put("mkl_shim", System.getenv().getOrDefault("LD_PRELOAD", "").contains("libmptj_mkl_shim"));
    m.put("java", Runtime.version().toString());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
