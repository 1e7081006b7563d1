package io.mptj.task.read;

import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.ReadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads comma-separated files as RFC 4180 defines them (https://www.rfc-editor.org/rfc/rfc4180):
 * fields may be enclosed in double quotes, a doubled quote inside one stands for a quote, and a
 * quoted field may span lines. This is the format of the Yelp polarity files of Zhang et al. (2015)
 * ("The review texts are escaped using double quotes, and any internal double quote is escaped by 2
 * double quotes", their readme.txt) and of user CSV files. The file is strict UTF-8 (a byte-order
 * mark at the start is dropped); it is split into fields as bytes, which is safe because UTF-8
 * never uses the bytes of quote, comma, CR or LF inside a multi-byte character, and each field is
 * decoded on its own so that an encoding error names its line.
 */
public final class CsvReader {
  private CsvReader() {}

  /** Turns one record into an example; {@code index} is the 0-based record number. */
  @FunctionalInterface
  public interface RecordMapper {
    Example map(TsvReader.Row record, int index);
  }

  /**
   * Reads every record of {@code file}.
   *
   * @param columns with a header: the columns it must contain; without: the names of all columns
   */
  public static ReadResult read(
      Path file, List<String> columns, boolean header, RecordMapper mapper) {
    List<Example> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      Parser p = new Parser(in, file);
      List<String> names = header ? null : columns;
      Map<String, Integer> index = header ? null : TsvReader.indexOf(columns);
      List<String> fields;
      while ((fields = p.next()) != null) {
        if (names == null) {
          names = fields;
          index = TsvReader.header(file, p.recordLine, fields.toArray(String[]::new), columns);
          continue;
        }
        checkWidth(file, p.recordLine, names, fields);
        var row = new TsvReader.Row(file, p.recordLine, index, fields.toArray(String[]::new));
        out.add(mapper.map(row, out.size()));
      }
      if (p.line == 0) {
        throw DataException.inFile(file, "file is empty");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    if (out.isEmpty()) {
      throw DataException.inFile(file, "has no data rows");
    }
    return new ReadResult(file, out, List.of(), null);
  }

  /** Every record has as many fields as the header (duplicate names included) or column list. */
  private static void checkWidth(Path file, long line, List<String> names, List<String> fields) {
    if (fields.size() != names.size()) {
      throw DataException.at(
          file,
          line,
          null,
          "expected "
              + names.size()
              + " comma-separated fields "
              + names
              + ", got "
              + fields.size());
    }
  }

  /** A byte-level RFC 4180 record parser that counts lines and decodes each field strictly. */
  private static final class Parser {
    private final InputStream in;
    private final Path file;
    private final CharsetDecoder decoder = TextLines.strictUtf8();
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] field = new byte[1 << 12];
    private int length;
    long line;
    long recordLine;
    private int pending = -2;

    Parser(InputStream in, Path file) {
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
      length = 0;
      long fieldLine = line;
      while (true) {
        if (c == '"' && length == 0) {
          c = quoted();
        } else if (c == ',') {
          fields.add(decode(fieldLine));
          fieldLine = line;
          c = read();
        } else if (c == '\n' || c == '\r' || c < 0) {
          fields.add(decode(fieldLine));
          if (c >= 0) {
            pending = skipNewline(c);
          }
          return fields;
        } else {
          append(c);
          c = read();
        }
      }
    }

    private int quoted() throws IOException {
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
                  file, line, null, "unexpected text after a closing quote: " + shown(d));
            }
            return d;
          }
        }
        if (c == '\n') {
          line++;
        }
        append(c);
      }
    }

    private static String shown(int b) {
      return b < 0x80 ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
    }

    private void append(int b) {
      if (length == field.length) {
        field = Arrays.copyOf(field, length * 2);
      }
      field[length++] = (byte) b;
    }

    /** The field's bytes as strict UTF-8; an error names the line of the bad byte. */
    private String decode(long fieldLine) {
      ByteBuffer bytes = ByteBuffer.wrap(field, 0, length);
      CharBuffer chars = CharBuffer.allocate(length);
      decoder.reset();
      CoderResult r = decoder.decode(bytes, chars, true);
      if (!r.isError()) {
        r = decoder.flush(chars);
      }
      if (r.isError()) {
        long at = fieldLine + newlines(bytes.position());
        throw DataException.at(file, at, null, "not valid UTF-8 text (" + r + ")");
      }
      length = 0;
      return chars.flip().toString();
    }

    private long newlines(int upTo) {
      long n = 0;
      for (int i = 0; i < upTo; i++) {
        n += field[i] == '\n' ? 1 : 0;
      }
      return n;
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
      if (pos == end && !fill()) {
        return -1;
      }
      return chunk[pos++] & 0xff;
    }

    /** Reads the next chunk; the first one starts line 1 and drops a byte-order mark. */
    private boolean fill() throws IOException {
      int n = in.read(chunk);
      pos = 0;
      end = Math.max(n, 0);
      if (line == 0 && end > 0) {
        line = 1;
        while (end < 3 && (n = in.read(chunk, end, 3 - end)) > 0) {
          end += n;
        }
        if (end >= 3
            && (chunk[0] & 0xff) == 0xEF
            && (chunk[1] & 0xff) == 0xBB
            && (chunk[2] & 0xff) == 0xBF) {
          pos = 3;
        }
      }
      return pos < end || (end > 0 && fill());
    }
  }
}
