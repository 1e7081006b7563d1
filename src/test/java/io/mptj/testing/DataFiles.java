package io.mptj.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small files in the official formats into a data directory for tests. */
public final class DataFiles {
  private DataFiles() {}

  /** Writes {@code lines} (each followed by a newline) to {@code dir/relative}. */
  public static Path write(Path dir, String relative, String... lines) {
    Path p = dir.resolve(relative);
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Writes raw bytes. */
  public static Path bytes(Path dir, String relative, byte[] content) {
    Path p = dir.resolve(relative);
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /**
   * A QQP train file whose second line is short (its label is joined to the question with a space),
   * a known quirk of the official file that the reader skips with a warning.
   */
  public static Path qqpWithAShortRow(Path dir) {
    return write(
        dir,
        "glue/QQP/train.tsv",
        "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
        "1\t2\t3\tA?\tB? 0",
        "2\t3\t4\tC?\tD?\t1");
  }
}
