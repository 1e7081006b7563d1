package io.mptj.task.data;

import io.mptj.task.DataException;
import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.ReadResult;
import io.mptj.task.SplitRecipe;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * What {@code ./mptj data --task T} prints: the rows of each original file, the sizes after the
 * paper's splitting, the label distribution, and percentiles of the encoder input's length in
 * tokens; and what {@code ./mptj data check} does: read every file of every task present.
 */
public final class DataSummary {
  private DataSummary() {}

  /** At most this many examples are tokenized for the length percentiles. */
  public static final int TOKEN_SAMPLE = 10_000;

  /**
   * A JSON-ready description of a task's data.
   *
   * @param tokens counts the tokens of an encoder input, special tokens included
   */
  public static Map<String, Object> describe(
      Task task, Path dataDir, ToIntFunction<EncoderInput> tokens) {
    Map<String, ReadResult> read = task.read(dataDir);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", task.name());
    out.put("kind", task.kind().name().toLowerCase(Locale.ROOT));
    out.put("labels", task.labels());
    out.put("folder", task.folder(dataDir).toString());
    Map<String, Integer> files = new LinkedHashMap<>();
    Map<String, Integer> skipped = new LinkedHashMap<>();
    read.forEach(
        (split, r) -> {
          files.put(split, r.examples().size());
          if (!r.skippedLines().isEmpty()) {
            skipped.put(split, r.skippedLines().size());
          }
        });
    out.put("files", files);
    if (!skipped.isEmpty()) {
      out.put("skipped_rows", skipped);
    }
    Map<String, List<Example>> examples = new LinkedHashMap<>();
    read.forEach((split, r) -> examples.put(split, r.examples()));
    putSplits(out, task, examples, dataDir);
    Map<String, Object> dist = new LinkedHashMap<>();
    examples.forEach((split, list) -> dist.put(split, distribution(task, list)));
    out.put("label_distribution", dist);
    out.put("token_lengths", tokenLengths(task, examples, tokens));
    out.put("metrics", task.metricNames());
    out.put("score", task.scoreMetric().key());
    out.put("split_recipe", task.splitRecipe().name().toLowerCase(Locale.ROOT));
    return out;
  }

  private static void putSplits(
      Map<String, Object> out, Task task, Map<String, List<Example>> examples, Path dataDir) {
    try {
      Splits s = task.splitsOf(examples, Task.SPLIT_SEED, dataDir);
      Map<String, Integer> sizes = new LinkedHashMap<>();
      sizes.put("train", s.train().size());
      sizes.put("dev", s.dev().size());
      sizes.put("test", s.test().size());
      out.put("splits", sizes);
    } catch (DataException e) {
      out.put("splits", null);
      out.put("splits_error", e.getMessage());
    }
  }

  private static Map<String, Object> distribution(Task task, List<Example> list) {
    Map<String, Object> out = new LinkedHashMap<>();
    long unlabelled = list.stream().filter(e -> !e.labelled()).count();
    switch (task.kind()) {
      case CLASSIFICATION -> {
        for (String l : task.labels()) {
          out.put(l, 0L);
        }
        for (Example e : list) {
          if (e.labelled()) {
            out.merge(task.labels().get(e.classIndex()), 1L, (a, b) -> (Long) a + (Long) b);
          }
        }
      }
      case REGRESSION -> {
        var stats =
            list.stream().filter(Example::labelled).mapToDouble(Example::score).summaryStatistics();
        if (stats.getCount() > 0) {
          out.put("min", stats.getMin());
          out.put("mean", stats.getAverage());
          out.put("max", stats.getMax());
        }
      }
      case GENERATION ->
          out.put(
              "answers_per_example",
              list.stream().mapToInt(e -> e.answers().size()).average().orElse(0));
    }
    if (unlabelled > 0) {
      out.put("unlabelled", unlabelled);
    }
    return out;
  }

  private static Map<String, Object> tokenLengths(
      Task task, Map<String, List<Example>> examples, ToIntFunction<EncoderInput> tokens) {
    List<Example> all = new ArrayList<>();
    examples.values().forEach(all::addAll);
    List<Example> sample =
        all.size() <= TOKEN_SAMPLE ? all : SplitRecipe.shuffled(all, 0).subList(0, TOKEN_SAMPLE);
    int[] n =
        sample.stream().mapToInt(e -> tokens.applyAsInt(task.encoderInput(e))).sorted().toArray();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("examples", n.length);
    out.put("of", all.size());
    for (int p : new int[] {50, 90, 95, 99}) {
      out.put("p" + p, percentile(n, p));
    }
    out.put("max", n.length == 0 ? 0 : n[n.length - 1]);
    return out;
  }

  /** The nearest-rank percentile of sorted values. */
  static int percentile(int[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /**
   * Reads every file of every built-in task whose folder is in {@code dataDir} (or only {@code
   * only}, when given), stopping at the first bad file.
   *
   * @return one line per file read: task, split, file, rows
   * @throws DataException for the first bad file, naming it
   */
  public static List<String> check(Path dataDir, Task only) {
    List<Task> tasks =
        only != null
            ? List.of(only)
            : TaskRegistry.all().stream()
                .filter(t -> Files.isDirectory(t.folder(dataDir)))
                .toList();
    if (tasks.isEmpty()) {
      throw new DataException(
          "no task folders in " + dataDir + " (expected e.g. " + dataDir.resolve("glue/RTE") + ")");
    }
    List<String> lines = new ArrayList<>();
    for (Task t : tasks) {
      t.read(dataDir)
          .forEach(
              (split, r) ->
                  lines.add(
                      String.join(
                              "\t",
                              Arrays.asList(
                                  t.name(),
                                  split,
                                  r.file().toString(),
                                  Integer.toString(r.examples().size())))
                          + (r.warning() == null ? "" : "\t" + r.warning())));
    }
    return lines;
  }
}
