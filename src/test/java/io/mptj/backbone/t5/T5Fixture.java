package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.engine.SafetensorsFile;
import io.mptj.testing.Shared;
import io.mptj.testing.T5Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One T5 fixture folder (see {@link T5Fixtures}): the model directory, its {@code config.json}, the
 * tensors of {@code reference.safetensors} (inputs, and HF's outputs when recorded) and {@code
 * reference.json}. Every size a test needs is read from these files, never assumed.
 *
 * @param config the parsed {@code config.json}
 * @param referenceJson the parsed {@code reference.json} (an empty object when absent)
 */
record T5Fixture(Path dir, SafetensorsFile reference, JsonNode config, JsonNode referenceJson) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every fixture folder: the recorded ones (listed), their reshaped copies, the random ones. */
  static Stream<T5Fixture> all() {
    return T5Fixtures.all().stream().map(T5Fixture::open);
  }

  static T5Fixture open(Path dir) {
    try {
      Path refJson = dir.resolve("reference.json");
      return new T5Fixture(
          dir,
          SafetensorsFile.open(dir.resolve("reference.safetensors")),
          JSON.readTree(dir.resolve("config.json").toFile()),
          Files.isRegularFile(refJson) ? JSON.readTree(refJson.toFile()) : JSON.createObjectNode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return dir.getFileName().toString();
  }

  @Override
  public String toString() {
    return name();
  }

  /** Whether {@code reference.safetensors} holds HF's outputs (recorded or reshaped). */
  boolean hasHfOutputs() {
    return reference.names().contains("logits");
  }

  /** Skips the calling test, saying why, on a fixture without HF outputs. */
  void assumeHfOutputs() {
    assumeTrue(
        hasHfOutputs(),
        name()
            + " has random weights and no HF outputs; its self-consistency tests run instead"
            + (T5Fixtures.recorded().isEmpty()
                ? " (no recorded HF fixtures: "
                    + Shared.location().resolve("fixtures/t5")
                    + " not found; set MPTJ_SHARED)"
                : ""));
  }

  /** An integer of {@code config.json}, with HF's default when the key is absent. */
  int configInt(String key, int hfDefault) {
    return config.path(key).asInt(hfDefault);
  }

  /** B: rows of {@code input_ids}. */
  int batch() {
    return (int) reference.info("input_ids").shape()[0];
  }

  /** L: columns of {@code input_ids}. */
  int encoderLength() {
    return (int) reference.info("input_ids").shape()[1];
  }

  /** S: columns of {@code labels}. */
  int labelLength() {
    return (int) reference.info("labels").shape()[1];
  }

  /** P: rows of {@code prompt_embeds}. */
  int promptLength() {
    return (int) reference.info("prompt_embeds").shape()[0];
  }

  /** d: {@code d_model} of {@code config.json}. */
  int dModel() {
    return configInt("d_model", 512);
  }

  /** V: {@code vocab_size} of {@code config.json}. */
  int vocabSize() {
    return configInt("vocab_size", 32128);
  }

  int eosTokenId() {
    return configInt("eos_token_id", 1);
  }

  /** The recorded prompt for every row: (B, P, d). */
  NDArray promptRows(NDManager manager) {
    return load(manager, "prompt_embeds").expandDims(0).repeat(0, batch());
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

  /** Any float array's values as float32, on the host. */
  static float[] host(NDArray a) {
    if (a.getDataType() == DataType.FLOAT32) {
      return a.toFloatArray();
    }
    try (NDArray f = a.toType(DataType.FLOAT32, true)) {
      return f.toFloatArray();
    }
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
