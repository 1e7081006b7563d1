package io.mptj.task.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.task.DataException;
import io.mptj.task.Label;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Typed access to the fields of one JSON object of a data file, failing with the file, line and
 * field path (e.g. {@code passage.questions[2].answers[0].label}) when a field is missing or of the
 * wrong type.
 *
 * @param file the file the object came from
 * @param line its 1-based line (for JSON Lines) or 0 for a whole-file JSON document
 * @param path the path of this object inside the line's JSON value ("" for the top)
 * @param node the object
 */
public record JsonFields(Path file, long line, String path, JsonNode node) {

  /** Whether the object has a non-null field. */
  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** A required string field. */
  public String text(String field) {
    JsonNode v = required(field);
    if (!v.isTextual()) {
      throw error(
          field, "expected a string, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return v.textValue();
  }

  /** A required integer field. */
  public int integer(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(field, "expected an integer, got " + v);
    }
    return v.intValue();
  }

  /** A required boolean field. */
  public boolean bool(String field) {
    JsonNode v = required(field);
    if (!v.isBoolean()) {
      throw error(field, "expected true or false, got " + v);
    }
    return v.booleanValue();
  }

  /** A required nested object. */
  public JsonFields object(String field) {
    JsonNode v = required(field);
    if (!v.isObject()) {
      throw error(
          field, "expected an object, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return new JsonFields(file, line, join(field), v);
  }

  /** A required array of objects. */
  public List<JsonFields> objects(String field) {
    JsonNode v = required(field);
    if (!v.isArray()) {
      throw error(
          field, "expected an array, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    List<JsonFields> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      String at = join(field) + "[" + i + "]";
      if (!item.isObject()) {
        throw DataException.at(file, line, at, "expected an object");
      }
      out.add(new JsonFields(file, line, at, item));
    }
    return out;
  }

  /** A required 0/1 integer field, as a class index. */
  public Label.ClassIndex binary(String field) {
    int v = integer(field);
    if (v != 0 && v != 1) {
      throw error(field, "expected 0 or 1, got " + v);
    }
    return new Label.ClassIndex(v);
  }

  /** The class index of a string field's value, which must be one of {@code names}. */
  public int classOf(String field, List<String> names) {
    String v = text(field);
    int i = names.indexOf(v);
    if (i < 0) {
      throw error(field, "expected one of " + names + ", got '" + v + "'");
    }
    return i;
  }

  /** An error about one field of this object. */
  public DataException error(String field, String what) {
    return line > 0
        ? DataException.at(file, line, join(field), what)
        : DataException.inFile(file, "field '" + join(field) + "': " + what);
  }

  private JsonNode required(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw error(field, "missing");
    }
    return v;
  }

  private String join(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
