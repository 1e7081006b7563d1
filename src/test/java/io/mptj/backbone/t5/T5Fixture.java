package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.SafetensorsFile;
import io.mptj.testing.Shared;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One HF T5 reference fixture under {@code ../shared/fixtures/t5/} (see its README): the model
 * directory and the exact recorded tensors of {@code reference.safetensors}.
 */
record T5Fixture(Path dir, SafetensorsFile reference) {

  /** Every fixture directory (one holding {@code reference.safetensors}), sorted by name. */
  static Stream<T5Fixture> all() {
    Path root = Shared.fixture("t5");
    try (Stream<Path> dirs = Files.list(root)) {
      List<Path> found =
          dirs.filter(d -> Files.isRegularFile(d.resolve("reference.safetensors")))
              .sorted()
              .toList();
      assertTrue(!found.isEmpty(), "no T5 fixtures under " + root);
      return found.stream().map(T5Fixture::open);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static T5Fixture open(Path dir) {
    return new T5Fixture(dir, SafetensorsFile.open(dir.resolve("reference.safetensors")));
  }

  String name() {
    return dir.getFileName().toString();
  }

  @Override
  public String toString() {
    return name();
  }

  /** A recorded tensor, copied into {@code manager} (writable, unlike the mapped file). */
  NDArray load(NDManager manager, String name) {
    try (NDArray mapped = reference.load(manager, name)) {
      return mapped.duplicate();
    }
  }

  float[] floats(String name) {
    return reference.readFloats(name);
  }

  long[] longs(String name) {
    return reference.readLongs(name);
  }

  /** Recorded token rows of a (B, n) int64 tensor. */
  long[][] rows(String name) {
    long[] flat = longs(name);
    int n = (int) reference.info(name).shape()[1];
    long[][] out = new long[flat.length / n][];
    for (int b = 0; b < out.length; b++) {
      out[b] = java.util.Arrays.copyOfRange(flat, b * n, (b + 1) * n);
    }
    return out;
  }

  /**
   * Asserts {@code |a - b| <= atol + rtol·|b|} elementwise and reports the largest differences.
   *
   * @return the largest absolute difference
   */
  double assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
    assertEquals(expected.length, actual.length, what + " size");
    double maxAbs = 0;
    double maxRel = 0;
    int worst = -1;
    double worstExcess = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs((double) actual[i] - expected[i]);
      maxAbs = Math.max(maxAbs, diff);
      maxRel = Math.max(maxRel, diff / Math.max(Math.abs(expected[i]), 1e-30));
      double excess = diff - (atol + rtol * Math.abs(expected[i]));
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
    System.out.printf(
        Locale.ROOT, "%s %s: max abs diff %.3g, max rel diff %.3g%n", name(), what, maxAbs, maxRel);
    if (worst >= 0) {
      throw new AssertionError(
          String.format(
              Locale.ROOT,
              "%s %s element %d: expected %s, got %s (tolerance %g + %g·|b|)",
              name(),
              what,
              worst,
              expected[worst],
              actual[worst],
              atol,
              rtol));
    }
    return maxAbs;
  }

  void assertTokens(String what, long[][] expected, long[][] actual) {
    assertEquals(expected.length, actual.length, name() + " " + what + " rows");
    for (int b = 0; b < expected.length; b++) {
      assertArrayEquals(expected[b], actual[b], name() + " " + what + " row " + b);
    }
  }
}
