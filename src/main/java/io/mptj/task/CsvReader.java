package io.mptj.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads comma-separated files as RFC 4180 defines them (https://www.rfc-editor.org/rfc/rfc4180):
 * fields may be enclosed in double quotes, a doubled quote inside one stands for a quote, and a
 * quoted field may span lines. This is the format of the Yelp polarity files of Zhang et al. (2015)
 * ("The review texts are escaped using double quotes, and any internal double quote is escaped by 2
 * double quotes", their readme.txt) and of user CSV files.
 */
final class CsvReader {
  private CsvReader() {}

  /** Turns one record into an example; {@code index} is the 0-based record number. */
  @FunctionalInterface
  interface RecordMapper {
    Example map(TsvReader.Row record, int index);
  }

  /**
   * Reads every record of {@code file}.
   *
   * @param columns with a header: the columns it must contain; without: the names of all columns
   */
  static ReadResult read(Path file, List<String> columns, boolean header, RecordMapper mapper) {
    List<Example> out = new ArrayList<>();
    try (BufferedReader in = TextLines.open(file)) {
      Parser p = new Parser(in, file);
      Map<String, Integer> index = header ? null : TsvReader.indexOf(columns);
      List<String> fields;
      while ((fields = p.next()) != null) {
        if (index == null) {
          index = TsvReader.header(file, p.recordLine, fields.toArray(String[]::new), columns);
          continue;
        }
        if (fields.size() != index.size()) {
          throw DataException.at(
              file,
              p.recordLine,
              null,
              "expected "
                  + index.size()
                  + " comma-separated fields "
                  + index.keySet()
                  + ", got "
                  + fields.size());
        }
        var row = new TsvReader.Row(file, p.recordLine, index, fields.toArray(String[]::new));
        out.add(mapper.map(row, out.size()));
      }
      if (p.line == 0) {
        throw DataException.inFile(file, "file is empty");
      }
    } catch (CharacterCodingException e) {
      throw DataException.inFile(file, "not valid UTF-8 text (" + e + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (out.isEmpty()) {
      throw DataException.inFile(file, "has no data rows");
    }
    return new ReadResult(file, out, List.of(), null);
  }

  /** A character-level RFC 4180 record parser that counts lines. */
  private static final class Parser {
    private final BufferedReader in;
    private final Path file;
    long line;
    long recordLine;
    private int pending = -2;

    Parser(BufferedReader in, Path file) {
      this.in = in;
      this.file = file;
    }

    /** The next record's fields, or {@code null} at the end; blank lines are skipped. */
    List<String> next() throws IOException {
      int c = read();
      while (c == '\n' || c == '\r') {
        c = skipNewline(c);
      }
      if (c < 0) {
        return null;
      }
      recordLine = line;
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      while (true) {
        if (c == '"' && field.isEmpty()) {
          c = quoted(field);
        } else if (c == ',') {
          fields.add(field.toString());
          field.setLength(0);
          c = read();
        } else if (c == '\n' || c == '\r' || c < 0) {
          fields.add(field.toString());
          if (c >= 0) {
            pending = skipNewline(c);
          }
          return fields;
        } else {
          field.append((char) c);
          c = read();
        }
      }
    }

    private int quoted(StringBuilder field) throws IOException {
      long start = line;
      while (true) {
        int c = read();
        if (c < 0) {
          throw DataException.at(file, start, null, "a quoted field is not closed");
        }
        if (c == '"') {
          int d = read();
          if (d != '"') {
            if (d >= 0 && d != ',' && d != '\n' && d != '\r') {
              throw DataException.at(
                  file, line, null, "unexpected text after a closing quote: '" + (char) d + "'");
            }
            return d;
          }
        }
        if (c == '\n') {
          line++;
        }
        field.append((char) c);
      }
    }

    private int skipNewline(int c) throws IOException {
      int d = read();
      if (c == '\r' && d == '\n') {
        d = read();
      }
      line++;
      return d;
    }

    private int read() throws IOException {
      if (pending != -2) {
        int c = pending;
        pending = -2;
        return c;
      }
      int c = in.read();
      if (line == 0 && c >= 0) {
        line = 1;
        if (c == '\uFEFF') {
          c = in.read();
        }
      }
      return c;
    }
  }
}
