package io.mptj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's allocator choice ({@code native/malloc.sh}, sourced by {@code ./mptj}): tcmalloc
 * when installed, the settings that force or refuse it, a clear line for a missing or misspelled
 * one, LD_PRELOAD appended once after the MKL shim, and one glibc arena where glibc's malloc stays.
 */
class MallocScriptTest {

  private static final Path SCRIPT = Path.of("native/malloc.sh").toAbsolutePath();

  @TempDir Path libs;

  @Test
  void autoPicksTcmallocWhenInstalledAndGlibcOtherwise() throws Exception {
    assertEquals("", run("mptj_malloc_library", Map.of()).out().strip(), "nothing installed");
    Path tc = Files.createFile(libs.resolve("libtcmalloc_minimal.so.4"));
    assertEquals(tc.toString(), run("mptj_malloc_library", Map.of()).out().strip());
    assertEquals("", run("mptj_malloc_library", Map.of("MPTJ_MALLOC", "system")).out().strip());
  }

  @Test
  void aMissingOrUnknownAllocatorIsOneLineAndGlibc() throws Exception {
    Result missing = run("mptj_malloc_library", Map.of("MPTJ_MALLOC", "jemalloc"));
    assertEquals("", missing.out().strip());
    assertTrue(missing.err().contains("apt-get install libjemalloc2"), missing.err());
    Result bad = run("mptj_malloc_library", Map.of("MPTJ_MALLOC", "fast"));
    assertEquals("", bad.out().strip());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());
    assertTrue(bad.err().contains("must be auto, tcmalloc, jemalloc or system"), bad.err());
  }

  @Test
  void applyAppendsToLdPreloadOnceAndNamesTheChoice() throws Exception {
    Path je = Files.createFile(libs.resolve("libjemalloc.so.2"));
    Result r =
        run(
            "LD_PRELOAD=/shim.so; mptj_malloc_apply; mptj_malloc_apply;"
                + " echo \"$LD_PRELOAD $MPTJ_ALLOCATOR\"",
            Map.of("MPTJ_MALLOC", "jemalloc"));
    assertEquals(0, r.exit(), r.err());
    assertEquals("/shim.so:" + je + " " + je, r.out().strip());
    Result none = run("mptj_malloc_apply; echo \"[${LD_PRELOAD:-}] $MPTJ_ALLOCATOR\"", Map.of());
    assertEquals("[] system", none.out().strip());
  }

  @Test
  void glibcGetsOneArenaUnlessTheUserChoseAndTcmallocNone() throws Exception {
    String show = "mptj_malloc_apply; echo \"${MALLOC_ARENA_MAX:-unset}\"";
    assertEquals("1", run(show, Map.of()).out().strip(), "glibc, nothing set");
    assertEquals("4", run(show, Map.of("MALLOC_ARENA_MAX", "4")).out().strip(), "the user's");
    Files.createFile(libs.resolve("libtcmalloc_minimal.so.4"));
    assertEquals("unset", run(show, Map.of()).out().strip(), "tcmalloc has its own caches");
  }

  /** Under {@code ./mptj test} with tcmalloc installed, this Surefire fork has it mapped. */
  @Test
  void aTestJvmStartedThroughTheLauncherHasTheAllocatorLoaded() throws Exception {
    String chosen = System.getenv().getOrDefault("MPTJ_ALLOCATOR", "");
    assumeTrue(chosen.startsWith("/"), "not run through ./mptj, or no allocator installed");
    String maps = Files.readString(Path.of("/proc/self/maps"));
    assertTrue(maps.contains(Path.of(chosen).getFileName().toString()), chosen + " not mapped");
  }

  record Result(int exit, String out, String err) {}

  private Result run(String command, Map<String, String> env) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash");
    ProcessBuilder pb =
        new ProcessBuilder("/bin/bash", "-c", "set -euo pipefail; . '" + SCRIPT + "'; " + command);
    pb.environment().remove("MPTJ_MALLOC");
    pb.environment().remove("LD_PRELOAD");
    pb.environment().remove("MPTJ_ALLOCATOR");
    pb.environment().remove("MALLOC_ARENA_MAX");
    pb.environment().put("MPTJ_MALLOC_DIRS", libs.toString());
    pb.environment().putAll(env);
    Path err = Files.createTempFile("malloc", ".err");
    try {
      pb.redirectError(err.toFile());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.waitFor(), out, Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
