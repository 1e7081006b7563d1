package io.mptj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.testing.Reliability;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's kill test: each stage ({@code source}, {@code distill}, {@code adapt}, {@code
 * experiment}) is killed with SIGKILL at several random moments (checkpoint and report writes
 * included, where they fall), started again until it finishes, and must end with the same files as
 * an uninterrupted run: every tensor file byte for byte, every JSON file equal but for wall-clock
 * fields. The CLI runs in child JVMs on a tiny random BERT; the moments come from a fixed seed.
 */
@Reliability
class KillAnywhereTest {

  /** Kills per stage (each at a random moment of an uninterrupted run's duration). */
  static final int KILLS = Integer.getInteger("mptj.kills", 4);

  /**
   * JSON fields that measure the process rather than the result (wall-clock time, speed, memory),
   * and so differ between any two runs.
   */
  static final List<String> CLOCK =
      List.of(
          "seconds",
          "wall",
          "time",
          "elapsed",
          "per_s",
          "date",
          "started",
          "finished",
          "_ms",
          "rss");

  @TempDir static Path work;
  static Path model;
  static Path data;
  static String a;
  static String b;
  static String c;
  static final Random RNG = new Random(13);

  @BeforeAll
  static void setUp() throws IOException {
    model = TinyBert.writeRandom(work.resolve("bert"), 9);
    data = work.resolve("data");
    a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1).reference();
    b = ToyTasks.task(data, "toy/b", ToyTasks.SPORT, ToyTasks.FOOD, 2).reference();
    c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
  }

  static List<String> common() {
    return List.of(
        "--backbone",
        model.toString(),
        "--data-dir",
        data.toString(),
        "--prompt-length",
        "4",
        "--max-length",
        "24",
        "--batch-size",
        "8",
        "--eval-every",
        "40",
        "--no-progress");
  }

  @Test
  void sourceDistillAndAdaptEndAsIfNeverKilled() throws Exception {
    Path source =
        survives("source", withCommon("source", "--tasks", a + "," + b, "--steps", "160"));
    Path distill =
        survives(
            "distill", withCommon("distill", "--teachers", source.toString(), "--steps", "160"));
    survives(
        "adapt",
        withCommon(
            "adapt",
            "--method",
            "mpt",
            "--from",
            distill.toString(),
            "--task",
            c,
            "--steps",
            "160"));
  }

  @Test
  void anExperimentEndsAsIfNeverKilled() throws Exception {
    Path spec = work.resolve("spec.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "title: kill",
            "backbone: " + model,
            "seeds: [1, 2]",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 10}",
            "source: {tasks: [" + a + ", " + b + "], hyper: {steps: 30}}",
            "distill: {hyper: {steps: 30}}",
            "targets: {tasks: [" + c + "], methods: [pt, mpt], hyper: {steps: 30}}",
            ""));
    survives(
        "experiment",
        List.of("experiment", spec.toString(), "--data-dir", data.toString(), "--no-progress"));
  }

  private static List<String> withCommon(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(common());
    return all;
  }

  /**
   * Runs {@code args} once uninterrupted and once with {@link #KILLS} kills, then compares.
   *
   * @return the uninterrupted run's output directory
   */
  static Path survives(String name, List<String> args) throws Exception {
    Path straight = work.resolve(name + "-straight");
    long t0 = System.nanoTime();
    assertEquals(0, cli(args, straight).waitFor(), name + " uninterrupted: see " + log(straight));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    Path killed = work.resolve(name + "-killed");
    int kills = 0;
    // a run that ends before its first kill proves nothing: start again, killing sooner
    for (double reach = 1; kills == 0 && reach > 0.1; reach /= 2) {
      deleteTree(killed);
      kills = killAndResume(name, args, killed, (long) (millis * reach));
    }
    assertTrue(kills > 0, name + ": no kill landed before the run ended");
    assertSameFiles(straight, killed);
    return straight;
  }

  /**
   * Starts the run up to {@link #KILLS} times, each killed at a random moment within {@code millis}
   * unless it ends first, then runs it to the end.
   *
   * @return how many starts were killed
   */
  private static int killAndResume(String name, List<String> args, Path killed, long millis)
      throws Exception {
    int kills = 0;
    boolean finished = false;
    for (int i = 0; i < KILLS && !finished; i++) {
      Process p = cli(args, killed);
      // the JVM's start-up is about a second of every run; kill anywhere after it (the first
      // kill in the first half, so that it lands before the run can end)
      long span = Math.max(1, (i == 0 ? millis / 2 : millis) - 800);
      long at = 800 + (long) (RNG.nextDouble() * span);
      if (!p.waitFor(at, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        kills++;
      } else {
        assertEquals(0, p.exitValue(), name + " restarted: see " + log(killed));
        finished = true; // what was left after the last kill ran to the end
      }
    }
    if (!finished) {
      assertEquals(0, cli(args, killed).waitFor(), name + " resumed: see " + log(killed));
    }
    return kills;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static void assertSameFiles(Path expected, Path actual) throws IOException {
    Map<String, Path> want = files(expected);
    Map<String, Path> got = files(actual);
    rootNames = new String[] {actual.toString(), expected.toString()};
    assertEquals(want.keySet(), got.keySet(), "the same files in " + actual);
    List<String> differ = new ArrayList<>();
    for (String f : want.keySet()) {
      if (rendered(f, want.keySet())) {
        continue; // the report's tables show wall time and memory; report.json, its data, is
        // compared
      }
      if (!same(want.get(f), got.get(f))) {
        differ.add(f + where(want.get(f), got.get(f)));
      }
    }
    assertEquals(List.of(), differ, "files that differ from the uninterrupted run's");
  }

  /** The killed run's directory and the uninterrupted one's, which files may name. */
  private static String[] rootNames = {"", ""};

  /** A file's bytes, with the killed run's own directory written as the uninterrupted run's. */
  private static byte[] read(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    String n = f.getFileName().toString();
    if (n.endsWith(".safetensors") || rootNames[0].isEmpty()) {
      return b;
    }
    return new String(b, java.nio.charset.StandardCharsets.UTF_8)
        .replace(rootNames[0], rootNames[1])
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static boolean same(Path x, Path y) throws IOException {
    byte[] bx = read(x);
    byte[] by = read(y);
    if (Arrays.equals(bx, by)) {
      return true;
    }
    String n = x.getFileName().toString();
    if (n.endsWith(".json")) {
      return clockless(bx).equals(clockless(by));
    }
    if (n.endsWith(".jsonl")) {
      List<String> lx = new String(bx, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      List<String> ly = new String(by, java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      if (lx.size() != ly.size()) {
        return false;
      }
      for (int i = 0; i < lx.size(); i++) {
        if (!clockless(lx.get(i).getBytes()).equals(clockless(ly.get(i).getBytes()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether {@code f} is a rendering (results.md, results.html) of a report.json beside it. */
  private static boolean rendered(String f, java.util.Set<String> all) {
    Path p = Path.of(f);
    String n = p.getFileName().toString();
    String json = p.resolveSibling("report.json").toString();
    return (n.equals("results.md") || n.equals("results.html")) && all.contains(json);
  }

  /** The first JSON field where two files differ, for the message. */
  private static String where(Path x, Path y) throws IOException {
    String n = x.getFileName().toString();
    if (!n.endsWith(".json")) {
      return "";
    }
    return " at "
        + firstDifference("", clockless(Files.readAllBytes(x)), clockless(Files.readAllBytes(y)));
  }

  private static String firstDifference(String path, JsonNode x, JsonNode y) {
    if (x.isContainerNode() && y.isContainerNode() && x.size() == y.size()) {
      var names = new ArrayList<String>();
      x.fieldNames().forEachRemaining(names::add);
      if (x.isArray()) {
        for (int i = 0; i < x.size(); i++) {
          if (!x.get(i).equals(y.get(i))) {
            return firstDifference(path + "[" + i + "]", x.get(i), y.get(i));
          }
        }
      }
      for (String k : names) {
        if (!x.get(k).equals(y.get(k))) {
          return y.has(k) ? firstDifference(path + "." + k, x.get(k), y.get(k)) : path + "." + k;
        }
      }
    }
    return path + ": " + abbreviate(x) + " vs " + abbreviate(y);
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  private static JsonNode clockless(byte[] json) throws IOException {
    JsonNode n = new ObjectMapper().readTree(json);
    strip(n);
    return n;
  }

  private static void strip(JsonNode n) {
    if (n instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      o.fieldNames()
          .forEachRemaining(
              k -> {
                if (CLOCK.stream().anyMatch(k::contains)) {
                  drop.add(k);
                }
              });
      o.remove(drop);
    }
    n.forEach(KillAnywhereTest::strip);
  }

  private static Map<String, Path> files(Path root) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(p -> out.put(root.relativize(p).toString(), p));
    }
    return out;
  }

  private static Path log(Path out) {
    return io.mptj.testing.Cli.log(out);
  }

  private static Process cli(List<String> args, Path out) throws IOException {
    return io.mptj.testing.Cli.start(args, out);
  }
}
