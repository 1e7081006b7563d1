package io.mptj.task;

import io.mptj.task.bench.TaskRegistry;
import io.mptj.task.read.UserTaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task: where its original files are and how to read them, its label space, its templates for
 * text-to-text (T5, as ATTEMPT casts it) and encoder models, its metrics and the paper's headline
 * score, and the paper's train/dev/test recipe. Built-in tasks come from {@link TaskRegistry}; user
 * tasks from a spec file ({@link UserTaskSpec}).
 */
public final class Task {
  private static final Logger LOG = LoggerFactory.getLogger(Task.class);

  /** The default maximum input length in tokens (MPT paper, p.16). */
  public static final int DEFAULT_MAX_INPUT_LENGTH = 256;

  /** The seed of ATTEMPT's and MPT's splits. */
  public static final long SPLIT_SEED = 42;

  /** Reads one original file; {@code split} names it in example ids. */
  @FunctionalInterface
  public interface FileReader {
    ReadResult read(Path file, String split);
  }

  /**
   * One original file of a task.
   *
   * @param split the split it holds: train, validation, test, or MNLI's matched/mismatched ones
   * @param path its path under the task's folder, as the official archive unpacks it
   * @param reader how to read it
   */
  public record SourceFile(String split, String path, FileReader reader) {}

  private final String name;
  private final TaskKind kind;
  private final List<String> labels;
  private final String t5Prefix;
  private final List<SourceFile> files;
  private final SplitRecipe recipe;
  private final Function<Example, List<String>> t5Parts;
  private final Function<Example, EncoderInput> encoder;
  private final List<Metric> metrics;
  private final Metric score;
  private final int maxInputLength;
  private final int trainCap;
  private final Path home;
  private final String source;
  private final String heldOut;
  private final Function<String, String> answerText;
  private final Path spec;

  private Task(Builder b) {
    this.name = Objects.requireNonNull(b.name);
    this.kind = Objects.requireNonNull(b.kind, "kind");
    this.labels = List.copyOf(b.labels);
    this.t5Prefix = Objects.requireNonNull(b.t5Prefix, "t5 prefix");
    this.files = List.copyOf(b.files);
    this.recipe = Objects.requireNonNull(b.recipe, "split recipe");
    this.t5Parts = Objects.requireNonNull(b.t5Parts, "t5 template");
    this.encoder = Objects.requireNonNull(b.encoder, "encoder input");
    this.metrics = List.copyOf(b.metrics);
    this.score = b.score == null ? metrics.getFirst() : b.score;
    this.maxInputLength = b.maxInputLength;
    this.trainCap = b.trainCap;
    this.home = b.home;
    this.source = b.source;
    this.heldOut = b.heldOut;
    this.answerText = b.answerText;
    this.spec = b.spec;
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

  /** The paper's recipe for train/dev/test. */
  public SplitRecipe splitRecipe() {
    return recipe;
  }

  /** The most train examples the paper uses (Yelp: 100,000), or 0 for all. */
  public int trainCap() {
    return trainCap;
  }

  /** Where the format and templates come from, for listings. */
  public String source() {
    return source;
  }

  /**
   * What {@link TaskRegistry#get} takes to return this task again: the name of a built-in task, the
   * absolute path of a user task's spec file. Saved runs record this.
   */
  public String reference() {
    return spec != null ? spec.toAbsolutePath().toString() : name;
  }

  /** The folder holding the task's original files under a data directory. */
  public Path folder(Path dataDir) {
    return home != null ? home : dataDir.resolve(name);
  }

  /** The original files the task reads, split name to path under its folder. */
  public Map<String, String> expectedFiles() {
    Map<String, String> out = new LinkedHashMap<>();
    files.forEach(f -> out.put(f.split(), f.path()));
    return out;
  }

  /**
   * Reads the task's original files that are present, split name to result in file order. Rows
   * skipped as a known quirk of a file are logged as warnings naming the file and lines.
   *
   * @throws DataException when the folder is missing, holds none of the files, or a file is bad
   */
  public Map<String, ReadResult> read(Path dataDir) {
    Path folder = folder(dataDir);
    if (spec == null && !Files.isDirectory(folder)) {
      throw new DataException(
          "no data for "
              + name
              + ": "
              + folder
              + " does not exist; get it with './mptj data download "
              + name
              + "' or point --data-dir / MPTJ_DATA_DIR at a directory holding "
              + name
              + "/"
              + String.join(", ", expectedFiles().values()));
    }
    Map<String, ReadResult> out = new LinkedHashMap<>();
    for (SourceFile f : files) {
      Path file = spec == null ? locate(folder, f.path()) : userFile(folder, f);
      if (file != null) {
        ReadResult r = f.reader().read(file, f.split());
        if (r.warning() != null) {
          LOG.warn("{}: {}", name, r.warning());
        }
        out.put(f.split(), r);
      }
    }
    if (out.isEmpty()) {
      throw new DataException(
          folder + " holds none of the files of " + name + ": " + expectedFiles().values());
    }
    return out;
  }

  /**
   * A file a user task's spec lists, relative to the spec's folder; its absence is an error naming
   * the spec's {@code files} entry.
   */
  private Path userFile(Path folder, SourceFile f) {
    Path file = folder.resolve(f.path());
    if (!Files.isRegularFile(file)) {
      throw UserTaskSpec.error(
          spec,
          "files." + f.split(),
          f.path() + " is not there (" + file + "; paths are relative to the spec file)");
    }
    return file;
  }

  /** The examples of each original file present, split name to examples in file order. */
  public Map<String, List<Example>> readFiles(Path dataDir) {
    Map<String, List<Example>> out = new LinkedHashMap<>();
    read(dataDir).forEach((split, r) -> out.put(split, r.examples()));
    return out;
  }

  /** The paper's train/dev/test with ATTEMPT's seed 42. */
  public Splits splits(Path dataDir) {
    return splits(dataDir, SPLIT_SEED);
  }

  /** The paper's train/dev/test with another shuffle seed. */
  public Splits splits(Path dataDir, long seed) {
    return splitsOf(readFiles(dataDir), seed, dataDir);
  }

  /** The paper's train/dev/test of already-read files. */
  public Splits splitsOf(Map<String, List<Example>> files, long seed, Path dataDir) {
    Splits s = recipe.apply(files, heldOut, seed, trainCap, split -> missing(split, dataDir));
    return kind == TaskKind.GENERATION ? onePerAnswer(s) : s;
  }

  /**
   * The paper's splits for training when only the training file may be present: a large dataset
   * ({@link SplitRecipe#CARVE_TRAIN}) without its validation file still gets train and dev, and an
   * empty test split with a warning (e.g. a source task whose official dev set was not downloaded).
   */
  public Splits trainingSplits(Path dataDir) {
    Map<String, List<Example>> files = readFiles(dataDir);
    if (recipe == SplitRecipe.CARVE_TRAIN && !files.containsKey(heldOut)) {
      LOG.warn(
          "{}: no {} file in {}, so there is no test split (dev is carved from train)",
          name,
          heldOut,
          folder(dataDir));
    }
    Splits s =
        recipe.apply(files, heldOut, SPLIT_SEED, trainCap, split -> missing(split, dataDir), true);
    return kind == TaskKind.GENERATION ? onePerAnswer(s) : s;
  }

  /** ATTEMPT trains QA tasks on one example per gold answer (its ReCoRD preprocessor). */
  private static Splits onePerAnswer(Splits s) {
    List<Example> train = new ArrayList<>(s.train().size());
    for (Example e : s.train()) {
      List<String> answers = e.answers();
      if (answers.size() <= 1) {
        train.add(e);
        continue;
      }
      for (int i = 0; i < answers.size(); i++) {
        train.add(
            new Example(
                e.id() + "#" + i,
                e.fields(),
                new Label.Answers(List.of(answers.get(i))),
                e.group()));
      }
    }
    return new Splits(train, s.dev(), s.test());
  }

  private DataException missing(String split, Path dataDir) {
    String recipeName = recipe.name().toLowerCase(Locale.ROOT).replace('_', '-');
    if (spec != null) {
      return UserTaskSpec.error(
          spec,
          "files",
          "the splits ("
              + recipeName
              + ") need a "
              + split
              + " file, which the spec does not list; add files."
              + split
              + " or choose other splits");
    }
    String path =
        files.stream()
            .filter(f -> f.split().equals(split))
            .map(SourceFile::path)
            .findFirst()
            .orElse(split);
    return new DataException(
        name
            + ": the paper's splits ("
            + recipeName
            + ") need the "
            + split
            + " file "
            + folder(dataDir).resolve(path)
            + ", which is not there; get it with './mptj data download "
            + name
            + "'");
  }

  /** The input of an encoder model: one text or a text pair. */
  public EncoderInput encoderInput(Example e) {
    return encoder.apply(e);
  }

  /** The T5 source text as ATTEMPT builds it, e.g. {@code "rte sentence1: … sentence2: …"}. */
  public String t5Source(Example e) {
    return T5Text.join(t5Prefix, t5Parts.apply(e));
  }

  /**
   * The T5 target: the class index as a digit string ("0", "1", "2"), the STS-B score rounded to
   * 0.2 ("3.4"), or the (first) answer text.
   */
  public String t5Target(Example e) {
    return switch (e.label()) {
      case Label.ClassIndex(int index) -> Integer.toString(index);
      case Label.Score(double value) -> T5Text.stsbTarget(value);
      case Label.Answers(List<String> texts) -> answerText.apply(texts.getFirst());
      case Label.None none ->
          throw new IllegalArgumentException("example " + e.id() + " is unlabelled");
    };
  }

  /**
   * The target strings a T5 model ranks for classification: "0".."n-1", or STS-B's 26 values
   * "0.0".."5.0"; empty for generation.
   */
  public List<String> t5LabelStrings() {
    return switch (kind) {
      case CLASSIFICATION ->
          Stream.iterate(0, i -> i + 1).limit(labels.size()).map(String::valueOf).toList();
      case REGRESSION ->
          Stream.iterate(0, i -> i + 1).limit(26).map(i -> T5Text.stsbTarget(i / 5.0)).toList();
      case GENERATION -> List.of();
    };
  }

  /** The class a generated T5 target names, or -1 when it names none (an invalid answer). */
  public int t5ToClass(String generated) {
    return kind == TaskKind.CLASSIFICATION ? t5LabelStrings().indexOf(generated.strip()) : -1;
  }

  /** The maximum input length in tokens: 256, 348 for MultiRC (MPT paper, p.16). */
  public int maxInputLength() {
    return maxInputLength;
  }

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

  /**
   * The file at {@code relative} under {@code folder}, or one level down (an unstripped top
   * folder).
   */
  public static Path locate(Path folder, String relative) {
    Path direct = folder.resolve(relative);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    try (Stream<Path> children = Files.list(folder)) {
      List<Path> found =
          children
              .filter(Files::isDirectory)
              .map(d -> d.resolve(relative))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
      return found.isEmpty() ? null : found.getFirst();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + folder, e);
    }
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
    private final List<SourceFile> files = new ArrayList<>();
    private SplitRecipe recipe;
    private Function<Example, List<String>> t5Parts;
    private Function<Example, EncoderInput> encoder;
    private List<Metric> metrics = List.of(Metric.ACCURACY);
    private Metric score;
    private int maxInputLength = DEFAULT_MAX_INPUT_LENGTH;
    private int trainCap;
    private Path home;
    private String source = "";
    private Path spec;
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

    public Builder file(String split, String path, FileReader reader) {
      files.add(new SourceFile(split, path, reader));
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

    public Builder spec(Path specFile) {
      this.spec = specFile;
      return this;
    }

    public Task build() {
      return new Task(this);
    }
  }
}
