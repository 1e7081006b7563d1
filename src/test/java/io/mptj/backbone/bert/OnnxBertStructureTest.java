package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.OnnxModel;
import io.mptj.engine.WeightSource;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Graph tracing of the ONNX loader on small hand-written ONNX graphs with the structure of the HF
 * BERT export: projection weights are found through their biases (and transposed to HF layout), and
 * any difference in structure fails with an error naming what is missing.
 */
class OnnxBertStructureTest {

  private static final BertConfig CONFIG =
      new BertConfig(10, 4, 1, 2, 8, Activation.GELU, 6, 2, 1e-12, 0);

  @Test
  void projectionWeightsAreTracedFromTheirBiasesAndTransposed() {
    OnnxModel model = OnnxModel.parse(graph(null, null), "synthetic");
    WeightSource source = OnnxBert.weights(model, CONFIG);
    assertEquals(BertWeights.expected(CONFIG).keySet(), source.names());
    try (NDManager m = NDManager.newBaseManager()) {
      for (String module : List.of(BertWeights.KEY, BertWeights.INTERMEDIATE)) {
        String name = BertWeights.layer(0, module, "weight");
        long[] shape = BertWeights.expected(CONFIG).get(name);
        float[] loaded = source.require(m, name, shape).toFloatArray();
        float[] onnx = matrix(module, (int) shape[1], (int) shape[0]); // (in, out)
        float[] expected = new float[onnx.length];
        for (int r = 0; r < shape[1]; r++) {
          for (int c = 0; c < shape[0]; c++) {
            expected[c * (int) shape[1] + r] = onnx[r * (int) shape[0] + c];
          }
        }
        assertArrayEquals(expected, loaded, name);
      }
      float[] bias =
          source.require(m, BertWeights.layer(0, BertWeights.KEY, "bias"), 4).toFloatArray();
      assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, bias, "float_data tensor");
    }
  }

  @Test
  void biasNotFedByAMatMulFailsNamingIt() {
    String bias = BertWeights.layer(0, BertWeights.KEY, "bias");
    OnnxModel model = OnnxModel.parse(graph(BertWeights.KEY, null), "synthetic");
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> OnnxBert.weights(model, CONFIG));
    assertTrue(
        e.getMessage().contains("does not have the expected BERT structure"), e.getMessage());
    assertTrue(
        e.getMessage().contains("the Add of " + bias + " adds no MatMul output (found Relu"),
        e.getMessage());
  }

  @Test
  void missingInitializerFailsNamingIt() {
    String missing = BertWeights.EMBEDDING_NORM + ".bias";
    OnnxModel model = OnnxModel.parse(graph(null, missing), "synthetic");
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> OnnxBert.weights(model, CONFIG));
    assertTrue(e.getMessage().contains("no initializer named " + missing), e.getMessage());
  }

  /**
   * A graph with every named initializer and, per projection, {@code MatMul(x, W) → Add(bias, ·)};
   * {@code broken}'s MatMul is replaced by a Relu; {@code omitted} is left out.
   */
  private static byte[] graph(String broken, String omitted) {
    List<byte[]> nodes = new ArrayList<>();
    List<byte[]> initializers = new ArrayList<>();
    Map<String, long[]> shapes = BertWeights.expected(CONFIG);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      if (name.equals(omitted)
          || (name.startsWith("encoder.") && name.endsWith("dense.weight"))
          || name.matches(".*self\\.(query|key|value)\\.weight")) {
        continue;
      }
      int n = (int) java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
      float[] values = new float[n];
      for (int i = 0; i < n; i++) {
        values[i] = i + 0.5f;
      }
      boolean packed = name.equals(BertWeights.layer(0, BertWeights.KEY, "bias"));
      initializers.add(tensor(name, e.getValue(), values, packed));
    }
    for (String module : OnnxBert.LINEARS) {
      String weight = "onnx::MatMul_" + module.hashCode();
      long[] hf = shapes.get(BertWeights.layer(0, module, "weight"));
      initializers.add(
          tensor(
              weight, new long[] {hf[1], hf[0]}, matrix(module, (int) hf[1], (int) hf[0]), false));
      String product = "/" + module + "/MatMul_output_0";
      nodes.add(
          module.equals(broken)
              ? node("Relu", List.of("x"), product)
              : node("MatMul", List.of("x", weight), product));
      nodes.add(
          node(
              "Add",
              List.of(BertWeights.layer(0, module, "bias"), product),
              "/" + module + "/Add_output_0"));
    }
    byte[] g =
        message(
            out -> {
              nodes.forEach(n -> out.bytes(1, n));
              initializers.forEach(t -> out.bytes(5, t));
              for (String in : List.of("input_ids", "attention_mask", "token_type_ids")) {
                out.bytes(11, valueInfo(in));
              }
              out.bytes(12, valueInfo("last_hidden_state"));
            });
    return message(
        out -> {
          out.varint(1, 8);
          out.string(2, "test");
          out.bytes(7, g);
        });
  }

  /** Distinct values per module, so that a swapped weight would show. */
  private static float[] matrix(String module, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = module.length() * 100 + i;
    }
    return v;
  }

  private static byte[] tensor(String name, long[] dims, float[] values, boolean floatData) {
    return message(
        out -> {
          for (long d : dims) {
            out.varint(1, d);
          }
          out.varint(2, OnnxModel.FLOAT);
          out.string(8, name);
          ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (float f : values) {
            data.putFloat(f);
          }
          out.bytes(floatData ? 4 : 9, data.array()); // packed float_data or raw_data
        });
  }

  private static byte[] node(String op, List<String> inputs, String output) {
    return message(
        out -> {
          for (String in : inputs) {
            out.string(1, in);
          }
          out.string(2, output);
          out.string(3, "/" + op + output);
          out.string(4, op);
        });
  }

  private static byte[] valueInfo(String name) {
    return message(out -> out.string(1, name));
  }

  private static byte[] message(java.util.function.Consumer<Wire> body) {
    Wire w = new Wire();
    body.accept(w);
    return w.bytes.toByteArray();
  }

  /** A minimal protobuf wire writer: varint (type 0) and length-delimited (type 2) fields. */
  private static final class Wire {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    void varint(int field, long value) {
      raw((long) field << 3);
      raw(value);
    }

    void string(int field, String s) {
      bytes(field, s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void bytes(int field, byte[] b) {
      raw(((long) field << 3) | 2);
      raw(b.length);
      bytes.writeBytes(b);
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        bytes.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      bytes.write((int) v);
    }
  }
}
