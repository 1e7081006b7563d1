package io.mptj.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Strict, typed access to the fields of one JSON object read from a file, failing with the file,
 * line and field path, e.g. {@code train.jsonl:12: field 'passage.questions[2].label': expected 0
 * or 1, got 2}. The caller chooses the exception type.
 *
 * @param file the file the object came from
 * @param line its 1-based line (JSON Lines), or 0 for a whole-file document
 * @param path the path of this object inside the document ("" for the top)
 * @param node the object
 * @param failure makes the exception for an error message (e.g. {@code DataException::new})
 */
public record JsonFields(
    Path file,
    long line,
    String path,
    JsonNode node,
    Function<String, ? extends RuntimeException> failure) {

  /** The top-level object of a file or line. */
  public static JsonFields of(
      Path file, long line, JsonNode node, Function<String, ? extends RuntimeException> failure) {
    return new JsonFields(file, line, "", node, failure);
  }

  /** Whether the object has a non-null field. */
  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** A required string field. */
  public String text(String field) {
    JsonNode v = required(field);
    if (!v.isTextual()) {
      throw error(field, "expected a string, got " + describe(v));
    }
    return v.textValue();
  }

  /** An optional string field, or {@code fallback}. */
  public String text(String field, String fallback) {
    return has(field) ? text(field) : fallback;
  }

  /** A required integer field. */
  public int integer(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(field, "expected an integer, got " + describe(v));
    }
    return v.intValue();
  }

  /** A required 0/1 integer field. */
  public int bit(String field) {
    int v = integer(field);
    if (v != 0 && v != 1) {
      throw error(field, "expected 0 or 1, got " + v);
    }
    return v;
  }

  /** A required non-negative whole count. */
  public long count(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw error(field, "expected a non-negative integer, got " + describe(v));
    }
    return v.longValue();
  }

  /** A required boolean field. */
  public boolean bool(String field) {
    JsonNode v = required(field);
    if (!v.isBoolean()) {
      throw error(field, "expected true or false, got " + describe(v));
    }
    return v.booleanValue();
  }

  /** A required finite number. */
  public double number(String field) {
    JsonNode v = required(field);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw error(field, "expected a number, got " + describe(v));
    }
    return v.doubleValue();
  }

  /** An optional finite number, or {@code fallback}. */
  public double number(String field, double fallback) {
    return has(field) ? number(field) : fallback;
  }

  /**
   * An optional number that may be non-finite (a diverged loss is logged as {@code NaN}, bare or as
   * a string), or {@code fallback} when absent.
   */
  public double real(String field, double fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonNode v = node.get(field);
    if (v.isNumber()) {
      return v.doubleValue();
    }
    return switch (v.asText()) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> throw error(field, "expected a number, got " + describe(v));
    };
  }

  /** The index of a string field's value in {@code names}, which must hold it. */
  public int classOf(String field, List<String> names) {
    String v = text(field);
    int i = names.indexOf(v);
    if (i < 0) {
      throw error(field, "expected one of " + names + ", got '" + v + "'");
    }
    return i;
  }

  /** A required nested object. */
  public JsonFields object(String field) {
    JsonNode v = required(field);
    if (!v.isObject()) {
      throw error(field, "expected an object, got " + describe(v));
    }
    return new JsonFields(file, line, join(field), v, failure);
  }

  /** A required array of objects. */
  public List<JsonFields> objects(String field) {
    JsonNode v = array(field);
    List<JsonFields> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      String at = join(field) + "[" + i + "]";
      if (!v.get(i).isObject()) {
        throw fail(at, "expected an object");
      }
      out.add(new JsonFields(file, line, at, v.get(i), failure));
    }
    return out;
  }

  /** A required array of strings. */
  public List<String> texts(String field) {
    JsonNode v = array(field);
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw error(field + "[" + i + "]", "expected a string, got " + describe(v.get(i)));
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  /** A required object whose values are all finite numbers, in file order. */
  public Map<String, Double> numbers(String field) {
    return numbers(field, Set.of());
  }

  /** As {@link #numbers(String)}, leaving out the fields named in {@code except}. */
  public Map<String, Double> numbers(String field, Set<String> except) {
    JsonFields o = object(field);
    Map<String, Double> out = new LinkedHashMap<>();
    for (Iterator<String> it = o.node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!except.contains(name)) {
        out.put(name, o.number(name));
      }
    }
    return out;
  }

  /** Fails naming the first field not in {@code known}. */
  public void allowOnly(Set<String> known) {
    Set<String> unknown = new TreeSet<>();
    node.fieldNames().forEachRemaining(unknown::add);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw error(unknown.iterator().next(), "unknown field (known: " + new TreeSet<>(known) + ")");
    }
  }

  /** An error about one field of this object: {@code FILE[:LINE]: field 'PATH': what}. */
  public RuntimeException error(String field, String what) {
    return fail(join(field), what);
  }

  private RuntimeException fail(String fieldPath, String what) {
    String where = line > 0 ? file + ":" + line : file.toString();
    return failure.apply(where + ": field '" + fieldPath + "': " + what);
  }

  /** A container by its type ("object", "array"), a scalar by its value. */
  private static String describe(JsonNode v) {
    return v.isContainerNode() ? v.getNodeType().name().toLowerCase(Locale.ROOT) : v.toString();
  }

  private JsonNode array(String field) {
    JsonNode v = required(field);
    if (!v.isArray()) {
      throw error(field, "expected an array, got " + describe(v));
    }
    return v;
  }

  private JsonNode required(String field) {
    if (!has(field)) {
      throw error(field, "missing");
    }
    return node.get(field);
  }

  private String join(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
