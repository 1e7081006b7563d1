package io.mptj.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file line by line as strict UTF-8 (a byte-order mark at the start is dropped), with
 * 1-based line numbers. Lines end at {@code \n}, {@code \r\n} or {@code \r}, as in Python's
 * universal-newline mode that the reference loaders use. Blank lines at the end of a file are
 * ignored; an empty file is an error.
 */
final class TextLines {
  private TextLines() {}

  /** Receives one line and its 1-based number. */
  @FunctionalInterface
  interface LineConsumer {
    void accept(String line, long number);
  }

  /** Calls {@code consumer} for every line but trailing blank ones. */
  static void forEach(Path file, LineConsumer consumer) {
    try (BufferedReader in = open(file)) {
      long number = 0;
      long blanks = 0;
      String line;
      while ((line = readLine(in, file, number + 1)) != null) {
        number++;
        if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          blanks++;
          continue;
        }
        for (long b = blanks; b > 0; b--) {
          consumer.accept("", number - b);
        }
        blanks = 0;
        consumer.accept(line, number);
      }
      if (number == blanks) {
        throw DataException.inFile(file, "file is empty");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** A strict UTF-8 reader of a file. */
  static BufferedReader open(Path file) throws IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    return new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16);
  }

  private static String readLine(BufferedReader in, Path file, long number) throws IOException {
    try {
      return in.readLine();
    } catch (CharacterCodingException e) {
      throw DataException.at(file, number, null, "not valid UTF-8 text (" + e + ")");
    }
  }
}
