package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.mptj.testing.TinyPromptModel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's garbage gradients: DJL's {@code NDArray} ops with a {@code Number} argument ({@code
 * x.mul(0.5f)}) wrap the number in a tensor over a Java direct buffer and close it at once; when
 * autograd saved that tensor for the backward (a product saves its other factor), the JVM may free
 * the buffer before the backward reads it, and the gradient is computed from whatever the memory
 * holds then (a finite loss, a NaN or 10^15 gradient). Here the JVM collects and reuses freed
 * native memory between forward and backward, filling it with NaN: the gradient must not change.
 */
class ScalarLifetimeTest {

  @TempDir Path work;

  @Test
  void theGradientDoesNotDependOnWhatTheJvmFreesBetweenForwardAndBackward() {
    try (TinyPromptModel tiny = new TinyPromptModel(work)) {
      float[] calm = tiny.step(() -> {}).promptGradient();
      for (int round = 0; round < 3; round++) {
        assertArrayEquals(
            calm,
            tiny.step(ScalarLifetimeTest::reuseFreedNativeMemory).promptGradient(),
            "round " + round + ": the prompt's gradient after the JVM freed and reused memory");
      }
    }
  }

  /**
   * No main class but the optimizer (in-place updates outside the autograd graph) calls DJL's
   * arithmetic with a {@code Number}; read from the compiled classes with the JDK's class-file API.
   */
  @Test
  void noCodeOnTheAutogradPathUsesDjlsNumberArithmetic() throws Exception {
    List<String> found =
        io.mptj.testing.CompiledCalls.find(
            i ->
                i.owner().asInternalName().startsWith("ai/djl/ndarray/NDArray")
                    && i.typeSymbol()
                        .descriptorString()
                        .equals("(Ljava/lang/Number;)Lai/djl/ndarray/NDArray;"),
            java.util.Set.of("io/mptj/train/AdamW"));
    org.junit.jupiter.api.Assertions.assertEquals(
        List.of(), found, "use io.mptj.engine.Tensors.times/plus/over/power/atLeast instead");
  }

  /** Collects unreachable direct buffers, then allocates small ones full of NaN where they were. */
  private static void reuseFreedNativeMemory() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50); // the buffers' cleaners run on their own thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<ByteBuffer> keep = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
      while (b.hasRemaining()) {
        b.put((byte) 0xFF); // 0xFFFFFFFF is a NaN
      }
      keep.add(b);
    }
    keep.clear();
  }
}
