package io.mptj.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One task: its identity, label space and metrics with the paper's headline score; its {@link
 * TaskFiles files} (where the originals are, how to read them, the paper's train/dev/test recipe)
 * and its {@link Templates templates} for text-to-text (T5, as ATTEMPT casts it) and encoder
 * models. Built-in tasks come from {@code task.bench.TaskRegistry}; user tasks from a spec file
 * ({@code task.read.UserTaskSpec}).
 */
public final class Task {
  /** The default maximum input length in tokens (MPT paper, p.16). */
  public static final int DEFAULT_MAX_INPUT_LENGTH = 256;

  /** The seed of ATTEMPT's and MPT's splits. */
  public static final long SPLIT_SEED = 42;

  private final String name;
  private final TaskKind kind;
  private final List<String> labels;
  private final List<Metric> metrics;
  private final Metric score;
  private final int maxInputLength;
  private final String source;
  private final Path spec;
  private final TaskFiles files;
  private final Templates templates;

  private Task(Builder b) {
    this.name = Objects.requireNonNull(b.name);
    this.kind = Objects.requireNonNull(b.kind, "kind");
    this.labels = List.copyOf(b.labels);
    String t5Prefix = Objects.requireNonNull(b.t5Prefix, "t5 prefix");
    SplitRecipe recipe = Objects.requireNonNull(b.recipe, "split recipe");
    var t5Parts = Objects.requireNonNull(b.t5Parts, "t5 template");
    var encoder = Objects.requireNonNull(b.encoder, "encoder input");
    this.metrics = List.copyOf(b.metrics);
    this.score = b.score == null ? metrics.getFirst() : b.score;
    this.maxInputLength = b.maxInputLength;
    this.source = b.source;
    this.spec = b.spec == null ? null : b.spec.file();
    this.files = new TaskFiles(name, kind, b.files, recipe, b.heldOut, b.trainCap, b.home, b.spec);
    this.templates = new Templates(kind, labels.size(), t5Prefix, t5Parts, encoder, b.answerText);
    if (kind == TaskKind.CLASSIFICATION && labels.size() < 2) {
      throw new IllegalArgumentException(name + ": a classification task needs 2+ labels");
    }
    if (!metrics.contains(score)) {
      throw new IllegalArgumentException(name + ": the score metric must be one of its metrics");
    }
  }

  /** The task's name, {@code benchmark/TASK} for built-in tasks, e.g. {@code glue/RTE}. */
  public String name() {
    return name;
  }

  /** Classification, regression or generation. */
  public TaskKind kind() {
    return kind;
  }

  /** Class names in index order; empty for regression and generation tasks. */
  public List<String> labels() {
    return labels;
  }

  /** Where the format and templates come from, for listings. */
  public String source() {
    return source;
  }

  /**
   * What {@code TaskRegistry.get} takes to return this task again: the name of a built-in task, the
   * absolute path of a user task's spec file. Saved runs record this.
   */
  public String reference() {
    return spec != null ? spec.toAbsolutePath().toString() : name;
  }

  /** The maximum input length in tokens: 256, 348 for MultiRC (MPT paper, p.16). */
  public int maxInputLength() {
    return maxInputLength;
  }

  /** Its original files, how to read them and the paper's splits of them. */
  public TaskFiles files() {
    return files;
  }

  /** Its T5 and encoder templates. */
  public Templates templates() {
    return templates;
  }

  // --- files: delegates to files()

  /** The paper's recipe for train/dev/test. */
  public SplitRecipe splitRecipe() {
    return files.recipe();
  }

  /** The most train examples the paper uses (Yelp: 100,000), or 0 for all. */
  public int trainCap() {
    return files.trainCap();
  }

  /** The folder holding the task's original files under a data directory. */
  public Path folder(Path dataDir) {
    return files.folder(dataDir);
  }

  /** The original files the task reads, split name to path under its folder. */
  public Map<String, String> expectedFiles() {
    return files.expected();
  }

  /** As {@link TaskFiles#read}. */
  public Map<String, ReadResult> read(Path dataDir) {
    return files.read(dataDir);
  }

  /** The examples of each original file present, split name to examples in file order. */
  public Map<String, List<Example>> readFiles(Path dataDir) {
    return files.readExamples(dataDir);
  }

  /** The paper's train/dev/test with ATTEMPT's seed 42. */
  public Splits splits(Path dataDir) {
    return files.splits(dataDir, SPLIT_SEED);
  }

  /** The paper's train/dev/test with another shuffle seed. */
  public Splits splits(Path dataDir, long seed) {
    return files.splits(dataDir, seed);
  }

  /** The paper's train/dev/test of already-read files. */
  public Splits splitsOf(Map<String, List<Example>> read, long seed, Path dataDir) {
    return files.splitsOf(read, seed, dataDir);
  }

  /** As {@link TaskFiles#trainingSplits}, with seed 42. */
  public Splits trainingSplits(Path dataDir) {
    return files.trainingSplits(dataDir, SPLIT_SEED);
  }

  // --- templates: delegates to templates()

  /** The input of an encoder model: one text or a text pair. */
  public EncoderInput encoderInput(Example e) {
    return templates.encoderInput(e);
  }

  /** As {@link Templates#t5Source}. */
  public String t5Source(Example e) {
    return templates.t5Source(e);
  }

  /** As {@link Templates#t5Target}. */
  public String t5Target(Example e) {
    return templates.t5Target(e);
  }

  /** As {@link Templates#t5LabelStrings}. */
  public List<String> t5LabelStrings() {
    return templates.t5LabelStrings();
  }

  /** The class a generated T5 target names, or -1 when it names none (an invalid answer). */
  public int t5ToClass(String generated) {
    return templates.t5ToClass(generated);
  }

  // --- metrics

  /** The metrics this task reports, in order. */
  public List<Metric> metrics() {
    return metrics;
  }

  /** The names of the reported metrics, plus "avg" when there are several. */
  public List<String> metricNames() {
    List<String> out = new ArrayList<>(metrics.stream().map(Metric::key).toList());
    if (metrics.size() > 1) {
      out.add("avg");
    }
    return out;
  }

  /** The metric the paper's tables show for this task (its {@link #score}). */
  public Metric scoreMetric() {
    return score;
  }

  /**
   * Scores predictions against gold examples. Values are in percent, like the paper's tables and
   * ATTEMPT's logs; with several metrics "avg" is their mean.
   *
   * @param gold labelled examples
   * @param predictions one per example: classes, values or texts, per {@link #kind()}
   * @return metric name to value, in {@link #metricNames()} order
   */
  public Map<String, Double> evaluate(List<Example> gold, Predictions predictions) {
    if (gold.size() != predictions.size()) {
      throw new IllegalArgumentException(
          name + ": " + gold.size() + " examples but " + predictions.size() + " predictions");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Metric m : metrics) {
      out.put(m.key(), 100 * m.compute(gold, predictions, labels.size()));
    }
    if (metrics.size() > 1) {
      out.put(
          "avg", out.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow());
    }
    return out;
  }

  /**
   * The paper's headline number for this task, in percent: Pearson for STS-B, F1a for MultiRC,
   * Matthews for CoLA, F1 for QA, accuracy elsewhere (Tables 1 and 2).
   */
  public double score(Map<String, Double> metrics) {
    Double v = metrics.get(score.key());
    if (v == null) {
      throw new IllegalArgumentException(
          name + ": no '" + score.key() + "' in " + metrics.keySet());
    }
    return v;
  }

  @Override
  public String toString() {
    return name;
  }

  /** A builder for a new task. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Collects a task's parts; {@link #build()} validates them. */
  public static final class Builder {
    private final String name;
    private TaskKind kind;
    private List<String> labels = List.of();
    private String t5Prefix;
    private final List<TaskFiles.SourceFile> files = new ArrayList<>();
    private SplitRecipe recipe;
    private Function<Example, List<String>> t5Parts;
    private Function<Example, EncoderInput> encoder;
    private List<Metric> metrics = List.of(Metric.ACCURACY);
    private Metric score;
    private int maxInputLength = DEFAULT_MAX_INPUT_LENGTH;
    private int trainCap;
    private Path home;
    private String source = "";
    private TaskFiles.Spec spec;
    private String heldOut = "validation";
    private Function<String, String> answerText = Function.identity();

    private Builder(String name) {
      this.name = name;
    }

    public Builder classes(String... labels) {
      this.kind = TaskKind.CLASSIFICATION;
      this.labels = List.of(labels);
      return this;
    }

    public Builder kind(TaskKind kind) {
      this.kind = kind;
      return this;
    }

    public Builder labels(List<String> labels) {
      this.labels = labels;
      return this;
    }

    public Builder file(String split, String path, TaskFiles.FileReader reader) {
      files.add(new TaskFiles.SourceFile(split, path, reader));
      return this;
    }

    public Builder recipe(SplitRecipe recipe) {
      this.recipe = recipe;
      return this;
    }

    /** ATTEMPT's prefix (its task name) and the "key: text" parts after it. */
    public Builder t5(String prefix, Function<Example, List<String>> parts) {
      this.t5Prefix = prefix;
      this.t5Parts = parts;
      return this;
    }

    public Builder encoder(Function<Example, EncoderInput> encoder) {
      this.encoder = encoder;
      return this;
    }

    /** The text and pair fields of the encoder input ({@code pair} may be null). */
    public Builder encoderFields(String text, String pair) {
      return encoder(e -> new EncoderInput(e.field(text), pair == null ? null : e.field(pair)));
    }

    public Builder metrics(Metric... metrics) {
      this.metrics = List.of(metrics);
      return this;
    }

    public Builder score(Metric score) {
      this.score = score;
      return this;
    }

    public Builder maxInputLength(int tokens) {
      this.maxInputLength = tokens;
      return this;
    }

    public Builder trainCap(int examples) {
      this.trainCap = examples;
      return this;
    }

    public Builder home(Path folder) {
      this.home = folder;
      return this;
    }

    /** The original split that plays the validation set's role (Yelp has only train and test). */
    public Builder heldOut(String split) {
      this.heldOut = split;
      return this;
    }

    /** How an answer becomes a T5 target (SQuAD pads punctuation). */
    public Builder answerText(Function<String, String> f) {
      this.answerText = f;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    /** A user task's spec file, and how errors about its fields are reported. */
    public Builder spec(Path specFile, TaskFiles.SpecErrors errors) {
      this.spec = new TaskFiles.Spec(specFile, errors);
      return this;
    }

    public Task build() {
      return new Task(this);
    }
  }
}
