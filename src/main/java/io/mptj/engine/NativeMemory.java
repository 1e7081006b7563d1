package io.mptj.engine;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Counts of native memory in use, for leak checks: live NDArrays by manager tree, and the process's
 * resident set size.
 */
public final class NativeMemory {

  private static final Path STATUS = Path.of("/proc/self/status");

  // glibc mallopt parameters (malloc.h)
  private static final int M_TRIM_THRESHOLD = -1;
  private static final int M_TOP_PAD = -2;
  private static final int M_MMAP_MAX = -4;

  private static volatile boolean retaining;

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
    try (NDManager probe = Devices.newManager()) {
      m = probe.getParentManager();
    }
    while (m.getParentManager() != null) {
      m = m.getParentManager();
    }
    return m;
  }

  /**
   * Resets the process's peak resident set size ({@code VmHWM}) to its current size (Linux: writing
   * {@code 5} to {@code /proc/self/clear_refs}), so that {@link #peakResidentBytes()} measures from
   * now; a no-op where unsupported.
   *
   * @return whether the peak was reset
   */
  public static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Peak resident set size in bytes ({@code VmHWM}) since start or {@link #resetPeak()}, or -1. */
  public static long peakResidentBytes() {
    return statusBytes("VmHWM:");
  }

  /** Resident set size of this process in bytes ({@code VmRSS}), or -1 where unavailable. */
  public static long residentBytes() {
    return statusBytes("VmRSS:");
  }

  private static long statusBytes(String key) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Lets the C allocator keep freed tensor memory for reuse instead of handing it back to the
   * kernel after every op. PyTorch's CPU tensors come straight from {@code malloc}; with glibc's
   * defaults every block of a few MiB is mapped on allocation and unmapped on free, so each op of a
   * forward pass pays page faults and page zeroing on its output, which can cost as much as the op
   * itself. This sets {@code M_MMAP_MAX = 0} (blocks come from the heap), {@code M_TRIM_THRESHOLD}
   * and {@code M_TOP_PAD} high (freed heap memory is kept), so the resident set settles at the peak
   * of one training step. Process-wide and idempotent; call it once at startup.
   *
   * @return whether the allocator was tuned (false where {@code mallopt} is unavailable, e.g. not
   *     glibc, or native access is denied)
   */
  public static synchronized boolean retainFreedMemory() {
    if (retaining) {
      return true;
    }
    try {
      Linker linker = Linker.nativeLinker();
      Optional<MemorySegment> symbol = linker.defaultLookup().find("mallopt");
      if (symbol.isEmpty()) {
        return false;
      }
      MethodHandle mallopt =
          linker.downcallHandle(
              symbol.get(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      boolean ok = (int) mallopt.invokeExact(M_MMAP_MAX, 0) == 1;
      ok &= (int) mallopt.invokeExact(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
      ok &= (int) mallopt.invokeExact(M_TOP_PAD, 64 << 20) == 1;
      retaining = ok;
      return ok;
    } catch (Throwable e) {
      return false;
    }
  }
}
