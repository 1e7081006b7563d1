package io.mptj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's MKL shim logic ({@code native/mkl-shim.sh}, sourced by {@code ./mptj}): which CPUs
 * get it (from a fake {@code /proc/cpuinfo} through {@code MPTJ_CPUINFO}), the opt-out and the
 * forcing switch, the build, and the one line printed when no compiler is found.
 */
class MklShimScriptTest {

  private static final Path SCRIPT = Path.of("native/mkl-shim.sh").toAbsolutePath();
  private static final Path SOURCE = Path.of("native/mkl_shim.c").toAbsolutePath();

  @TempDir Path tmp;

  record Result(int exit, String out, String err) {}

  private static final String AMD = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n";
  private static final String INTEL = "processor\t: 0\nvendor_id\t: GenuineIntel\n";
  private static final String HYGON = "processor\t: 0\nvendor_id\t: HygonGenuine\n";
  private static final String ARM = "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n";

  @Test
  void appliesOnNonIntelX86VendorsOnly() throws Exception {
    assertEquals("yes", wanted(AMD, null));
    assertEquals("yes", wanted(HYGON, null));
    assertEquals("no", wanted(INTEL, null));
    assertEquals("no", wanted(ARM, null), "no vendor_id (e.g. ARM): no x86 MKL to fix");
    assertEquals("yes", wanted(AMD + "processor\t: 1\nvendor_id\t: AuthenticAMD\n", "auto"));
  }

  @Test
  void optOutAndForcing() throws Exception {
    assertEquals("no", wanted(AMD, "0"));
    assertEquals("yes", wanted(INTEL, "1"));
    Result bad = bash("MPTJ_MKL_SHIM=maybe mptj_mkl_shim_wanted", Map.of());
    assertEquals("no", bad.out().strip());
    assertTrue(bad.err().contains("MPTJ_MKL_SHIM must be 0, 1 or auto"), bad.err());
  }

  @Test
  void vendorIsReadFromTheFirstEntry() throws Exception {
    Path info = cpuinfo(AMD);
    assertEquals(
        "AuthenticAMD",
        bash("mptj_cpu_vendor", Map.of("MPTJ_CPUINFO", info.toString())).out().strip());
    assertEquals("", bash("mptj_cpu_vendor", Map.of("MPTJ_CPUINFO", "/nonexistent")).out().strip());
  }

  @Test
  void buildsALibraryWhoseFunctionReturnsOneAndReusesIt() throws Throwable {
    assumeTrue(onPath("cc"), "no C compiler (cc) on the PATH");
    Path lib = tmp.resolve("native/libmptj_mkl_shim.so");
    Result built = bash("mptj_mkl_shim_build '" + SOURCE + "' '" + lib + "'", Map.of());
    assertEquals(0, built.exit(), built.err());
    assertEquals(lib.toString(), built.out().strip());
    try (Arena arena = Arena.ofConfined()) {
      MethodHandle f =
          Linker.nativeLinker()
              .downcallHandle(
                  SymbolLookup.libraryLookup(lib, arena)
                      .find("mkl_serv_intel_cpu_true")
                      .orElseThrow(),
                  FunctionDescriptor.of(ValueLayout.JAVA_INT));
      assertEquals(1, (int) f.invokeExact());
    }
    FileTime first = Files.getLastModifiedTime(lib);
    Thread.sleep(20);
    assertEquals(
        lib.toString(),
        bash("mptj_mkl_shim_build '" + SOURCE + "' '" + lib + "'", Map.of()).out().strip());
    assertEquals(first, Files.getLastModifiedTime(lib), "an up-to-date shim is not rebuilt");
  }

  @Test
  void withoutACompilerItSaysSoOnOneLineAndAppliesNothing() throws Exception {
    Path root = projectCopy();
    Result r =
        bash(
            "mptj_mkl_shim_apply '" + root + "'; echo \"preload=${LD_PRELOAD:-}\"",
            Map.of("MPTJ_CPUINFO", cpuinfo(AMD).toString(), "CC", "/nonexistent/cc"));
    assertEquals(0, r.exit(), r.err());
    assertEquals("preload=", r.out().strip());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("AuthenticAMD") && r.err().contains("MPTJ_MKL_SHIM=0"), r.err());
  }

  @Test
  void applyPutsTheShimFirstInLdPreloadOnce() throws Exception {
    assumeTrue(onPath("cc"), "no C compiler (cc) on the PATH");
    Path root = projectCopy();
    Path lib = root.resolve("target/native/libmptj_mkl_shim.so");
    Map<String, String> amd = Map.of("MPTJ_CPUINFO", cpuinfo(AMD).toString());
    Result r =
        bash(
            "LD_PRELOAD=/x.so; mptj_mkl_shim_apply '"
                + root
                + "'; mptj_mkl_shim_apply '"
                + root
                + "'; echo \"$LD_PRELOAD\"",
            amd);
    assertEquals(0, r.exit(), r.err());
    assertEquals(lib + ":/x.so", r.out().strip());
    Result intel =
        bash(
            "mptj_mkl_shim_apply '" + root + "'; echo \"preload=${LD_PRELOAD:-}\"",
            Map.of("MPTJ_CPUINFO", cpuinfo(INTEL).toString()));
    assertEquals("preload=", intel.out().strip());
  }

  /**
   * Under {@code ./mptj test} on a non-Intel CPU (or with {@code MPTJ_MKL_SHIM=1}) this test JVM, a
   * Surefire fork, inherits LD_PRELOAD from the launcher: the shim must be mapped into it.
   */
  @Test
  void aTestJvmStartedThroughTheLauncherHasTheShimLoaded() throws IOException {
    String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
    assumeTrue(
        preload.contains("libmptj_mkl_shim.so"),
        "the launcher did not preload the shim here (Intel CPU, or not run through ./mptj)");
    String maps = Files.readString(Path.of("/proc/self/maps"));
    assertTrue(maps.contains("libmptj_mkl_shim.so"), "LD_PRELOAD=" + preload + " but not mapped");
  }

  private String wanted(String cpuinfo, String setting) throws Exception {
    Map<String, String> env =
        setting == null
            ? Map.of("MPTJ_CPUINFO", cpuinfo(cpuinfo).toString())
            : Map.of("MPTJ_CPUINFO", cpuinfo(cpuinfo).toString(), "MPTJ_MKL_SHIM", setting);
    Result r = bash("mptj_mkl_shim_wanted", env);
    assertEquals(0, r.exit(), r.err());
    return r.out().strip();
  }

  private Path cpuinfo(String text) throws IOException {
    Path f = Files.createTempFile(tmp, "cpuinfo", ".txt");
    return Files.writeString(f, text);
  }

  /** A project root with only native/ (the shim's source), so builds land in a temp target/. */
  private Path projectCopy() throws IOException {
    Path root = tmp.resolve("project");
    Files.createDirectories(root.resolve("native"));
    Files.copy(SOURCE, root.resolve("native/mkl_shim.c"));
    return root;
  }

  /** Runs {@code command} in bash under {@code set -euo pipefail} after sourcing the script. */
  private static Result bash(String command, Map<String, String> env) throws Exception {
    assumeTrue(onPath("bash"), "no bash on the PATH");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", "set -euo pipefail; . '" + SCRIPT + "'; " + command);
    pb.environment().remove("MPTJ_MKL_SHIM");
    pb.environment().remove("MPTJ_CPUINFO");
    pb.environment().remove("LD_PRELOAD");
    pb.environment().putAll(env);
    Path err = Files.createTempFile("mkl-shim", ".err");
    try {
      pb.redirectError(err.toFile());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      int exit = p.waitFor();
      return new Result(
          exit,
          new String(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
