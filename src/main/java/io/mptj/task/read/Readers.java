package io.mptj.task.read;

import io.mptj.engine.JsonFields;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.TaskFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Small helpers the task definitions share to map rows of original files to examples. */
public final class Readers {
  private Readers() {}

  /** How a TSV or CSV row's label becomes a {@link Label}. */
  @FunctionalInterface
  public interface RowLabel {
    Label of(TsvReader.Row row);
  }

  /** No label: unlabelled test files. */
  public static final RowLabel UNLABELLED = row -> Label.NONE;

  /** A label column holding one of {@code values}, mapped to its position. */
  public static RowLabel classColumn(String column, List<String> values) {
    return row -> new Label.ClassIndex(row.classOf(column, values));
  }

  /** A label column holding a number. */
  public static RowLabel scoreColumn(String column) {
    return row -> new Label.Score(row.number(column));
  }

  /**
   * A TSV file whose examples take their fields from columns ({@code field -> column}) and ids from
   * the split and row number.
   */
  public static TaskFiles.FileReader tsv(
      TsvReader.Format format, Map<String, String> columns, RowLabel label) {
    return (file, split) ->
        TsvReader.read(
            file,
            format,
            (row, i) -> new Example(split + "-" + i, pick(row, columns), label.of(row)));
  }

  /** A JSON Lines file with one example per line. */
  public static TaskFiles.FileReader jsonl(Function<JsonFields, Example> one) {
    return (file, split) -> JsonlReader.read(file, (object, out) -> out.accept(one.apply(object)));
  }

  /** A JSON Lines file where a line may yield several examples. */
  public static TaskFiles.FileReader jsonlMany(JsonlReader.LineMapper mapper) {
    return (file, split) -> JsonlReader.read(file, mapper);
  }

  /** Fields from name/value pairs, in order. */
  public static Map<String, String> fields(String... namesAndValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      out.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return out;
  }

  /** Text fields of a JSON object: {@code field -> json key}. */
  public static Map<String, String> texts(JsonFields object, String... fields) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String f : fields) {
      out.put(f, object.text(f));
    }
    return out;
  }

  /** A SuperGLUE-style id: the object's {@code idx} when present, else its line number. */
  public static String idx(JsonFields object) {
    return object.has("idx") ? object.node().get("idx").asText() : "line-" + object.line();
  }

  /** The "key: text" parts of a T5 source, from alternating keys and field names. */
  public static Function<Example, List<String>> parts(String... keysAndFields) {
    return e -> {
      String[] out = new String[keysAndFields.length];
      for (int i = 0; i < keysAndFields.length; i += 2) {
        out[i] = keysAndFields[i];
        out[i + 1] = e.field(keysAndFields[i + 1]);
      }
      return List.of(out);
    };
  }

  private static Map<String, String> pick(TsvReader.Row row, Map<String, String> columns) {
    Map<String, String> out = new LinkedHashMap<>();
    columns.forEach((field, column) -> out.put(field, row.get(column)));
    return out;
  }
}
