package io.mptj.engine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph and initializers of an ONNX model, read at the protobuf wire level so that tensor data
 * stays in place (slices of the file bytes, no per-element copy).
 *
 * <p>Field numbers follow {@code onnx/onnx.proto}: ModelProto {@code graph = 7}; GraphProto {@code
 * node = 1, initializer = 5, input = 11, output = 12}; NodeProto {@code input = 1, output = 2, name
 * = 3, op_type = 4, attribute = 5}; AttributeProto {@code name = 1, t = 5}; TensorProto {@code dims
 * = 1, data_type = 2, float_data = 4, int64_data = 7, name = 8, raw_data = 9, external_data = 13};
 * ValueInfoProto {@code name = 1}. Only what graph tracing needs is kept.
 */
public final class OnnxModel {

  /** ONNX {@code TensorProto.DataType.FLOAT}. */
  public static final int FLOAT = 1;

  /** ONNX {@code TensorProto.DataType.INT64}. */
  public static final int INT64 = 7;

  /**
   * A tensor: an initializer or the value of a {@code Constant} node.
   *
   * @param name the tensor's name (empty for an attribute value)
   * @param dataType ONNX element type code ({@link #FLOAT}, {@link #INT64}, ...)
   * @param dims dimensions, outermost first
   * @param data little-endian element bytes, read-only
   */
  public record Tensor(String name, int dataType, long[] dims, ByteBuffer data) {

    /** Number of elements. */
    public long numel() {
      long n = 1;
      for (long d : dims) {
        n *= d;
      }
      return n;
    }

    /** The elements of a FLOAT tensor. */
    public float[] floats() {
      requireType(FLOAT);
      float[] out = new float[(int) numel()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }

    /** The elements of an INT64 tensor. */
    public long[] longs() {
      requireType(INT64);
      long[] out = new long[(int) numel()];
      data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
      return out;
    }

    private void requireType(int type) {
      if (dataType != type) {
        throw new CheckpointException(
            "ONNX tensor '" + name + "' has data type " + dataType + ", expected " + type);
      }
    }
  }

  /**
   * A graph node.
   *
   * @param tensors the node's tensor-valued attributes by attribute name (e.g. a Constant's {@code
   *     value})
   */
  public record Node(
      String name,
      String opType,
      List<String> inputs,
      List<String> outputs,
      Map<String, Tensor> tensors) {}

  private final String source;
  private final List<Node> nodes;
  private final Map<String, Tensor> initializers;
  private final List<String> inputs;
  private final List<String> outputs;
  private final Map<String, Node> producers = new HashMap<>();
  private final Map<String, List<Node>> consumers = new HashMap<>();

  private OnnxModel(
      String source,
      List<Node> nodes,
      Map<String, Tensor> initializers,
      List<String> inputs,
      List<String> outputs) {
    this.source = source;
    this.nodes = List.copyOf(nodes);
    this.initializers = Collections.unmodifiableMap(initializers);
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    for (Node n : nodes) {
      n.outputs().forEach(o -> producers.put(o, n));
      n.inputs().forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
    }
  }

  /**
   * Parses a serialized {@code ModelProto}. Tensor data are slices of {@code bytes}, which must not
   * change afterwards.
   *
   * @param source a description for error messages, e.g. the resource name
   * @throws CheckpointException when the bytes are not a readable ONNX model
   */
  public static OnnxModel parse(byte[] bytes, String source) {
    try {
      return new Parser(bytes, source).model();
    } catch (IOException | RuntimeException e) {
      if (e instanceof CheckpointException c) {
        throw c;
      }
      throw new CheckpointException(source + ": not a readable ONNX model: " + e.getMessage(), e);
    }
  }

  /** Where the model was read from. */
  public String source() {
    return source;
  }

  /** Nodes in graph (topological) order. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Initializers by name, in file order. */
  public Map<String, Tensor> initializers() {
    return initializers;
  }

  /** Names of the graph inputs. */
  public List<String> inputs() {
    return inputs;
  }

  /** Names of the graph outputs. */
  public List<String> outputs() {
    return outputs;
  }

  /** The node that produces a tensor, or {@code null} for graph inputs and initializers. */
  public Node producer(String tensor) {
    return producers.get(tensor);
  }

  /** The nodes that read a tensor (empty if none). */
  public List<Node> consumers(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  /** Wire-level reader of the few messages we need. */
  private static final class Parser {
    private final byte[] bytes;
    private final String source;
    private final CodedInputStream in;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();

    Parser(byte[] bytes, String source) {
      this.bytes = bytes;
      this.source = source;
      this.in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(Integer.MAX_VALUE);
    }

    OnnxModel model() throws IOException {
      boolean sawGraph = false;
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (field(tag) == 7 && lengthDelimited(tag)) {
          int limit = in.pushLimit(in.readRawVarint32());
          graph();
          in.popLimit(limit);
          sawGraph = true;
        } else {
          in.skipField(tag);
        }
      }
      if (!sawGraph) {
        throw new CheckpointException(source + ": ONNX model has no graph (field 7)");
      }
      return new OnnxModel(source, nodes, initializers, inputs, outputs);
    }

    private void graph() throws IOException {
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (!lengthDelimited(tag)) {
          in.skipField(tag);
          continue;
        }
        switch (field(tag)) {
          case 1 -> nodes.add(within(this::node));
          case 5 -> {
            Tensor t = within(this::tensor);
            initializers.put(t.name(), t);
          }
          case 11 -> inputs.add(within(this::valueInfoName));
          case 12 -> outputs.add(within(this::valueInfoName));
          default -> in.skipField(tag);
        }
      }
    }

    private Node node() throws IOException {
      List<String> ins = new ArrayList<>();
      List<String> outs = new ArrayList<>();
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      String name = "";
      String op = "";
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        switch (field(tag)) {
          case 1 -> ins.add(in.readString());
          case 2 -> outs.add(in.readString());
          case 3 -> name = in.readString();
          case 4 -> op = in.readString();
          case 5 -> within(() -> attribute(tensors));
          default -> in.skipField(tag);
        }
      }
      return new Node(name, op, List.copyOf(ins), List.copyOf(outs), tensors);
    }

    private Void attribute(Map<String, Tensor> tensors) throws IOException {
      String name = "";
      Tensor value = null;
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        switch (field(tag)) {
          case 1 -> name = in.readString();
          case 5 -> value = within(this::tensor);
          default -> in.skipField(tag);
        }
      }
      if (value != null) {
        tensors.put(name, value);
      }
      return null;
    }

    private String valueInfoName() throws IOException {
      String name = "";
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (field(tag) == 1) {
          name = in.readString();
        } else {
          in.skipField(tag);
        }
      }
      return name;
    }

    private Tensor tensor() throws IOException {
      List<Long> dims = new ArrayList<>();
      int type = 0;
      String name = "";
      ByteBuffer data = null;
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        switch (field(tag)) {
          case 1 -> readInt64s(tag, dims);
          case 2 -> type = in.readInt32();
          case 4 -> data = floatData(tag, data);
          case 7 -> data = int64Data(tag, data);
          case 8 -> name = in.readString();
          case 9 -> data = rawData();
          case 13, 14 ->
              throw new CheckpointException(
                  source + ": ONNX tensor '" + name + "' uses external data, which is unsupported");
          default -> in.skipField(tag);
        }
      }
      long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
      ByteBuffer bytesOf = data == null ? ByteBuffer.allocate(0) : data;
      return new Tensor(
          name, type, shape, bytesOf.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    private ByteBuffer rawData() throws IOException {
      int length = in.readRawVarint32();
      int offset = in.getTotalBytesRead();
      in.skipRawBytes(length);
      return ByteBuffer.wrap(bytes, offset, length).slice();
    }

    private ByteBuffer floatData(int tag, ByteBuffer sofar) throws IOException {
      List<Float> values = new ArrayList<>();
      if (lengthDelimited(tag)) {
        int limit = in.pushLimit(in.readRawVarint32());
        while (!in.isAtEnd()) {
          values.add(in.readFloat());
        }
        in.popLimit(limit);
      } else {
        values.add(in.readFloat());
      }
      ByteBuffer out = append(sofar, values.size() * 4);
      values.forEach(out::putFloat);
      return out.flip();
    }

    private ByteBuffer int64Data(int tag, ByteBuffer sofar) throws IOException {
      List<Long> values = new ArrayList<>();
      readInt64s(tag, values);
      ByteBuffer out = append(sofar, values.size() * 8);
      values.forEach(out::putLong);
      return out.flip();
    }

    /** A little-endian buffer holding {@code sofar} with room for {@code extra} more bytes. */
    private static ByteBuffer append(ByteBuffer sofar, int extra) {
      int have = sofar == null ? 0 : sofar.remaining();
      ByteBuffer out = ByteBuffer.allocate(have + extra).order(ByteOrder.LITTLE_ENDIAN);
      if (sofar != null) {
        out.put(sofar.duplicate());
      }
      return out;
    }

    private void readInt64s(int tag, List<Long> into) throws IOException {
      if (lengthDelimited(tag)) {
        int limit = in.pushLimit(in.readRawVarint32());
        while (!in.isAtEnd()) {
          into.add(in.readInt64());
        }
        in.popLimit(limit);
      } else {
        into.add(in.readInt64());
      }
    }

    /** Reads one length-delimited sub-message with {@code body}. */
    private <T> T within(Body<T> body) throws IOException {
      int limit = in.pushLimit(in.readRawVarint32());
      T value = body.read();
      in.popLimit(limit);
      return value;
    }

    private static int field(int tag) {
      return WireFormat.getTagFieldNumber(tag);
    }

    private static boolean lengthDelimited(int tag) {
      return WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T read() throws IOException;
  }
}
