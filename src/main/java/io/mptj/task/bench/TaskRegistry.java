package io.mptj.task.bench;

import io.mptj.task.DataException;
import io.mptj.task.Task;
import io.mptj.task.data.DataDir;
import io.mptj.task.read.UserTaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every task of the MPT paper that mptj knows (arXiv 2303.02861 §4.1: GLUE, SuperGLUE, the
 * "others"), plus the QA source tasks ReCoRD and SQuAD, by name {@code benchmark/TASK} as the data
 * directory lays them out. A path ending in {@code .json}, {@code .yaml} or {@code .yml} names a
 * user task spec instead ({@link UserTaskSpec}).
 */
public final class TaskRegistry {
  private TaskRegistry() {}

  private static final Map<String, Task> TASKS = build();

  private static Map<String, Task> build() {
    Map<String, Task> out = new LinkedHashMap<>();
    List<Task> all = new ArrayList<>();
    all.addAll(Glue.all());
    all.addAll(SuperGlue.all());
    all.addAll(Others.all());
    all.forEach(t -> out.put(t.name(), t));
    return Collections.unmodifiableMap(out);
  }

  /** All built-in tasks, GLUE first, then SuperGLUE, then the others. */
  public static List<Task> all() {
    return List.copyOf(TASKS.values());
  }

  /**
   * The task of that name, or the user task a spec file describes.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   * @throws DataException for a bad spec file
   */
  public static Task get(String name) {
    return get(name, null);
  }

  /**
   * As {@link #get(String)}; a name that is neither a known task nor a spec file may also be a
   * folder of the data directory holding a user task spec ({@code extra/mnli-sample} for {@code
   * <data>/extra/mnli-sample/task.yaml}).
   *
   * @param dataDir the data directory, or null for the default one ({@code $MPTJ_DATA_DIR}, …)
   */
  public static Task get(String name, Path dataDir) {
    Path inData = specInDataDir(name, dataDir);
    return inData != null ? get(inData.toString(), null) : named(name);
  }

  private static Path specInDataDir(String name, Path dataDir) {
    if (TASKS.containsKey(name) || name.isBlank() || name.contains("..")) {
      return null;
    }
    Path dir = dataDir != null ? dataDir : DataDir.resolveOrNull(null);
    if (dir == null) {
      return null;
    }
    for (String file : List.of("task.yaml", "task.yml", "task.json")) {
      Path spec = dir.resolve(name).resolve(file);
      if (Files.isRegularFile(spec)) {
        return spec;
      }
    }
    return null;
  }

  private static Task named(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json") || lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      Path spec = Path.of(name);
      return UserTaskSpec.load(spec).toTask(spec);
    }
    Task t = TASKS.get(name);
    if (t == null) {
      t =
          TASKS.values().stream()
              .filter(x -> x.name().equalsIgnoreCase(name))
              .findFirst()
              .orElse(null);
    }
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown task '"
              + name
              + "'; known tasks: "
              + String.join(", ", TASKS.keySet())
              + " (or a user task spec ending in .json/.yaml, or a data-directory folder holding"
              + " task.yaml, e.g. extra/mnli-sample)");
    }
    return t;
  }
}
