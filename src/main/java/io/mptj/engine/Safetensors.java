package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/** Opens checkpoints (one file or a sharded set) and writes safetensors files. */
public final class Safetensors {

  /** The single-file weights name of an HF model directory. */
  public static final String MODEL_FILE = "model.safetensors";

  /** The shard index name of an HF model directory. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private static final ObjectMapper JSON = Json.MAPPER;

  private Safetensors() {}

  /**
   * Opens the weights of a model: a {@code .safetensors} file, or a directory holding {@value
   * #MODEL_FILE} or the shard index {@value #INDEX_FILE}.
   */
  public static WeightSource open(Path fileOrDir) {
    if (!Files.isDirectory(fileOrDir)) {
      if (!Files.isRegularFile(fileOrDir)) {
        throw new CheckpointException("no such file or directory: " + fileOrDir);
      }
      return fileOrDir.getFileName().toString().endsWith(".json")
          ? ShardedWeights.open(fileOrDir)
          : SafetensorsFile.open(fileOrDir);
    }
    Path single = fileOrDir.resolve(MODEL_FILE);
    if (Files.isRegularFile(single)) {
      return SafetensorsFile.open(single);
    }
    Path index = fileOrDir.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      return ShardedWeights.open(index);
    }
    throw new CheckpointException("no " + MODEL_FILE + " or " + INDEX_FILE + " in " + fileOrDir);
  }

  /** Writes float tensors as F32 with the given metadata. */
  public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata) {
    write(path, tensors, metadata, TensorDType.F32);
  }

  /**
   * Writes tensors to a safetensors file, atomically: the data goes to a temporary file beside the
   * target that then replaces it, so an interrupted write never leaves a broken file behind.
   *
   * @param floatType how float32 arrays are stored: F32, F16 or BF16 (round to nearest even)
   */
  public static void write(
      Path path,
      Map<String, NDArray> tensors,
      Map<String, String> metadata,
      TensorDType floatType) {
    if (floatType != TensorDType.F32
        && floatType != TensorDType.F16
        && floatType != TensorDType.BF16) {
      throw new IllegalArgumentException(
          "floats can be written as F32, F16 or BF16, not " + floatType);
    }
    Map<String, byte[]> payloads = new TreeMap<>();
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> e : new TreeMap<>(tensors).entrySet()) {
      NDArray a = e.getValue();
      TensorDType dtype =
          a.getDataType() == DataType.FLOAT32 ? floatType : TensorDType.of(a.getDataType());
      byte[] bytes = encode(a, dtype);
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", dtype.name());
      var shape = entry.putArray("shape");
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(offset + bytes.length);
      offset += bytes.length;
      payloads.put(e.getKey(), bytes);
    }
    writeFile(path, header.toString(), payloads);
  }

  private static void writeFile(Path path, String header, Map<String, byte[]> payloads) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    int padded = (h.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(h, 0, headerBytes, 0, h.length);
    Path dir = path.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(headerBytes);
        for (byte[] p : payloads.values()) {
          out.write(p);
        }
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CheckpointException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  private static byte[] encode(NDArray a, TensorDType dtype) {
    ByteBuffer raw = a.toByteBuffer().order(ByteOrder.nativeOrder());
    if (dtype == TensorDType.F16 || dtype == TensorDType.BF16) {
      FloatBuffer f = raw.asFloatBuffer();
      ByteBuffer out = ByteBuffer.allocate(f.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
      while (f.hasRemaining()) {
        float v = f.get();
        out.putShort(dtype == TensorDType.F16 ? Float.floatToFloat16(v) : toBFloat16(v));
      }
      return out.array();
    }
    byte[] bytes = new byte[raw.remaining()];
    raw.get(bytes);
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException("safetensors writing needs a little-endian machine");
    }
    return bytes;
  }

  /** Rounds a float to bfloat16 bits, to nearest even; NaN stays NaN. */
  static short toBFloat16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }
}
