package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.foreign.Linker;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

  @Test
  void countsLiveArraysRecursivelyAndProcessWide() {
    try (NDManager base = NDManager.newBaseManager()) {
      int process = NativeMemory.liveArrays();
      try (NDManager sub = base.newSubManager()) {
        sub.zeros(new Shape(2));
        sub.ones(new Shape(3)).add(1);
        assertEquals(3, NativeMemory.liveArrays(base));
        assertEquals(process + 3, NativeMemory.liveArrays());
      }
      assertEquals(0, NativeMemory.liveArrays(base));
      assertEquals(process, NativeMemory.liveArrays());
    }
  }

  @Test
  void readsResidentSetSize() {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "needs /proc/self/status");
    long rss = NativeMemory.residentBytes();
    assertTrue(rss > 10L << 20, "RSS of a JVM is more than 10 MiB, got " + rss);
  }

  @Test
  void tunesGlibcAllocator() {
    boolean glibc = Linker.nativeLinker().defaultLookup().find("gnu_get_libc_version").isPresent();
    assumeTrue(glibc, "mallopt tuning needs glibc");
    assertTrue(NativeMemory.retainFreedMemory());
    assertTrue(NativeMemory.retainFreedMemory(), "idempotent");
  }

  @Test
  void matmulProbeMeasuresAPositiveRate() {
    try (NDManager m = NDManager.newBaseManager()) {
      double g = MatmulProbe.gflops(m, List.of(new MatmulProbe.Gemm(64, 32, 48)), 3);
      assertTrue(g > 0 && Double.isFinite(g), "rate " + g);
      assertEquals(0, NativeMemory.liveArrays(m), "the probe frees its operands");
      assertEquals(2.0 * 64 * 32 * 48, new MatmulProbe.Gemm(64, 32, 48).flops());
      assertThrows(IllegalArgumentException.class, () -> new MatmulProbe.Gemm(0, 1, 1));
    }
  }
}
