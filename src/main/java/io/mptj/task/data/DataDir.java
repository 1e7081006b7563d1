package io.mptj.task.data;

import io.mptj.download.Locations;
import io.mptj.task.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the data directory, which holds {@code <benchmark>/<TASK>/<original files>}: the {@code
 * --data-dir} flag, else {@code $MPTJ_DATA_DIR}, else {@code ../shared/data} beside the project
 * checkout when it exists, else {@code <cache>/data} (where {@code ./mptj data download} puts files
 * by default).
 */
public final class DataDir {
  private DataDir() {}

  /** The environment variable naming the data directory. */
  public static final String ENV = "MPTJ_DATA_DIR";

  /**
   * The data directory to read from.
   *
   * @param flagOrNull the {@code --data-dir} value, or {@code null}
   * @throws DataException when the chosen directory does not exist, saying where it looked
   */
  public static Path resolve(Path flagOrNull) {
    return resolve(flagOrNull, System.getenv(), Locations.projectHome(), Locations.cacheDir());
  }

  /** As {@link #resolve(Path)}, with the environment and locations given (for tests). */
  static Path resolve(Path flag, Map<String, String> env, Path projectHome, Path cacheDir) {
    List<String> looked = new ArrayList<>();
    Path chosen = chosen(flag, env, projectHome, cacheDir, looked);
    if (!Files.isDirectory(chosen)) {
      throw new DataException(
          "no data directory: looked at "
              + String.join("; ", looked)
              + ". Set one with --data-dir DIR or MPTJ_DATA_DIR=DIR (a directory holding"
              + " <benchmark>/<TASK>/<files>, e.g. glue/RTE/train.tsv), or fetch data with"
              + " './mptj data download TASK'");
    }
    return chosen;
  }

  /** The data directory {@link #resolve(Path)} would read, or {@code null} when it is missing. */
  public static Path resolveOrNull(Path flagOrNull) {
    try {
      return resolve(flagOrNull);
    } catch (DataException e) {
      return null;
    }
  }

  /**
   * The directory downloads go to: the flag, else {@code $MPTJ_DATA_DIR}, else {@code
   * <cache>/data}; it need not exist yet.
   */
  public static Path forDownload(Path flagOrNull) {
    return forDownload(flagOrNull, System.getenv(), Locations.cacheDir());
  }

  /** As {@link #forDownload(Path)}, with the environment and cache given (for tests). */
  static Path forDownload(Path flag, Map<String, String> env, Path cacheDir) {
    if (flag != null) {
      return flag;
    }
    String dir = env.get(ENV);
    return dir != null && !dir.isBlank() ? Path.of(dir) : cacheDir.resolve("data");
  }

  private static Path chosen(
      Path flag, Map<String, String> env, Path projectHome, Path cacheDir, List<String> looked) {
    if (flag != null) {
      looked.add(flag + " (from --data-dir: missing)");
      return flag;
    }
    String dir = env.get(ENV);
    if (dir != null && !dir.isBlank()) {
      looked.add(dir + " (from $" + ENV + ": missing)");
      return Path.of(dir);
    }
    looked.add("--data-dir (not given)");
    looked.add("$" + ENV + " (not set)");
    Path shared = projectHome.resolve("../shared/data").normalize();
    if (Files.isDirectory(shared)) {
      return shared;
    }
    looked.add(shared + " (missing)");
    Path cache = cacheDir.resolve("data");
    looked.add(cache + " (missing)");
    return cache;
  }
}
