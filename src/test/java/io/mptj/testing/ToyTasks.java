package io.mptj.testing;

import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small synthetic user tasks (JSONL files and a YAML spec) for pipeline tests. */
public final class ToyTasks {
  private ToyTasks() {}

  public static final String[] POS = {"good", "great", "fine", "nice", "happy", "love"};
  public static final String[] NEG = {"bad", "awful", "poor", "sad", "hate", "ugly"};
  public static final String[] SPORT = {"ball", "team", "goal", "match", "run", "game"};
  public static final String[] FOOD = {"bread", "soup", "rice", "cake", "tea", "fish"};
  private static final String[] FILL = {"the", "a", "this", "it", "was", "very", "and", "so"};

  /**
   * Writes a binary user task under {@code data/<name>/}: label "yes" iff the sentence's cue words
   * come from {@code yes}; 160 training and 60 validation rows (halved into dev and test).
   */
  public static Task task(Path data, String name, String[] yes, String[] no, long seed)
      throws IOException {
    return task(data, name, yes, no, seed, "yes", "no");
  }

  /**
   * As {@link #task(Path, String, String[], String[], long)}, its classes named {@code yesName},
   * {@code noName}.
   */
  public static Task task(
      Path data, String name, String[] yes, String[] no, long seed, String yesName, String noName)
      throws IOException {
    Path dir = data.resolve(name);
    Files.createDirectories(dir);
    Random rng = new Random(seed);
    Files.write(dir.resolve("train.jsonl"), lines(rng, 160, yes, no, yesName, noName));
    Files.write(dir.resolve("dev.jsonl"), lines(rng, 60, yes, no, yesName, noName));
    Path spec = dir.resolve("task.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: " + name,
            "files: {train: train.jsonl, validation: dev.jsonl}",
            "text: text",
            "label: label",
            "labels: [" + noName + ", " + yesName + "]",
            ""));
    return TaskRegistry.get(spec.toString());
  }

  private static List<String> lines(
      Random rng, int n, String[] yes, String[] no, String yesName, String noName) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean label = rng.nextBoolean();
      String[] cue = label ? yes : no;
      List<String> words = new ArrayList<>();
      for (int j = 0; j < 6; j++) {
        words.add(j % 2 == 0 ? cue[rng.nextInt(cue.length)] : FILL[rng.nextInt(FILL.length)]);
      }
      out.add(
          "{\"text\": \""
              + String.join(" ", words)
              + "\", \"label\": \""
              + (label ? yesName : noName)
              + "\"}");
    }
    return out;
  }
}
