package io.mptj.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to one JSON object read from a report input file, failing with the file and the
 * field path (e.g. {@code runs[2].run_dir}) when a field is missing or of the wrong type.
 *
 * @param file the file the object came from
 * @param where a line label such as {@code ":12"} for JSON Lines, or "" for a whole file
 * @param path the path of this object inside the document ("" for the top)
 * @param node the object
 */
record Fields(Path file, String where, String path, JsonNode node) {

  /** Shared mapper. */
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  /** Reads a whole JSON file whose top level is an object. */
  static Fields read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReportException(file + ": file not found");
    }
    try {
      return top(file, "", JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new ReportException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Wraps a parsed top-level value, which must be an object. */
  static Fields top(Path file, String where, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ReportException(file + where + ": expected a JSON object");
    }
    return new Fields(file, where, "", node);
  }

  /** Whether the object has a non-null field. */
  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** A required string field. */
  String text(String field) {
    JsonNode v = required(field);
    if (!v.isTextual()) {
      throw error(field, "expected a string, got " + v);
    }
    return v.textValue();
  }

  /** An optional string field. */
  String text(String field, String fallback) {
    return has(field) ? text(field) : fallback;
  }

  /** A required integer field. */
  int integer(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(field, "expected an integer, got " + v);
    }
    return v.intValue();
  }

  /** A required non-negative whole count. */
  long count(String field) {
    JsonNode v = required(field);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw error(field, "expected a non-negative integer, got " + v);
    }
    return v.longValue();
  }

  /** A required finite number. */
  double number(String field) {
    JsonNode v = required(field);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw error(field, "expected a number, got " + v);
    }
    return v.doubleValue();
  }

  /** An optional finite number, or {@code fallback}. */
  double number(String field, double fallback) {
    return has(field) ? number(field) : fallback;
  }

  /**
   * An optional number that may be non-finite (a diverged loss is logged as {@code NaN}, bare or as
   * a string), or {@code fallback} when absent.
   */
  double real(String field, double fallback) {
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
      default -> throw error(field, "expected a number, got " + v);
    };
  }

  /** A required nested object. */
  Fields object(String field) {
    JsonNode v = required(field);
    if (!v.isObject()) {
      throw error(field, "expected an object, got " + v);
    }
    return new Fields(file, where, join(field), v);
  }

  /** A required array of objects. */
  List<Fields> objects(String field) {
    JsonNode v = array(field);
    List<Fields> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      String at = join(field) + "[" + i + "]";
      if (!v.get(i).isObject()) {
        throw new ReportException(file + where + ": " + at + ": expected an object");
      }
      out.add(new Fields(file, where, at, v.get(i)));
    }
    return out;
  }

  /** A required array of strings. */
  List<String> texts(String field) {
    JsonNode v = array(field);
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw error(field + "[" + i + "]", "expected a string, got " + v.get(i));
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  /** A required object whose values are all finite numbers, in file order. */
  Map<String, Double> numbers(String field) {
    Fields o = object(field);
    Map<String, Double> out = new LinkedHashMap<>();
    for (Iterator<String> it = o.node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      out.put(name, o.number(name));
    }
    return out;
  }

  /** Fails naming the first field not in {@code known}. */
  void allowOnly(Set<String> known) {
    Set<String> unknown = new TreeSet<>();
    node.fieldNames().forEachRemaining(unknown::add);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw error(unknown.iterator().next(), "unknown field (known: " + new TreeSet<>(known) + ")");
    }
  }

  /** An error about one field of this object. */
  ReportException error(String field, String what) {
    return new ReportException(file + where + ": field '" + join(field) + "': " + what);
  }

  private JsonNode array(String field) {
    JsonNode v = required(field);
    if (!v.isArray()) {
      throw error(field, "expected an array, got " + v);
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
