package io.mptj.task;

import io.mptj.engine.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a task's original files are, how to read them and how the paper splits them into
 * train/dev/test: a built-in task's files lie under {@code <data dir>/<benchmark>/<TASK>/}, a user
 * task's next to its spec file.
 *
 * @param task the task's name, in messages and as its folder under the data directory
 * @param kind generation tasks train on one example per gold answer
 * @param files its original files
 * @param recipe the paper's train/dev/test recipe
 * @param heldOut the original split that plays the validation set's role (Yelp has only train and
 *     test)
 * @param trainCap the most train examples the paper uses (Yelp: 100,000), or 0 for all
 * @param home the folder holding the files when it is not under the data directory, or null
 * @param spec the user task's spec, or null for a built-in task
 */
public record TaskFiles(
    String task,
    TaskKind kind,
    List<SourceFile> files,
    SplitRecipe recipe,
    String heldOut,
    int trainCap,
    Path home,
    Spec spec) {

  /** Copies the file list. */
  public TaskFiles {
    files = List.copyOf(files);
  }

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

  /**
   * How a user task's spec file reports a problem with one of its fields (the spec reader knows the
   * line the field is on).
   */
  @FunctionalInterface
  public interface SpecErrors {
    DataException at(String field, String what);
  }

  /**
   * A user task's spec file and how to report errors in it.
   *
   * @param file the spec file; the task's files are relative to its folder
   * @param errors errors about its fields
   */
  public record Spec(Path file, SpecErrors errors) {}

  /** The folder holding the task's original files under a data directory. */
  public Path folder(Path dataDir) {
    return home != null ? home : dataDir.resolve(task);
  }

  /** The original files the task reads, split name to path under its folder. */
  public Map<String, String> expected() {
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
      throw noFolder(folder);
    }
    Map<String, ReadResult> out = new LinkedHashMap<>();
    for (SourceFile f : files) {
      Path file = spec == null ? locate(folder, f.path()) : userFile(folder, f);
      if (file != null) {
        ReadResult r = f.reader().read(file, f.split());
        if (r.warning() != null) {
          warn(task + ": " + r.warning());
        }
        out.put(f.split(), r);
      }
    }
    if (out.isEmpty()) {
      throw new DataException(
          folder + " holds none of the files of " + task + ": " + expected().values());
    }
    return out;
  }

  /** The examples of each original file present, split name to examples in file order. */
  public Map<String, List<Example>> readExamples(Path dataDir) {
    Map<String, List<Example>> out = new LinkedHashMap<>();
    read(dataDir).forEach((split, r) -> out.put(split, r.examples()));
    return out;
  }

  /** The paper's train/dev/test with another shuffle seed. */
  public Splits splits(Path dataDir, long seed) {
    return splitsOf(readExamples(dataDir), seed, dataDir);
  }

  /** The paper's train/dev/test of already-read files. */
  public Splits splitsOf(Map<String, List<Example>> read, long seed, Path dataDir) {
    Splits s = recipe.apply(read, heldOut, seed, trainCap, problems(dataDir));
    return kind == TaskKind.GENERATION ? onePerAnswer(s) : s;
  }

  /**
   * The paper's splits for training when only the training file may be present: a large dataset
   * ({@link SplitRecipe#CARVE_TRAIN}) without its validation file still gets train and dev, and an
   * empty test split with a warning (e.g. a source task whose official dev set was not downloaded).
   */
  public Splits trainingSplits(Path dataDir, long seed) {
    Map<String, List<Example>> read = readExamples(dataDir);
    if (recipe == SplitRecipe.CARVE_TRAIN && !read.containsKey(heldOut)) {
      warn(
          task
              + ": no "
              + heldOut
              + " file in "
              + folder(dataDir)
              + ", so there is no test split (dev is carved from train)");
    }
    Splits s = recipe.apply(read, heldOut, seed, trainCap, problems(dataDir), true);
    return kind == TaskKind.GENERATION ? onePerAnswer(s) : s;
  }

  /** A recipe's errors, naming this task and the file at fault. */
  private SplitRecipe.Problems problems(Path dataDir) {
    return new SplitRecipe.Problems() {
      @Override
      public DataException missing(String split) {
        return TaskFiles.this.missing(split, dataDir);
      }

      @Override
      public DataException unlabelled(String split, String exampleId) {
        return DataException.inFile(
            fileOf(split, dataDir),
            task
                + ": the "
                + split
                + " file is unlabelled (example "
                + exampleId
                + "), it cannot be split");
      }
    };
  }

  /** Where split {@code split}'s file is (or would be) under the task's folder. */
  private Path fileOf(String split, Path dataDir) {
    Path folder = folder(dataDir);
    String relative =
        files.stream()
            .filter(f -> f.split().equals(split))
            .map(SourceFile::path)
            .findFirst()
            .orElse(split);
    Path found = Files.isDirectory(folder) ? locate(folder, relative) : null;
    return found != null ? found : folder.resolve(relative);
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

  /** Warnings name {@link Task} as their source, as when Task read its own files. */
  private static void warn(String message) {
    Reporter.current().warn(Task.class, message);
  }

  private DataException noFolder(Path folder) {
    return new DataException(
        "no data for "
            + task
            + ": "
            + folder
            + " does not exist; get it with './mptj data download "
            + task
            + "' or point --data-dir / MPTJ_DATA_DIR at a directory holding "
            + task
            + "/"
            + String.join(", ", expected().values()));
  }

  /**
   * A file a user task's spec lists, relative to the spec's folder; its absence is an error naming
   * the spec's {@code files} entry.
   */
  private Path userFile(Path folder, SourceFile f) {
    Path file = folder.resolve(f.path());
    if (!Files.isRegularFile(file)) {
      throw spec.errors()
          .at(
              "files." + f.split(),
              f.path() + " is not there (" + file + "; paths are relative to the spec file)");
    }
    return file;
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
      return spec.errors()
          .at(
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
        task
            + ": the paper's splits ("
            + recipeName
            + ") need the "
            + split
            + " file "
            + folder(dataDir).resolve(path)
            + ", which is not there; get it with './mptj data download "
            + task
            + "'");
  }
}
