package io.mptj.engine;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts of native memory in use, for leak checks: live NDArrays by manager tree, and the process's
 * resident set size.
 */
public final class NativeMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  private NativeMemory() {}

  /** Live (unclosed) arrays attached to {@code manager} and, recursively, its sub-managers. */
  public static int liveArrays(NDManager manager) {
    return manager.getManagedArrays().size();
  }

  /**
   * Live arrays of the whole process: everything under the engine's root manager, which every base
   * manager hangs from.
   */
  public static int liveArrays() {
    return liveArrays(rootManager());
  }

  /** The engine's root (system) manager. */
  public static NDManager rootManager() {
    NDManager m;
    try (NDManager probe = NDManager.newBaseManager()) {
      m = probe.getParentManager();
    }
    while (m.getParentManager() != null) {
      m = m.getParentManager();
    }
    return m;
  }

  /** Resident set size of this process in bytes ({@code VmRSS}), or -1 where unavailable. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
