package io.mptj.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Json;
import io.mptj.engine.SettingsMap;
import io.mptj.method.MethodRegistry;
import io.mptj.method.TuningMethod;
import io.mptj.method.Upstream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An experiment: source tasks, distillation, target tasks with the methods to compare, MPT*
 * multi-target, few-shot settings and seeds — everything a results table needs. Read from JSON or
 * YAML; unknown keys are errors naming the file.
 *
 * <pre>{@code
 * title: MPT on all-MiniLM-L6-v2
 * backbone: minilm
 * seeds: [1, 2, 3]
 * hyper: {prompt_length: 20, batch_size: 16}          # applies to every stage
 * source: {tasks: [glue/SST-2, glue/QQP, glue/MRPC], hyper: {steps: 400}}
 * distill: {hyper: {steps: 400}}
 * targets: {tasks: [glue/RTE, superglue/CB], methods: [pt, spot, mpt], multi_target: true, hyper: {steps: 300}}
 * spot_source: glue/MRPC
 * few_shot: {tasks: [superglue/CB], shots: [4, 16, 32], methods: [pt, mpt], hyper: {steps: 100},
 *            grid: {lr: [0.1, 0.3], lr_task: [0.1, 0.4]}}
 * }</pre>
 *
 * <p>A {@code grid} lists values to try for settings of a target block; each method runs every
 * combination of the grid keys it reads (PT ignores {@code lr_task}), and the run with the best dev
 * score is the one reported for that method, task and seed. Nothing is chosen on test.
 *
 * <p>Every {@code hyper} block holds settings by their snake-case keys (the flag names); a key no
 * stage or tuning method reads is an error naming the block. Methods are names of the tuning-method
 * registry.
 *
 * @param seeds target runs are repeated per seed; source training and distillation run once (first
 *     seed)
 * @param source source training; optional when no method starts from a source or distillation run
 *     (a spec of baselines such as PT, LoRA or full fine-tuning only)
 * @param spotSource the source task whose prompt SPoT starts from (default: the first source task)
 */
public record ExperimentSpec(
    @JsonProperty("title") String title,
    @JsonProperty("backbone") String backbone,
    @JsonProperty("seeds") List<Long> seeds,
    @JsonProperty("hyper") Map<String, Object> hyper,
    @JsonProperty("source") Source source,
    @JsonProperty("distill") Distill distill,
    @JsonProperty("targets") Targets targets,
    @JsonProperty("spot_source") String spotSource,
    @JsonProperty("few_shot") FewShot fewShot) {

  /** Validates and fills defaults. */
  public ExperimentSpec {
    title = title == null ? "mptj experiment" : title;
    backbone = backbone == null ? "minilm" : backbone;
    seeds = seeds == null || seeds.isEmpty() ? List.of(1L) : List.copyOf(seeds);
    hyper = checked(hyper, "hyper");
    distill = distill == null ? new Distill(null, null) : distill;
    boolean noTargets = targets == null || targets.tasks() == null || targets.tasks().isEmpty();
    if (noTargets && fewShot == null) {
      throw new IllegalArgumentException(
          "targets.tasks: at least one target task is required (or a few_shot block)");
    }
    if (targets == null || targets.tasks() == null) {
      targets =
          new Targets(
              List.of(),
              targets == null ? null : targets.methods(),
              targets != null && targets.multiTarget(),
              targets == null ? null : targets.hyper());
    }
    List<String> upstream = startingFromSources(targets, fewShot);
    boolean noSources = source == null || source.tasks() == null || source.tasks().isEmpty();
    if (noSources && !upstream.isEmpty()) {
      throw new IllegalArgumentException(
          "source.tasks: at least one source task is required (methods "
              + upstream
              + " start from source runs)");
    }
    source = noSources ? new Source(List.of(), source == null ? null : source.hyper()) : source;
    spotSource = spotSource == null && !noSources ? source.tasks().getFirst() : spotSource;
    if (spotSource != null && !source.tasks().contains(spotSource)) {
      throw new IllegalArgumentException(
          "spot_source: " + spotSource + " is not one of source.tasks " + source.tasks());
    }
  }

  /**
   * Whether source training runs: some method the spec runs starts from a source or distillation
   * run, or a target block asks for multi-target runs (listed source tasks alone do not train).
   */
  public boolean needsSources() {
    return !startingFromSources(targets, fewShot).isEmpty();
  }

  /** Whether a target block asks for multi-target runs (MPT*) on tasks it names. */
  public boolean multiTargetRuns() {
    return targets.multiTarget() && !targets.tasks().isEmpty();
  }

  /**
   * The methods the spec runs, each once: the full-data block's (when it names tasks) and the
   * few-shot block's.
   */
  public List<TuningMethod> methods() {
    return methods(targets, fewShot);
  }

  private static List<TuningMethod> methods(Targets targets, FewShot fewShot) {
    List<String> names =
        new java.util.ArrayList<>(targets.tasks().isEmpty() ? List.of() : targets.methods());
    if (fewShot != null) {
      names.addAll(fewShot.methods());
    }
    return names.stream().distinct().map(MethodRegistry::get).toList();
  }

  /** The names of what starts from source runs: methods with an upstream, and multi_target. */
  private static List<String> startingFromSources(Targets targets, FewShot fewShot) {
    List<String> out = new java.util.ArrayList<>();
    for (TuningMethod m : methods(targets, fewShot)) {
      if (m.upstream() != Upstream.NONE) {
        out.add(m.name());
      }
    }
    if (targets.multiTarget() && !targets.tasks().isEmpty()) {
      out.add("multi_target");
    }
    return out;
  }

  /** The spec's shared settings (applied to every stage). */
  public SettingsMap settings() {
    return settings(hyper, "hyper");
  }

  /**
   * A {@code hyper} block, checked: every key must be a setting some stage or method reads.
   *
   * @throws IllegalArgumentException naming the block and the key
   */
  static Map<String, Object> checked(Map<String, Object> hyper, String where) {
    Map<String, Object> h = hyper == null ? Map.of() : hyper;
    settings(h, where);
    return h;
  }

  static SettingsMap settings(Map<String, Object> hyper, String where) {
    return SettingsMap.of(hyper == null ? Map.of() : hyper, StageSettings.allKnobs(), where);
  }

  /**
   * A grid, checked: every key a setting, every value list non-empty and each value valid for it.
   */
  static Map<String, List<Object>> checkedGrid(Map<String, List<Object>> grid, String where) {
    if (grid == null) {
      return Map.of();
    }
    Map<String, List<Object>> out = new java.util.LinkedHashMap<>();
    grid.forEach(
        (key, values) -> {
          if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException(where + "." + key + ": list at least one value");
          }
          for (Object v : values) {
            settings(Map.of(key, v), where);
          }
          out.put(key, List.copyOf(values));
        });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static List<String> checkedMethods(
      List<String> given, List<String> fallback, String where) {
    List<String> m = given == null || given.isEmpty() ? fallback : List.copyOf(given);
    for (String name : m) {
      try {
        MethodRegistry.get(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return m.stream().map(x -> x.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  /** Source training: the tasks and stage overrides. */
  public record Source(
      @JsonProperty("tasks") List<String> tasks, @JsonProperty("hyper") Map<String, Object> hyper) {
    public Source {
      hyper = checked(hyper, "source.hyper");
    }

    /** The stage's settings. */
    public SettingsMap settings() {
      return ExperimentSpec.settings(hyper, "source.hyper");
    }
  }

  /**
   * Distillation.
   *
   * @param init P* initialisation: vocab (default) or teachers
   */
  public record Distill(
      @JsonProperty("init") String init, @JsonProperty("hyper") Map<String, Object> hyper) {
    public Distill {
      init = init == null ? "vocab" : init;
      if (!init.equals("vocab") && !init.equals("teachers")) {
        throw new IllegalArgumentException("distill.init must be vocab or teachers, got " + init);
      }
      hyper = checked(hyper, "distill.hyper");
    }

    /** The stage's settings, with {@code init}. */
    public SettingsMap settings() {
      return ExperimentSpec.settings(hyper, "distill.hyper").with("init", init);
    }
  }

  /** Target adaptation on the full training sets. */
  public record Targets(
      @JsonProperty("tasks") List<String> tasks,
      @JsonProperty("methods") List<String> methods,
      @JsonProperty("multi_target") boolean multiTarget,
      @JsonProperty("hyper") Map<String, Object> hyper,
      @JsonProperty("grid") Map<String, List<Object>> grid) {
    public Targets {
      methods = checkedMethods(methods, List.of("pt", "spot", "mpt"), "targets.methods");
      hyper = checked(hyper, "targets.hyper");
      grid = checkedGrid(grid, "targets.grid");
    }

    /** Targets without a grid. */
    public Targets(
        List<String> tasks, List<String> methods, boolean multiTarget, Map<String, Object> hyper) {
      this(tasks, methods, multiTarget, hyper, null);
    }

    /** The stage's settings. */
    public SettingsMap settings() {
      return ExperimentSpec.settings(hyper, "targets.hyper");
    }
  }

  /** Few-shot adaptation: k examples per class. */
  public record FewShot(
      @JsonProperty("tasks") List<String> tasks,
      @JsonProperty("shots") List<Integer> shots,
      @JsonProperty("methods") List<String> methods,
      @JsonProperty("hyper") Map<String, Object> hyper,
      @JsonProperty("grid") Map<String, List<Object>> grid) {
    public FewShot {
      if (tasks == null || tasks.isEmpty() || shots == null || shots.isEmpty()) {
        throw new IllegalArgumentException("few_shot needs tasks and shots");
      }
      methods = checkedMethods(methods, List.of("pt", "mpt"), "few_shot.methods");
      hyper = checked(hyper, "few_shot.hyper");
      grid = checkedGrid(grid, "few_shot.grid");
    }

    /** The stage's settings. */
    public SettingsMap settings() {
      return ExperimentSpec.settings(hyper, "few_shot.hyper");
    }
  }

  /** Reads a spec; JSON or YAML by extension. */
  public static ExperimentSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException("no experiment spec at " + file);
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? Json.YAML : Json.MAPPER;
    try {
      return mapper
          .readerFor(ExperimentSpec.class)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
