package io.mptj.task.read;

import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.ReadResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tab-separated files as GLUE and PAWS distribute them: one row per line, fields split on
 * every tab, no quoting (quote characters are text, as with Python's {@code csv.QUOTE_NONE} that
 * the GLUE and PAWS loaders use), a header line unless the format has none (CoLA's train and dev
 * files). Every row must have as many fields as the header; the one tolerated exception is a
 * format's documented quirk (GLUE's QQP train rows whose tab separator is broken), whose rows are
 * skipped and reported.
 *
 * <p>Sources: GLUE's {@code download_glue_data.py}; Hugging Face {@code glue.py} (QUOTE_NONE,
 * header-less CoLA, corrupted-row filter); PAWS README and Hugging Face PR #1763.
 */
public final class TsvReader {
  private TsvReader() {}

  /**
   * How to read one kind of TSV file.
   *
   * @param columns for a file with a header: the columns that must be in it; for a header-less
   *     file: the names of all its columns, in order
   * @param header whether the first line names the columns
   * @param shortRowQuirk when not {@code null}, rows with fewer fields than the header are skipped
   *     for this documented reason instead of failing
   */
  public record Format(List<String> columns, boolean header, String shortRowQuirk) {
    /** A file whose header must contain {@code columns}. */
    public static Format withHeader(String... columns) {
      return new Format(List.of(columns), true, null);
    }

    /** A header-less file whose columns are, in order, {@code columns}. */
    public static Format headerless(String... columns) {
      return new Format(List.of(columns), false, null);
    }

    /** The same format, skipping short rows for the given documented reason. */
    public Format skippingShortRows(String reason) {
      return new Format(columns, header, reason);
    }
  }

  /** Turns one row into an example; {@code index} is the 0-based row number among data rows. */
  @FunctionalInterface
  public interface RowMapper {
    Example map(Row row, int index);
  }

  /** One data row, with the file and line for error messages. */
  public record Row(Path file, long line, Map<String, Integer> index, String[] values) {
    /** The value of a column. */
    public String get(String column) {
      Integer i = index.get(column);
      if (i == null) {
        throw DataException.at(file, line, column, "no such column");
      }
      return values[i];
    }

    /** The class index of a column's value, which must be one of {@code names}. */
    public int classOf(String column, List<String> names) {
      String v = get(column);
      int i = names.indexOf(v);
      if (i < 0) {
        throw DataException.at(
            file, line, column, "expected one of " + names + ", got '" + v + "'");
      }
      return i;
    }

    /** A finite number in a column. */
    public double number(String column) {
      String v = get(column);
      try {
        double d = Double.parseDouble(v.strip());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw DataException.at(file, line, column, "expected a number, got '" + v + "'");
    }

    /** An error about one field of this row. */
    public DataException error(String column, String what) {
      return DataException.at(file, line, column, what);
    }
  }

  /** Reads every data row of {@code file}. */
  public static ReadResult read(Path file, Format format, RowMapper mapper) {
    List<Example> out = new ArrayList<>();
    List<Long> skipped = new ArrayList<>();
    State state = new State();
    if (!format.header()) {
      state.index = indexOf(format.columns());
      state.width = format.columns().size();
    }
    TextLines.forEach(
        file,
        (line, number) -> {
          String[] values = line.split("\t", -1);
          if (state.index == null) {
            state.index = header(file, number, values, format.columns());
            state.width = values.length;
            return;
          }
          int want = state.width;
          if (values.length != want) {
            if (values.length < want && format.shortRowQuirk() != null) {
              skipped.add(number);
              return;
            }
            throw DataException.at(
                file,
                number,
                null,
                "expected "
                    + want
                    + " tab-separated fields "
                    + state.index.keySet()
                    + ", got "
                    + values.length);
          }
          out.add(mapper.map(new Row(file, number, state.index, values), out.size()));
        });
    if (state.index == null || out.isEmpty()) {
      throw DataException.inFile(file, "has no data rows");
    }
    return new ReadResult(file, out, skipped, format.shortRowQuirk());
  }

  private static final class State {
    Map<String, Integer> index;
    int width;
  }

  /** Column positions from a header line, checking the required columns are there. */
  static Map<String, Integer> header(Path file, long line, String[] names, List<String> required) {
    Map<String, Integer> index = indexOf(List.of(names));
    for (String column : required) {
      if (!index.containsKey(column)) {
        throw DataException.at(
            file,
            line,
            column,
            "the header lacks this column (header: " + String.join(", ", names) + ")");
      }
    }
    return index;
  }

  /** Column name to position; the first of duplicate names wins. */
  static Map<String, Integer> indexOf(List<String> names) {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      index.putIfAbsent(names.get(i).strip(), i);
    }
    return index;
  }
}
