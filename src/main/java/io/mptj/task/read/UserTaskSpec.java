package io.mptj.task.read;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Metric;
import io.mptj.task.SplitRecipe;
import io.mptj.task.Task;
import io.mptj.task.TaskFiles;
import io.mptj.task.TaskKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user task described in a small JSON or YAML file, so any CSV, TSV or JSON Lines dataset can be
 * used without Java. Example ({@code sentiment.yaml}):
 *
 * <pre>
 * name: my/sentiment            # optional, defaults to the file name
 * files: {train: train.csv, validation: dev.csv, test: test.csv}   # relative to this file
 * text: review                  # input column / key
 * pair: null                    # optional second input
 * label: stars                  # label column / key
 * labels: [negative, positive]  # class names in index order (values may be names or indices)
 * # regression: true            # instead of labels, for a numeric label
 * template: "sentiment review: {review}"   # optional T5 source
 * metrics: [accuracy, macro_f1] # optional; accuracy, f1, macro_f1, matthews, pearson, spearman
 * score: accuracy               # optional, the headline metric, one of metrics (default: the first)
 * splits: halve-validation      # optional: original | halve-validation | carve-train
 * max_length: 256               # optional
 * </pre>
 *
 * <p>A label value is a class name, or, when no class name is all digits, a class index ({@code
 * "1"} is the second class of {@code [negative, positive]}, but the class named "1" of {@code [1,
 * 2]}). The binary metrics {@code f1} (of class 1) and {@code matthews} need exactly 2 labels.
 *
 * <p>Without {@code splits}, the recipe follows the files given: train, validation and test are
 * used as they are ({@code original}); train and validation give the paper's small-dataset recipe
 * ({@code halve-validation}); train and test give its large-dataset recipe with the test file as
 * test ({@code carve-train}: 1,000 train examples become dev, as for the built-in Yelp task). With
 * {@code carve-train}, the validation file is the test split when there is one, else the test file.
 *
 * <p>Formats follow the file extension ({@code .csv}, {@code .tsv}, {@code .jsonl}) unless {@code
 * format} says otherwise; CSV and TSV need a header line unless {@code columns} lists the columns.
 * Unknown keys are errors.
 */
public record UserTaskSpec(
    String name,
    String format,
    Map<String, String> files,
    Boolean header,
    List<String> columns,
    String text,
    String pair,
    String label,
    List<String> labels,
    Boolean regression,
    String template,
    List<String> metrics,
    String score,
    String splits,
    @JsonProperty("max_length") Integer maxLength) {

  private static final Pattern FIELD = Pattern.compile("\\{([^{}]+)}");

  /** Reads and validates a spec file. */
  public static UserTaskSpec load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw DataException.inFile(file, "task spec not found");
    }
    ObjectReader mapper =
        Json.forFile(file)
            .readerFor(UserTaskSpec.class)
            .with(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    UserTaskSpec spec;
    try {
      spec = mapper.readValue(file.toFile());
    } catch (UnrecognizedPropertyException e) {
      String key = e.getPropertyName();
      throw DataException.at(
          file,
          lineOf(file, key, e.getLocation()),
          key,
          "unknown key; known keys: " + e.getKnownPropertyIds());
    } catch (JsonProcessingException e) {
      throw at(file, e.getLocation(), null, e.getOriginalMessage());
    } catch (IOException e) {
      throw DataException.inFile(file, "cannot read: " + e.getMessage());
    }
    if (spec == null) {
      throw DataException.inFile(file, "the task spec is empty");
    }
    spec.validate(file);
    return spec;
  }

  /** The line where {@code key} is written (YAML locations point past it), else Jackson's. */
  private static long lineOf(Path file, String key, JsonLocation where) {
    try {
      List<String> lines = Files.readAllLines(file);
      Pattern p = Pattern.compile("^\\s*\"?" + Pattern.quote(key) + "\"?\\s*:");
      for (int i = 0; i < lines.size(); i++) {
        if (p.matcher(lines.get(i)).find() || lines.get(i).contains("\"" + key + "\"")) {
          return i + 1;
        }
      }
    } catch (IOException e) {
      // fall back to the parser's location
    }
    return where == null ? 0 : where.getLineNr();
  }

  private static DataException at(Path file, JsonLocation where, String field, String what) {
    long line = where == null ? 0 : where.getLineNr();
    return line > 0 ? DataException.at(file, line, field, what) : DataException.inFile(file, what);
  }

  private static DataException bad(Path file, String field, String what) {
    return error(file, field, what);
  }

  /**
   * An error about a field of a spec file, at the line of its top-level key when one is written
   * ({@code files.test} is found under {@code files}).
   */
  static DataException error(Path file, String field, String what) {
    String key = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
    long line = lineOf(file, key, null);
    return line > 0
        ? DataException.at(file, line, field, what)
        : DataException.inFile(file, "field '" + field + "': " + what);
  }

  private void validate(Path file) {
    if (files == null || files.isEmpty()) {
      throw bad(file, "files", "required: split name to data file, e.g. {train: train.csv}");
    }
    for (String split : files.keySet()) {
      if (!List.of("train", "validation", "test").contains(split)) {
        throw bad(file, "files", "unknown split '" + split + "'; use train, validation, test");
      }
    }
    if (text == null || label == null) {
      throw bad(file, text == null ? "text" : "label", "required");
    }
    boolean isRegression = Boolean.TRUE.equals(regression);
    if (isRegression == (labels != null && !labels.isEmpty())) {
      throw bad(file, "labels", "give either labels (2 or more class names) or regression: true");
    }
    if (labels != null && labels.stream().anyMatch(l -> l == null || l.isBlank())) {
      throw bad(file, "labels", "class names must be non-empty, got " + labels);
    }
    if (labels != null && labels.size() < 2) {
      throw bad(file, "labels", "needs 2 or more class names");
    }
    if (name != null && (name.isBlank() || name.chars().anyMatch(Character::isWhitespace))) {
      throw bad(file, "name", "must be non-empty without spaces");
    }
    if (maxLength != null && maxLength < 8) {
      throw bad(file, "max_length", "must be at least 8, got " + maxLength);
    }
    recipe(file);
    checkMetrics(file);
    if (template != null) {
      Matcher m = FIELD.matcher(template);
      while (m.find()) {
        if (!m.group(1).equals(text) && !m.group(1).equals(pair)) {
          throw bad(
              file, "template", "{" + m.group(1) + "} is neither the text nor the pair field");
        }
      }
    }
    for (Map.Entry<String, String> f : files.entrySet()) {
      formatOf(file, f.getValue());
    }
  }

  /** The task this spec describes, for a spec read from {@code file}; files are relative to it. */
  public Task toTask(Path file) {
    Path home = file.toAbsolutePath().getParent();
    String taskName = name != null ? name : stem(file);
    boolean isRegression = Boolean.TRUE.equals(regression);
    List<Metric> ms = metricList(file);
    Task.Builder b =
        Task.builder(taskName)
            .kind(isRegression ? TaskKind.REGRESSION : TaskKind.CLASSIFICATION)
            .labels(isRegression ? List.of() : labels)
            .home(home)
            .recipe(recipe(file))
            .heldOut(heldOut(file))
            .t5(template == null ? prefixOf(taskName) : "", this::t5Parts)
            .encoderFields(text, pair)
            .metrics(ms.toArray(Metric[]::new))
            .score(score == null ? ms.getFirst() : metric(file, "score", score))
            .maxInputLength(maxLength == null ? Task.DEFAULT_MAX_INPUT_LENGTH : maxLength)
            .source("user task " + file)
            .spec(file, (field, what) -> error(file, field, what));
    files.forEach((split, path) -> b.file(split, path, reader(file, path)));
    return b.build();
  }

  /**
   * The file that plays the validation set's role: the validation file, or for {@code carve-train}
   * without one, the test file.
   */
  private String heldOut(Path file) {
    boolean carve = recipe(file) == SplitRecipe.CARVE_TRAIN;
    return carve && !files.containsKey("validation") ? "test" : "validation";
  }

  private List<String> t5Parts(Example e) {
    if (template == null) {
      List<String> out = new ArrayList<>(List.of(text + ":", e.field(text)));
      if (pair != null) {
        out.addAll(List.of(pair + ":", e.field(pair)));
      }
      return out;
    }
    Matcher m = FIELD.matcher(template);
    return List.of(m.replaceAll(r -> Matcher.quoteReplacement(e.field(r.group(1)))));
  }

  private SplitRecipe recipe(Path file) {
    if (splits == null) {
      boolean validation = files.containsKey("validation");
      if (files.containsKey("test")) {
        return validation ? SplitRecipe.ORIGINAL : SplitRecipe.CARVE_TRAIN;
      }
      return SplitRecipe.HALVE_VALIDATION;
    }
    return switch (splits) {
      case "original" -> SplitRecipe.ORIGINAL;
      case "halve-validation" -> SplitRecipe.HALVE_VALIDATION;
      case "carve-train" -> SplitRecipe.CARVE_TRAIN;
      default ->
          throw bad(
              file,
              "splits",
              "expected original, halve-validation or carve-train, got '" + splits + "'");
    };
  }

  /** Binary metrics need 2 labels, and the score must be one of the metrics. */
  private void checkMetrics(Path file) {
    List<Metric> ms = metricList(file);
    boolean binary = ms.contains(Metric.F1) || ms.contains(Metric.MATTHEWS);
    if (binary && labels.size() != 2) {
      throw bad(
          file,
          "metrics",
          "f1 and matthews are binary metrics and need exactly 2 labels, but labels has "
              + labels.size()
              + "; use accuracy or macro_f1");
    }
    if (score != null && !ms.contains(metric(file, "score", score))) {
      throw bad(
          file,
          "score",
          "'" + score + "' is not one of the metrics " + ms.stream().map(Metric::key).toList());
    }
  }

  private List<Metric> metricList(Path file) {
    if (metrics == null || metrics.isEmpty()) {
      return Boolean.TRUE.equals(regression)
          ? List.of(Metric.PEARSON, Metric.SPEARMAN)
          : List.of(Metric.ACCURACY);
    }
    List<Metric> out = new ArrayList<>();
    for (String m : metrics) {
      out.add(metric(file, "metrics", m));
    }
    return out;
  }

  private Metric metric(Path file, String field, String key) {
    List<Metric> allowed =
        Boolean.TRUE.equals(regression)
            ? List.of(Metric.PEARSON, Metric.SPEARMAN)
            : List.of(Metric.ACCURACY, Metric.F1, Metric.MACRO_F1, Metric.MATTHEWS);
    for (Metric m : allowed) {
      if (m.key().equals(key)) {
        return m;
      }
    }
    throw bad(
        file,
        field,
        "unknown metric '" + key + "'; use " + allowed.stream().map(Metric::key).toList());
  }

  private String formatOf(Path spec, String path) {
    String f = format != null ? format.toLowerCase(Locale.ROOT) : extension(path);
    if (!List.of("csv", "tsv", "jsonl").contains(f)) {
      throw bad(
          spec,
          "format",
          "cannot tell the format of '" + path + "'; set format: csv, tsv or jsonl");
    }
    if (!f.equals("jsonl")
        && Boolean.FALSE.equals(header)
        && (columns == null || columns.isEmpty())) {
      throw bad(spec, "columns", "a file without a header needs the list of its columns");
    }
    return f;
  }

  private static String extension(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".csv")) {
      return "csv";
    }
    if (lower.endsWith(".tsv") || lower.endsWith(".txt")) {
      return "tsv";
    }
    return lower.endsWith(".jsonl") || lower.endsWith(".json") ? "jsonl" : "";
  }

  private TaskFiles.FileReader reader(Path spec, String path) {
    String f = formatOf(spec, path);
    boolean hasHeader = !Boolean.FALSE.equals(header);
    List<String> required = pair == null ? List.of(text) : List.of(text, pair);
    return switch (f) {
      case "jsonl" ->
          (file, split) -> JsonlReader.read(file, (o, out) -> out.accept(fromJson(o, split)));
      case "tsv" -> {
        var fmt =
            hasHeader
                ? new TsvReader.Format(required, true, null)
                : new TsvReader.Format(columns, false, null);
        yield (file, split) -> TsvReader.read(file, fmt, (row, i) -> fromRow(row, split + "-" + i));
      }
      default ->
          (file, split) ->
              CsvReader.read(
                  file,
                  hasHeader ? required : columns,
                  hasHeader,
                  (row, i) -> fromRow(row, split + "-" + i));
    };
  }

  private Example fromRow(TsvReader.Row row, String id) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(text, row.get(text));
    if (pair != null) {
      f.put(pair, row.get(pair));
    }
    if (!row.index().containsKey(label)) {
      return new Example(id, f, Label.NONE);
    }
    String v = row.get(label);
    return new Example(id, f, labelOf(v, what -> row.error(label, what)));
  }

  private Example fromJson(JsonFields o, String split) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(text, o.text(text));
    if (pair != null) {
      f.put(pair, o.text(pair));
    }
    String id = split + "-" + (o.line() - 1);
    if (!o.has(label)) {
      return new Example(id, f, Label.NONE);
    }
    JsonNode v = o.node().get(label);
    if (!v.isValueNode()) {
      throw o.error(label, "expected a string, number or boolean, got " + v);
    }
    return new Example(id, f, labelOf(v.asText(), what -> o.error(label, what)));
  }

  private Label labelOf(
      String value, java.util.function.Function<String, ? extends RuntimeException> error) {
    String v = value.strip();
    if (Boolean.TRUE.equals(regression)) {
      try {
        return new Label.Score(Double.parseDouble(v));
      } catch (IllegalArgumentException e) {
        throw error.apply("expected a number, got '" + value + "'");
      }
    }
    int i = labels.indexOf(v);
    boolean indices = !digitNames();
    if (i < 0 && indices && v.matches("\\d{1,8}")) {
      i = Integer.parseInt(v);
      i = i < labels.size() ? i : -1;
    }
    if (i < 0) {
      String or = indices ? " or an index 0.." + (labels.size() - 1) : "";
      throw error.apply("expected one of " + labels + or + ", got '" + value + "'");
    }
    return new Label.ClassIndex(i);
  }

  /** Whether a class name is all digits, so that a digit value is always a name, never an index. */
  private boolean digitNames() {
    return labels.stream().anyMatch(l -> l.matches("\\d+"));
  }

  /** ATTEMPT-style prefix: the task name's last segment in lower case. */
  private static String prefixOf(String taskName) {
    return taskName.substring(taskName.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
