package io.mptj.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The T5 fixture folders the tests run on, each one a model directory ({@code config.json}, {@code
 * model.safetensors}) with a {@code reference.safetensors} of inputs (and, when recorded, outputs):
 *
 * <ul>
 *   <li><b>recorded</b>: every folder of {@code ../shared/fixtures/t5/} (HF outputs), found by
 *       listing the folder, so a fixture added there is picked up; none on a bare clone;
 *   <li><b>reshaped</b>: each recorded fixture reshaped by {@link T5FixtureReshaper#standard()}
 *       (other d_model, heads, d_kv, d_ff, layers, buckets and batch; the same HF outputs, permuted
 *       and zero-padded);
 *   <li><b>random</b>: {@link RandomT5Fixture#standard()} (other vocabulary, prompt, batch and
 *       sequence lengths too; no HF outputs), present everywhere.
 * </ul>
 *
 * <p>The derived fixtures are written once per JVM into a temporary folder deleted at exit.
 */
public final class T5Fixtures {
  private T5Fixtures() {}

  /** The folders of {@code ../shared/fixtures/t5/} holding a reference, sorted; may be empty. */
  public static List<Path> recorded() {
    Path root = Shared.optionalFixture("t5");
    if (root == null) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("reference.safetensors")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Recorded, reshaped and random fixtures. */
  public static List<Path> all() {
    List<Path> out = new ArrayList<>(recorded());
    out.addAll(Generated.RESHAPED);
    out.addAll(Generated.RANDOM);
    return out;
  }

  /**
   * The recorded fixtures and the first random one (other vocabulary and width, and a T5 on a bare
   * clone), for end-to-end tests whose cost rules out the reshaped copies, which compute the same
   * function as the recorded ones.
   */
  public static List<Path> recordedAndOneRandom() {
    List<Path> out = new ArrayList<>(recorded());
    out.add(Generated.RANDOM.getFirst());
    return out;
  }

  /** Generated once, on first use. */
  private static final class Generated {
    static final Path DIR = createDir();
    static final List<Path> RESHAPED = reshaped();
    static final List<Path> RANDOM = random();

    private static Path createDir() {
      try {
        Path dir = Files.createTempDirectory("mptj-t5-fixtures");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
        return dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static List<Path> reshaped() {
      List<Path> out = new ArrayList<>();
      for (Path source : recorded()) {
        Path target = DIR.resolve(source.getFileName() + "-reshaped");
        T5FixtureReshaper.standard().write(source, target);
        out.add(target);
      }
      return List.copyOf(out);
    }

    private static List<Path> random() {
      List<Path> out = new ArrayList<>();
      for (RandomT5Fixture f : RandomT5Fixture.standard()) {
        Path target = DIR.resolve(f.name());
        f.write(target);
        out.add(target);
      }
      return List.copyOf(out);
    }

    private static void delete(Path dir) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // best effort at JVM exit
      }
    }
  }
}
