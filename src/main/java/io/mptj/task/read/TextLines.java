package io.mptj.task.read;

import io.mptj.task.DataException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a text file line by line as strict UTF-8 (a byte-order mark at the start is dropped), with
 * 1-based line numbers. Lines end at {@code \n}, {@code \r\n} or {@code \r}, as in Python's
 * universal-newline mode that the reference loaders use. Empty lines at the end of a file are
 * ignored (so a final newline, or a few, end the file quietly); an empty line elsewhere is passed
 * on as {@code ""}. Only a line with no characters at all is empty: a line of whitespace, such as a
 * TSV row of empty fields ({@code "\t\t\t"}), is a row and passed on as written. An empty file is
 * an error.
 */
final class TextLines {
  private TextLines() {}

  /** Receives one line and its 1-based number. */
  @FunctionalInterface
  interface LineConsumer {
    void accept(String line, long number);
  }

  /** Calls {@code consumer} for every line but trailing empty ones. */
  static void forEach(Path file, LineConsumer consumer) {
    try (InputStream in = Files.newInputStream(file)) {
      var lines = new Lines(in, file);
      long empties = 0;
      String line;
      while ((line = lines.next()) != null) {
        long number = lines.number;
        if (number == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isEmpty()) {
          empties++;
          continue;
        }
        for (long b = empties; b > 0; b--) {
          consumer.accept("", number - b);
        }
        empties = 0;
        consumer.accept(line, number);
      }
      if (lines.number == empties) {
        throw DataException.inFile(file, "file is empty");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Splits bytes into lines and decodes each strictly, so an encoding error has its line. */
  private static final class Lines {
    private final InputStream in;
    private final Path file;
    private final CharsetDecoder decoder = strictUtf8();
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[1 << 12];
    long number;

    Lines(InputStream in, Path file) {
      this.in = in;
      this.file = file;
    }

    /** The next line without its terminator, or null at the end. */
    String next() throws IOException {
      int len = 0;
      boolean any = false;
      while (true) {
        if (pos == end && !fill()) {
          return any ? decode(len) : null;
        }
        any = true;
        byte b = chunk[pos++];
        if (b == '\n') {
          return decode(len);
        }
        if (b == '\r') {
          if ((pos < end || fill()) && chunk[pos] == '\n') {
            pos++;
          }
          return decode(len);
        }
        if (len == line.length) {
          line = Arrays.copyOf(line, len * 2);
        }
        line[len++] = b;
      }
    }

    private boolean fill() throws IOException {
      end = in.read(chunk);
      pos = 0;
      if (end <= 0) {
        end = 0;
        return false;
      }
      return true;
    }

    private String decode(int len) {
      number++;
      try {
        return decoder.reset().decode(ByteBuffer.wrap(line, 0, len)).toString();
      } catch (CharacterCodingException e) {
        throw DataException.at(file, number, null, "not valid UTF-8 text (" + e + ")");
      }
    }
  }

  /** A strict UTF-8 reader of a file. */
  static BufferedReader open(Path file) throws IOException {
    return new BufferedReader(
        new InputStreamReader(Files.newInputStream(file), strictUtf8()), 1 << 16);
  }

  /** A UTF-8 decoder that reports malformed or unmappable input instead of replacing it. */
  static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }
}
