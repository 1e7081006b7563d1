package io.mptj.task;

import java.nio.file.Path;
import java.util.List;

/**
 * The examples read from one file, with the lines a reader skipped as a documented quirk of the
 * official file (e.g. GLUE QQP rows with a broken separator).
 *
 * @param file the file read
 * @param examples the examples in file order
 * @param skippedLines 1-based numbers of the skipped lines
 * @param skipReason why those lines were skipped, or {@code null} when none were
 */
public record ReadResult(
    Path file, List<Example> examples, List<Long> skippedLines, String skipReason) {
  /** Copies the lists. */
  public ReadResult {
    examples = List.copyOf(examples);
    skippedLines = List.copyOf(skippedLines);
  }

  /** A warning naming the file, the first skipped lines and the count, or {@code null}. */
  public String warning() {
    if (skippedLines.isEmpty()) {
      return null;
    }
    List<Long> shown = skippedLines.subList(0, Math.min(5, skippedLines.size()));
    StringBuilder at = new StringBuilder();
    for (long line : shown) {
      at.append(at.isEmpty() ? "" : ", ").append(file).append(':').append(line);
    }
    String more = skippedLines.size() > shown.size() ? ", ..." : "";
    return "skipped "
        + skippedLines.size()
        + (skippedLines.size() == 1 ? " row" : " rows")
        + " ("
        + skipReason
        + "): "
        + at
        + more;
  }
}
