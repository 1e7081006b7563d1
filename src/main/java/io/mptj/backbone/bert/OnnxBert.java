package io.mptj.backbone.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.TextTokenizer;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.OnnxModel;
import io.mptj.engine.OnnxModel.Node;
import io.mptj.engine.OnnxModel.Tensor;
import io.mptj.engine.TensorDType;
import io.mptj.engine.TensorInfo;
import io.mptj.engine.WeightSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a BERT encoder from an HF {@code BertModel} ONNX export (optimum / Xenova layout, fp32)
 * with its {@code tokenizer.json}: the {@link BundledEncoder}s.
 *
 * <p>The ONNX initializers hold the weights. Embeddings, LayerNorms and biases keep their HF names,
 * but the projection weights are anonymous {@code onnx::MatMul_N} tensors in {@code (in, out)}
 * layout. Each is identified by tracing the graph from its layer's named bias: the bias feeds one
 * {@code Add} whose other input is the {@code MatMul} that reads the weight. The architecture is
 * read from initializer shapes and graph constants (heads from the attention reshape, LayerNorm
 * epsilon from the normalisation, GELU from the {@code Erf} in each FFN), the position ids are
 * checked to be {@code 0, 1, 2, ...} (an initializer in some exports, a {@code Constant} in
 * others), and the tokenizer is checked against the embedding matrix. Any other structure
 * (quantized weights, fused attention ops, another activation) fails with an error naming the
 * tensor or node.
 */
public final class OnnxBert {

  private static final List<String> INPUTS =
      List.of("input_ids", "attention_mask", "token_type_ids");
  private static final String OUTPUT = "last_hidden_state";

  /** The six projections of a block, each traced from its bias. */
  static final List<String> LINEARS =
      List.of(
          BertWeights.QUERY,
          BertWeights.KEY,
          BertWeights.VALUE,
          BertWeights.ATTENTION_OUTPUT,
          BertWeights.INTERMEDIATE,
          BertWeights.OUTPUT);

  private OnnxBert() {}

  /** Loads a bundled encoder with its tokenizer; its {@link BertEncoder#id()} is the entry's id. */
  public static BertEncoder load(BundledEncoder bundled) {
    OnnxModel model = OnnxModel.parse(bundled.readModel(), bundled.modelResource());
    byte[] tokenizerJson = bundled.readTokenizer();
    String tokenizerName = bundled.tokenizerResource();
    BertConfig config = config(model, tokenizerJson, tokenizerName);
    WeightSource weights = weights(model, config);
    TextTokenizer tokenizer =
        TextTokenizer.fromStream(new ByteArrayInputStream(tokenizerJson), tokenizerName);
    return BertEncoder.fromWeights(bundled.id(), config, weights, tokenizer);
  }

  /**
   * Derives the architecture from the graph: sizes from initializer shapes, heads and LayerNorm
   * epsilon from graph constants, the activation from the FFN's ops; checks the tokenizer's
   * vocabulary against the embedding matrix.
   */
  static BertConfig config(OnnxModel model, byte[] tokenizerJson, String tokenizerName) {
    checkInterface(model);
    long[] word = named(model, BertWeights.WORD).dims();
    int layers = countLayers(model);
    int vocab = (int) word[0];
    int hidden = (int) word[1];
    int positions = (int) named(model, BertWeights.POSITION).dims()[0];
    checkPositionIds(model, positions);
    JsonNode tokenizer = tokenizerJson(tokenizerJson, tokenizerName);
    checkTokenizer(tokenizer, tokenizerName, vocab);
    return new BertConfig(
        vocab,
        hidden,
        layers,
        heads(model, hidden),
        (int) named(model, BertWeights.layer(0, BertWeights.INTERMEDIATE, "bias")).dims()[0],
        activation(model, layers),
        positions,
        (int) named(model, BertWeights.TOKEN_TYPE).dims()[0],
        layerNormEps(model, layers),
        padId(tokenizer, tokenizerName));
  }

  private static void checkInterface(OnnxModel model) {
    if (!model.inputs().containsAll(INPUTS) || !model.outputs().contains(OUTPUT)) {
      throw structure(
          model,
          "expected inputs "
              + INPUTS
              + " and output "
              + OUTPUT
              + ", found "
              + model.inputs()
              + " -> "
              + model.outputs());
    }
  }

  private static int countLayers(OnnxModel model) {
    int n = 0;
    while (model.initializers().containsKey(BertWeights.layer(n, BertWeights.QUERY, "bias"))) {
      n++;
    }
    if (n == 0) {
      throw structure(model, "no initializer " + BertWeights.layer(0, BertWeights.QUERY, "bias"));
    }
    return n;
  }

  /** Heads and head size are the constants of the {@code Reshape} that splits the query. */
  private static int heads(OnnxModel model, int hidden) {
    String query =
        addOfBias(model, BertWeights.layer(0, BertWeights.QUERY, "bias")).outputs().get(0);
    Node reshape = onlyConsumer(model, query, "Reshape");
    Node concat = producer(model, reshape.inputs().get(1), "Concat");
    List<String> parts = concat.inputs();
    if (parts.size() != 4) {
      throw structure(model, "query reshape " + reshape.name() + " is not (B, L, heads, size)");
    }
    long heads = constant(model, parts.get(2)).longs()[0];
    long size = constant(model, parts.get(3)).longs()[0];
    if (heads * size != hidden) {
      throw structure(
          model, "query reshape splits " + hidden + " into " + heads + " heads of " + size);
    }
    return (int) heads;
  }

  /**
   * Every LayerNorm computes {@code (x - mean) / sqrt(var + eps) * weight + bias}; eps is the
   * constant of the {@code Add} under the {@code Sqrt}. All of them must agree.
   */
  private static double layerNormEps(OnnxModel model, int layers) {
    Double eps = null;
    for (String norm : normNames(layers)) {
      Node mul = onlyConsumer(model, norm + ".weight", "Mul");
      Node div = producer(model, other(mul, norm + ".weight"), "Div");
      Node sqrt = producer(model, div.inputs().get(1), "Sqrt");
      Node add = producer(model, sqrt.inputs().get(0), "Add");
      double value = constantInput(model, add).floats()[0];
      if (eps != null && eps != value) {
        throw structure(model, norm + " has epsilon " + value + ", others " + eps);
      }
      eps = value;
    }
    return eps;
  }

  private static List<String> normNames(int layers) {
    List<String> names = new java.util.ArrayList<>(List.of(BertWeights.EMBEDDING_NORM));
    for (int i = 0; i < layers; i++) {
      names.add("encoder.layer." + i + "." + BertWeights.ATTENTION_NORM);
      names.add("encoder.layer." + i + "." + BertWeights.OUTPUT_NORM);
    }
    return names;
  }

  /** Each FFN's pre-activation must feed {@code x / √2 → Erf}: the exact GELU. */
  private static Activation activation(OnnxModel model, int layers) {
    for (int i = 0; i < layers; i++) {
      String pre =
          addOfBias(model, BertWeights.layer(i, BertWeights.INTERMEDIATE, "bias")).outputs().get(0);
      boolean erf =
          model.consumers(pre).stream()
              .filter(n -> n.opType().equals("Div"))
              .flatMap(n -> model.consumers(n.outputs().get(0)).stream())
              .anyMatch(n -> n.opType().equals("Erf"));
      if (!erf) {
        throw structure(model, "layer " + i + " FFN activation is not the erf GELU");
      }
    }
    return Activation.GELU;
  }

  /**
   * The position embeddings must be read at ids {@code 0 .. L-1}: the {@code Gather} of {@code
   * embeddings.position_embeddings.weight} takes a {@code Slice} from 0 of a constant {@code 0, 1,
   * 2, ...}, which is what {@link BertEncoder} computes.
   */
  private static void checkPositionIds(OnnxModel model, int positions) {
    Node gather = onlyConsumer(model, BertWeights.POSITION, "Gather");
    Node slice = producer(model, gather.inputs().get(1), "Slice");
    String idsName = slice.inputs().get(0);
    Tensor ids = model.initializers().get(idsName);
    if (ids == null) {
      ids = constant(model, idsName);
    }
    long[] values = ids.longs();
    boolean arange = values.length == positions;
    for (int i = 0; arange && i < values.length; i++) {
      arange = values[i] == i;
    }
    boolean fromZero =
        slice.inputs().size() >= 3 && constant(model, slice.inputs().get(1)).longs()[0] == 0;
    if (!arange || !fromZero) {
      throw structure(
          model,
          "position ids "
              + idsName
              + " sliced by "
              + slice.name()
              + " are not 0.."
              + (positions - 1)
              + " taken from 0");
    }
  }

  private static void checkTokenizer(JsonNode tokenizer, String tokenizerName, int vocab) {
    JsonNode entries = tokenizer.path("model").path("vocab");
    if (!entries.isObject() || entries.size() != vocab) {
      throw new CheckpointException(
          tokenizerName
              + " has "
              + entries.size()
              + " vocabulary entries, but the embedding matrix has "
              + vocab
              + " rows");
    }
  }

  private static int padId(JsonNode tokenizer, String tokenizerName) {
    JsonNode pad = tokenizer.path("model").path("vocab").path("[PAD]");
    if (!pad.canConvertToInt()) {
      throw new CheckpointException(tokenizerName + " has no [PAD] token");
    }
    return pad.intValue();
  }

  private static JsonNode tokenizerJson(byte[] json, String tokenizerName) {
    try {
      return io.mptj.engine.Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new CheckpointException("cannot parse " + tokenizerName + ": " + e.getMessage(), e);
    }
  }

  /**
   * Maps every weight the encoder needs to its initializer: named ones directly, projection weights
   * by tracing from their biases (transposed to HF's {@code (out, in)} on load).
   */
  static WeightSource weights(OnnxModel model, BertConfig config) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String name : BertWeights.expected(config).keySet()) {
      if (!isProjectionWeight(name)) {
        entries.put(name, new Entry(named(model, name), false));
      }
    }
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      for (String module : LINEARS) {
        Tensor w = traceWeight(model, BertWeights.layer(i, module, "bias"));
        entries.put(BertWeights.layer(i, module, "weight"), new Entry(w, true));
      }
    }
    return new Initializers(model.source(), entries);
  }

  private static boolean isProjectionWeight(String name) {
    return name.startsWith("encoder.layer.")
        && name.endsWith(".weight")
        && LINEARS.stream().anyMatch(m -> name.endsWith("." + m + ".weight"));
  }

  /** bias → Add → MatMul → its initializer weight, checked to be a 2-D FLOAT matrix. */
  private static Tensor traceWeight(OnnxModel model, String bias) {
    Node add = addOfBias(model, bias);
    Node matmul = model.producer(other(add, bias));
    if (matmul == null || !matmul.opType().equals("MatMul") || matmul.inputs().size() != 2) {
      throw structure(
          model,
          "the Add of "
              + bias
              + " adds no MatMul output (found "
              + (matmul == null ? "no node" : matmul.opType() + " " + matmul.name())
              + ")");
    }
    String weight = matmul.inputs().get(1);
    Tensor w = model.initializers().get(weight);
    if (w == null || w.dims().length != 2 || w.dataType() != OnnxModel.FLOAT) {
      throw structure(model, "MatMul " + matmul.name() + " adding " + bias + " has no 2-D weight");
    }
    if (w.dims()[1] != named(model, bias).dims()[0]) {
      throw structure(model, "weight " + weight + " does not match the width of " + bias);
    }
    return w;
  }

  private static Node addOfBias(OnnxModel model, String bias) {
    named(model, bias);
    return onlyConsumer(model, bias, "Add");
  }

  private static Node onlyConsumer(OnnxModel model, String tensor, String op) {
    List<Node> found = model.consumers(tensor).stream().filter(n -> n.opType().equals(op)).toList();
    if (found.size() != 1) {
      throw structure(
          model, "expected one " + op + " reading " + tensor + ", found " + found.size());
    }
    return found.get(0);
  }

  private static Node producer(OnnxModel model, String tensor, String op) {
    Node n = model.producer(tensor);
    if (n == null || !n.opType().equals(op)) {
      throw structure(
          model,
          "expected "
              + tensor
              + " to come from "
              + op
              + ", found "
              + (n == null ? "no node" : n.opType() + " " + n.name()));
    }
    return n;
  }

  private static String other(Node binary, String input) {
    List<String> ins = binary.inputs();
    if (ins.size() != 2 || !ins.contains(input)) {
      throw new CheckpointException(binary.name() + " is not a binary op on " + input);
    }
    return ins.get(0).equals(input) ? ins.get(1) : ins.get(0);
  }

  private static Tensor constant(OnnxModel model, String tensor) {
    Tensor t = producer(model, tensor, "Constant").tensors().get("value");
    if (t == null) {
      throw structure(model, "Constant producing " + tensor + " has no tensor value");
    }
    return t;
  }

  private static Tensor constantInput(OnnxModel model, Node node) {
    for (String in : node.inputs()) {
      Node p = model.producer(in);
      if (p != null && p.opType().equals("Constant")) {
        return constant(model, in);
      }
    }
    throw structure(model, node.name() + " has no constant input");
  }

  private static Tensor named(OnnxModel model, String name) {
    Tensor t = model.initializers().get(name);
    if (t == null) {
      throw structure(model, "no initializer named " + name);
    }
    if (t.dataType() != OnnxModel.FLOAT) {
      throw structure(model, "initializer " + name + " is not FLOAT");
    }
    return t;
  }

  private static CheckpointException structure(OnnxModel model, String what) {
    return new CheckpointException(
        model.source() + " does not have the expected BERT structure: " + what);
  }

  /** An initializer and whether it is an ONNX {@code (in, out)} matrix to transpose. */
  private record Entry(Tensor tensor, boolean transposed) {
    long[] shape() {
      long[] d = tensor.dims();
      return transposed ? new long[] {d[1], d[0]} : d.clone();
    }
  }

  /** The traced initializers under their HF names, as a weight source. */
  private static final class Initializers implements WeightSource {
    private final String source;
    private final Map<String, Entry> entries;

    Initializers(String source, Map<String, Entry> entries) {
      this.source = source;
      this.entries = Collections.unmodifiableMap(entries);
    }

    @Override
    public Set<String> names() {
      return entries.keySet();
    }

    @Override
    public TensorInfo info(String name) {
      Entry e = entries.get(name);
      if (e == null) {
        throw new CheckpointException("missing tensor '" + name + "' in " + source);
      }
      long bytes = e.tensor().data().remaining();
      return new TensorInfo(name, TensorDType.F32, e.shape(), 0, bytes);
    }

    @Override
    public NDArray load(NDManager manager, String name) {
      Entry e = entries.get(name);
      if (e == null) {
        throw new CheckpointException("missing tensor '" + name + "' in " + source);
      }
      ByteBuffer data = e.transposed() ? transpose(e.tensor()) : direct(e.tensor().data());
      return manager.create(data, new Shape(e.shape()), DataType.FLOAT32);
    }

    private static ByteBuffer direct(ByteBuffer littleEndian) {
      ByteBuffer out =
          ByteBuffer.allocateDirect(littleEndian.remaining()).order(ByteOrder.nativeOrder());
      out.put(littleEndian.duplicate()).flip();
      return out;
    }

    /** (in, out) row-major to (out, in) row-major, in native order. */
    private static ByteBuffer transpose(Tensor t) {
      int rows = (int) t.dims()[0];
      int cols = (int) t.dims()[1];
      FloatBuffer src = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      float[] a = new float[rows * cols];
      src.get(a);
      float[] b = new float[a.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          b[c * rows + r] = a[r * cols + c];
        }
      }
      ByteBuffer out = ByteBuffer.allocateDirect(b.length * 4).order(ByteOrder.nativeOrder());
      out.asFloatBuffer().put(b);
      return out;
    }

    @Override
    public String describe() {
      return source;
    }

    @Override
    public void close() {}
  }
}
