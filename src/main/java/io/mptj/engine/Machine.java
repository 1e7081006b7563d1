package io.mptj.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a benchmark figure depends on besides the code: CPU model and count, the run's device, what
 * the launcher preloaded (native/malloc.sh, native/mkl-shim.sh), the matmul precision and the JVM.
 */
public final class Machine {
  private Machine() {}

  /** The allocator the launcher preloaded ({@code MPTJ_ALLOCATOR}), or "unknown". */
  public static String allocator() {
    return System.getenv().getOrDefault("MPTJ_ALLOCATOR", "unknown");
  }

  /** Whether the MKL shim is preloaded into this process. */
  public static boolean mklShim() {
    return System.getenv().getOrDefault("LD_PRELOAD", "").contains("libmptj_mkl_shim");
  }

  /**
   * CPU model and count, device, allocator, shim, matmul precision, whether the CPU has bf16
   * hardware and whether bf16 is known to pay on it ({@link MatmulPrecision#pays()}), JVM and OS.
   */
  public static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("device", Devices.current().toString());
    m.put("allocator", allocator());
    m.put("mkl_shim", mklShim());
    m.put("matmul", MatmulPrecision.current().key());
    m.put("bf16_hardware", MatmulPrecision.hardwareBf16());
    m.put("bf16_pays", MatmulPrecision.pays());
    m.put("java", Runtime.version().toString());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return m;
  }

  private static String cpuModel() {
    return cpuinfo("model name", "unknown");
  }

  /**
   * The value of the first {@code key} line of /proc/cpuinfo (e.g. {@code flags}), or {@code
   * absent} where there is none or the file cannot be read.
   */
  static String cpuinfo(String key, String absent) {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse(absent);
    } catch (java.io.IOException | RuntimeException e) {
      return absent;
    }
  }
}
