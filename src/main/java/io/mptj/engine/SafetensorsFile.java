package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, memory-mapped with the FFM API.
 *
 * <p>Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON mapping tensor names to {@code {dtype, shape, data_offsets}} plus an optional
 * {@code __metadata__} string map, then the packed data section. Float32 and integer tensors are
 * handed to PyTorch without a copy (the mapped pages back the tensor; they are read-only, so frozen
 * weights cannot be written by accident); half-precision tensors are widened to float32 on load.
 */
public final class SafetensorsFile implements WeightSource {

  private static final long MAX_HEADER = 256L << 20;
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path path;
  private final MemorySegment data;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      MemorySegment data,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.data = data;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Maps a safetensors file and parses its header.
   *
   * @throws CheckpointException naming the file (and tensor) when the file is malformed
   */
  public static SafetensorsFile open(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new CheckpointException(path + ": not a safetensors file (" + size + " bytes)");
      }
      MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
      long n = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
      if (n <= 0 || n > MAX_HEADER || 8 + n > size) {
        throw new CheckpointException(
            path + ": bad safetensors header length " + n + " (file has " + size + " bytes)");
      }
      byte[] header = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
      MemorySegment data = all.asSlice(8 + n);
      Map<String, String> metadata = new LinkedHashMap<>();
      Map<String, TensorInfo> tensors =
          parseHeader(path, new String(header, StandardCharsets.UTF_8), data.byteSize(), metadata);
      return new SafetensorsFile(path, data, tensors, Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, TensorInfo> parseHeader(
      Path path, String header, long dataSize, Map<String, String> metadata) {
    JsonNode root;
    try {
      root = JSON.readTree(header.strip());
    } catch (IOException e) {
      throw new CheckpointException(path + ": header is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CheckpointException(path + ": header is not a JSON object");
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
    }
    return tensors;
  }

  private static TensorInfo parseEntry(Path path, String name, JsonNode node, long dataSize) {
    JsonNode shapeNode = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (node.get("dtype") == null || shapeNode == null || offsets == null || offsets.size() != 2) {
      throw new CheckpointException(
          path + ": tensor '" + name + "' lacks dtype, shape or data_offsets");
    }
    TensorDType dtype;
    try {
      dtype = TensorDType.parse(node.get("dtype").asText(), name);
    } catch (CheckpointException e) {
      throw new CheckpointException(path + ": " + e.getMessage(), e);
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong();
    }
    TensorInfo info =
        new TensorInfo(name, dtype, shape, offsets.get(0).asLong(), offsets.get(1).asLong());
    long expected = info.numel() * dtype.bytes();
    if (info.begin() < 0 || info.end() > dataSize || info.end() - info.begin() != expected) {
      throw new CheckpointException(
          path
              + ": tensor '"
              + name
              + "' data_offsets ["
              + info.begin()
              + ", "
              + info.end()
              + ") do not fit shape "
              + info.shapeString()
              + " of "
              + dtype
              + " ("
              + expected
              + " bytes) in a data section of "
              + dataSize
              + " bytes");
    }
    return info;
  }

  /** The file's {@code __metadata__} map (empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The mapped file path. */
  public Path path() {
    return path;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new CheckpointException("missing tensor '" + name + "' in " + path);
    }
    return info;
  }

  @Override
  public String describe() {
    return path.toString();
  }

  @Override
  public NDArray load(NDManager manager, String name) {
    TensorInfo info = info(name);
    MemorySegment bytes = data.asSlice(info.begin(), info.end() - info.begin());
    Shape shape = new Shape(info.shape());
    if (info.dtype().widened()) {
      return manager.create(widen(bytes, info.dtype()), shape, info.dtype().loadedAs());
    }
    if (bytes.address() % info.dtype().bytes() == 0 && bytes.byteSize() > 0) {
      ByteBuffer view = bytes.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      return manager.create(view, shape, info.dtype().loadedAs());
    }
    ByteBuffer copy =
        ByteBuffer.allocateDirect((int) Math.max(1, bytes.byteSize()))
            .order(ByteOrder.nativeOrder());
    copy.put(bytes.asByteBuffer()).flip();
    return manager.create(copy, shape, info.dtype().loadedAs());
  }

  /** Reads a float tensor of any float type to a host array (for small tensors and tests). */
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    MemorySegment bytes = data.asSlice(info.begin(), info.end() - info.begin());
    return switch (info.dtype()) {
      case F32 ->
          bytes.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
      case F16, BF16 -> {
        FloatBuffer fb = widen(bytes, info.dtype()).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        yield out;
      }
      default ->
          throw new CheckpointException(
              "tensor '" + name + "' is " + info.dtype() + ", not a float type");
    };
  }

  /** Reads an integer tensor (I64 or I32) to a host array. */
  public long[] readLongs(String name) {
    TensorInfo info = info(name);
    MemorySegment bytes = data.asSlice(info.begin(), info.end() - info.begin());
    return switch (info.dtype()) {
      case I64 -> bytes.toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
      case I32 -> {
        int[] ints =
            bytes.toArray(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        long[] out = new long[ints.length];
        for (int i = 0; i < ints.length; i++) {
          out[i] = ints[i];
        }
        yield out;
      }
      default ->
          throw new CheckpointException(
              "tensor '" + name + "' is " + info.dtype() + ", not an integer type");
    };
  }

  private static ByteBuffer widen(MemorySegment bytes, TensorDType dtype) {
    int n = (int) (bytes.byteSize() / 2);
    ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(4, n * 4)).order(ByteOrder.nativeOrder());
    FloatBuffer out = buf.asFloatBuffer();
    ValueLayout.OfShort layout =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      short s = bytes.getAtIndex(layout, i);
      out.put(
          i,
          dtype == TensorDType.F16
              ? Float.float16ToFloat(s)
              : Float.intBitsToFloat((s & 0xffff) << 16));
    }
    return buf.limit(n * 4);
  }

  /** Mapped memory is released by the garbage collector once no tensor uses it. */
  @Override
  public void close() {}
}
