package io.mptj.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared material (../shared beside the project root, or $MPTJ_SHARED) for tests. */
public final class Shared {
  private Shared() {}

  /** The shared folder; the calling test is skipped, saying why, when it is absent. */
  public static Path root() {
    Path p = location();
    assumeTrue(Files.isDirectory(p), "shared material not found at " + p + " (set MPTJ_SHARED)");
    return p;
  }

  /** Where the shared folder is expected: $MPTJ_SHARED, else ../shared beside the project. */
  public static Path location() {
    String env = System.getenv("MPTJ_SHARED");
    return env != null
        ? Path.of(env)
        : Path.of(System.getProperty("user.dir")).resolve("../shared").normalize();
  }

  /** A path under the shared fixtures folder. */
  public static Path fixture(String relative) {
    Path p = root().resolve("fixtures").resolve(relative);
    assumeTrue(Files.exists(p), "fixture not found: " + p);
    return p;
  }

  /**
   * A path under the shared fixtures folder, or null when it (or the shared folder) is absent; for
   * tests that run on other fixtures too and so must not be skipped.
   */
  public static Path optionalFixture(String relative) {
    Path p = location().resolve("fixtures").resolve(relative);
    return Files.exists(p) ? p : null;
  }

  /** The shared data directory. */
  public static Path data() {
    String env = System.getenv("MPTJ_DATA_DIR");
    Path p = env != null ? Path.of(env) : root().resolve("data");
    assumeTrue(Files.isDirectory(p), "data directory not found: " + p);
    return p;
  }
}
