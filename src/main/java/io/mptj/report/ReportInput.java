package io.mptj.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything a report is built from: the finished runs, the backbone, extra stage runs, and the
 * spec and commands that reproduce it. Saved as {@code report.json} by {@link #save}; relative run
 * directories there are relative to the file's folder.
 *
 * @param title the report's heading
 * @param backbone the backbone's name, e.g. {@code minilm} or {@code t5-base}
 * @param backboneParams the backbone's parameter count, the denominator of "% of backbone"
 * @param runs the runs of the result tables, at least one, no two with the same method, task, shots
 *     and seed
 * @param stages extra runs shown as loss curves only (may be empty)
 * @param heatmapMethod the method whose adapted task prompts the similarity heatmap compares
 * @param spec the experiment spec or resolved config, shown verbatim
 * @param commands the exact commands that reproduce the report, shown verbatim
 */
public record ReportInput(
    String title,
    String backbone,
    long backboneParams,
    List<RunRef> runs,
    List<StageRef> stages,
    String heatmapMethod,
    String spec,
    List<String> commands) {

  /** The method the heatmap shows unless told otherwise. */
  public static final String DEFAULT_HEATMAP_METHOD = "MPT";

  private static final Set<String> KEYS =
      Set.of(
          "title",
          "backbone",
          "backbone_params",
          "runs",
          "stages",
          "heatmap_method",
          "spec",
          "commands");

  /** Validates and copies the fields. */
  public ReportInput {
    requireText(title, "title");
    requireText(backbone, "backbone");
    requireText(heatmapMethod, "heatmap_method");
    if (backboneParams <= 0) {
      throw new IllegalArgumentException("backbone_params must be > 0, got " + backboneParams);
    }
    runs = List.copyOf(runs);
    stages = List.copyOf(stages);
    commands = List.copyOf(commands);
    spec = spec == null ? "" : spec;
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("a report needs at least one run");
    }
    requireDistinct(runs);
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is blank");
    }
  }

  private static void requireDistinct(List<RunRef> runs) {
    Set<List<Object>> seen = new HashSet<>();
    for (RunRef r : runs) {
      if (!seen.add(List.of(r.method(), r.task(), r.shots(), r.seed()))) {
        throw new IllegalArgumentException("run listed twice: " + r.describe());
      }
    }
  }

  /**
   * Reads a {@code report.json}.
   *
   * @throws ReportException naming the file and field that is missing, malformed or unknown
   */
  public static ReportInput fromJson(Path file) {
    JsonFields f = JsonInput.read(file);
    f.allowOnly(KEYS);
    Path base = file.toAbsolutePath().getParent();
    try {
      return new ReportInput(
          f.text("title"),
          f.text("backbone"),
          f.count("backbone_params"),
          f.objects("runs").stream().map(r -> run(r, base)).toList(),
          f.has("stages")
              ? f.objects("stages").stream().map(s -> stage(s, base)).toList()
              : List.of(),
          f.text("heatmap_method", DEFAULT_HEATMAP_METHOD),
          f.text("spec", ""),
          f.has("commands") ? f.texts("commands") : List.of());
    } catch (IllegalArgumentException e) {
      throw new ReportException(file + ": " + e.getMessage(), e);
    }
  }

  private static RunRef run(JsonFields r, Path base) {
    r.allowOnly(Set.of("method", "task", "seed", "shots", "run_dir"));
    try {
      return new RunRef(
          r.text("method"),
          r.text("task"),
          r.integer("seed"),
          r.integer("shots"),
          base.resolve(r.text("run_dir")).normalize());
    } catch (IllegalArgumentException e) {
      throw r.error("", e.getMessage());
    }
  }

  private static StageRef stage(JsonFields s, Path base) {
    s.allowOnly(Set.of("label", "run_dir"));
    return new StageRef(s.text("label"), base.resolve(s.text("run_dir")).normalize());
  }

  /**
   * Writes this input as JSON to {@code file}, with run directories relative to the file's folder,
   * so that {@link #fromJson} reads back an equal input.
   */
  public void save(Path file) {
    Path base = file.toAbsolutePath().normalize().getParent();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("title", title).put("backbone", backbone).put("backbone_params", backboneParams);
    ArrayNode rs = o.putArray("runs");
    for (RunRef r : runs) {
      rs.addObject()
          .put("method", r.method())
          .put("task", r.task())
          .put("seed", r.seed())
          .put("shots", r.shots())
          .put("run_dir", relative(base, r.runDir()));
    }
    ArrayNode ss = o.putArray("stages");
    stages.forEach(
        s -> ss.addObject().put("label", s.label()).put("run_dir", relative(base, s.runDir())));
    o.put("heatmap_method", heatmapMethod).put("spec", spec);
    commands.forEach(o.putArray("commands")::add);
    try {
      Json.writeAtomic(file, o);
    } catch (UncheckedIOException e) {
      throw new ReportException(e.getMessage(), e.getCause());
    }
  }

  private static String relative(Path base, Path dir) {
    return base.relativize(dir.toAbsolutePath().normalize()).toString();
  }
}
