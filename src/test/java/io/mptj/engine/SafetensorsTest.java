package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.testing.Shared;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {

  @TempDir Path tmp;

  /** Every safetensors file of {@code ../shared/fixtures} (HF- and PEFT-written), listed. */
  static Stream<Named<Path>> sharedFiles() throws IOException {
    Path root = Shared.optionalFixture(".");
    if (root == null) { // one invocation that reports the skip and its reason
      return Stream.of(Named.of("no shared fixtures", null));
    }
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> found =
          files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
      return found.stream().map(p -> Named.of(root.relativize(p).normalize().toString(), p));
    }
  }

  /**
   * The reader agrees with an independent parse of each file's header (names, dtypes, shapes,
   * offsets, metadata) and with the raw little-endian bytes of its first and last tensor.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharedFiles")
  void readsEveryHuggingFaceFixtureHeaderAndData(Path file) throws IOException {
    assumeTrue(
        file != null,
        "shared fixtures not found at "
            + Shared.location().resolve("fixtures")
            + " (set MPTJ_SHARED)");
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) buf.getLong(0);
    JsonNode header =
        new ObjectMapper().readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
    List<String> names = new ArrayList<>();
    header.fieldNames().forEachRemaining(n -> names.add(n));
    names.remove("__metadata__");
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(new TreeSet<>(names), new TreeSet<>(f.names()));
      assertEquals("pt", f.metadata().get("format"));
      for (String name : names) {
        JsonNode e = header.get(name);
        TensorInfo info = f.info(name);
        assertEquals(e.get("dtype").asText(), info.dtype().name(), name);
        long[] shape = new long[e.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = e.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, info.shape(), name);
        long begin = e.get("data_offsets").get(0).asLong();
        long end = e.get("data_offsets").get(1).asLong();
        assertEquals(end - begin, info.numel() * info.dtype().bytes(), name + " byte size");
      }
      for (String name : List.of(names.getFirst(), names.getLast())) {
        TensorInfo info = f.info(name);
        int start = 8 + headerLength + (int) header.get(name).get("data_offsets").get(0).asLong();
        NDArray loaded = f.load(m, name);
        assertEquals(new Shape(info.shape()), loaded.getShape(), name);
        if (info.dtype() == TensorDType.F32) {
          float[] raw = new float[(int) info.numel()];
          for (int i = 0; i < raw.length; i++) {
            raw[i] = buf.getFloat(start + 4 * i);
          }
          assertArrayEquals(raw, f.readFloats(name), name);
          assertArrayEquals(raw, loaded.toFloatArray(), name);
        } else if (info.dtype() == TensorDType.I64) {
          long[] raw = new long[(int) info.numel()];
          for (int i = 0; i < raw.length; i++) {
            raw[i] = buf.getLong(start + 8 * i);
          }
          assertArrayEquals(raw, f.readLongs(name), name);
          assertArrayEquals(raw, loaded.toLongArray(), name);
        }
      }
    }
  }

  @Test
  void roundTripsF32ExactlyAndHalfTypesWithinRounding() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(new Shape(3, 5));
      NDArray ids = m.create(new long[] {1, -2, 3});
      Map<String, NDArray> t = new LinkedHashMap<>();
      t.put("b.weight", a);
      t.put("a.ids", ids);
      for (TensorDType dtype :
          new TensorDType[] {TensorDType.F32, TensorDType.F16, TensorDType.BF16}) {
        Path p = tmp.resolve(dtype + ".safetensors");
        Safetensors.write(p, t, Map.of("format", "pt"), dtype);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
          assertEquals(dtype, f.info("b.weight").dtype());
          assertEquals(TensorDType.I64, f.info("a.ids").dtype());
          assertArrayEquals(new long[] {1, -2, 3}, f.readLongs("a.ids"));
          NDArray back = f.load(m, "b.weight");
          assertEquals(DataType.FLOAT32, back.getDataType());
          float tol =
              switch (dtype) {
                case F32 -> 0f;
                case F16 -> 2e-3f;
                default -> 1.6e-2f;
              };
          float[] x = a.toFloatArray();
          float[] y = back.toFloatArray();
          for (int i = 0; i < x.length; i++) {
            assertTrue(
                Math.abs(x[i] - y[i]) <= tol * Math.max(1, Math.abs(x[i])),
                dtype + " element " + i);
          }
        }
      }
    }
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    assertEquals((short) 0x3f80, Safetensors.toBFloat16(1.0f));
    // 1 + 2^-8 is exactly half-way between two bfloat16 values: ties to the even one (1.0)
    assertEquals((short) 0x3f80, Safetensors.toBFloat16(1.00390625f));
    assertEquals((short) 0x3f82, Safetensors.toBFloat16(1.0117188f));
  }

  @Test
  void readsShardedCheckpointsThroughTheIndex() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Safetensors.write(
          tmp.resolve("model-00001-of-00002.safetensors"),
          Map.of("x", m.ones(new Shape(2))),
          Map.of());
      Safetensors.write(
          tmp.resolve("model-00002-of-00002.safetensors"),
          Map.of("y", m.zeros(new Shape(3))),
          Map.of());
      Files.writeString(
          tmp.resolve(Safetensors.INDEX_FILE),
          "{\"metadata\":{},\"weight_map\":{\"x\":\"model-00001-of-00002.safetensors\","
              + "\"y\":\"model-00002-of-00002.safetensors\"}}");
      try (WeightSource w = Safetensors.open(tmp)) {
        assertEquals(2, w.names().size());
        assertArrayEquals(new float[] {0, 0, 0}, w.require(m, "y", 3).toFloatArray());
        assertArrayEquals(new float[] {1, 1}, w.load(m, "x").toFloatArray());
      }
    }
  }

  @Test
  void missingOrWronglyShapedTensorIsNamed() {
    try (NDManager m = NDManager.newBaseManager()) {
      Path p = tmp.resolve("w.safetensors");
      Safetensors.write(p, Map.of("layer.weight", m.ones(new Shape(4, 2))), Map.of());
      try (SafetensorsFile f = SafetensorsFile.open(p)) {
        var missing = assertThrows(CheckpointException.class, () -> f.require(m, "layer.bias", 4));
        assertTrue(missing.getMessage().contains("layer.bias"), missing.getMessage());
        var shape =
            assertThrows(CheckpointException.class, () -> f.require(m, "layer.weight", 2, 4));
        assertTrue(
            shape.getMessage().contains("layer.weight") && shape.getMessage().contains("[4, 2]"),
            shape.getMessage());
      }
    }
  }

  @Test
  void truncatedOrCorruptFilesAreRejectedWithTheirName() throws IOException {
    Path p = tmp.resolve("bad.safetensors");
    String header = "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8));
    Files.write(p, b.array());
    var e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p));
    assertTrue(
        e.getMessage().contains("bad.safetensors") && e.getMessage().contains("'t'"),
        e.getMessage());
    Files.write(p, new byte[] {1, 2, 3});
    assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p));
  }
}
