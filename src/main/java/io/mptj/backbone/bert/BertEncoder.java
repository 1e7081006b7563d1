package io.mptj.backbone.bert;

import static io.mptj.backbone.bert.BertWeights.ATTENTION_NORM;
import static io.mptj.backbone.bert.BertWeights.ATTENTION_OUTPUT;
import static io.mptj.backbone.bert.BertWeights.EMBEDDING_NORM;
import static io.mptj.backbone.bert.BertWeights.INTERMEDIATE;
import static io.mptj.backbone.bert.BertWeights.KEY;
import static io.mptj.backbone.bert.BertWeights.OUTPUT;
import static io.mptj.backbone.bert.BertWeights.OUTPUT_NORM;
import static io.mptj.backbone.bert.BertWeights.POSITION;
import static io.mptj.backbone.bert.BertWeights.QUERY;
import static io.mptj.backbone.bert.BertWeights.TOKEN_TYPE;
import static io.mptj.backbone.bert.BertWeights.VALUE;
import static io.mptj.backbone.bert.BertWeights.WORD;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frozen BERT-family encoder (Devlin et al. 2019, arXiv 1810.04805) that takes input embeddings,
 * so that a soft prompt can be prepended to the token embeddings.
 *
 * <p>Computes what HF {@code BertModel} computes for {@code last_hidden_state} (transformers {@code
 * models/bert/modeling_bert.py}, eager attention, no dropout): embeddings are the inputs plus
 * absolute position embeddings over the whole prompt-plus-token sequence plus token-type
 * embeddings, then LayerNorm; each block is post-LayerNorm self-attention followed by a post-
 * LayerNorm feed-forward network. The query, key and value projections are fused into one {@code
 * (3d, d)} weight at load so that each block runs one GEMM for them.
 *
 * <p>Weights live in the encoder's own manager; they never require gradients and no forward writes
 * them. All arrays a forward creates belong to the manager of its first argument.
 */
public final class BertEncoder implements EncoderBackbone {

  /** Fills masked attention scores, like HF's {@code torch.finfo(float32).min}. */
  private static final float MASKED = -Float.MAX_VALUE;

  private final String id;
  private final BertConfig config;
  private final TextTokenizer tokenizer;
  private final NDManager manager;
  private final Map<String, NDArray> weights;
  private final NDArray wordEmbeddings;
  private final NDArray positionEmbeddings;
  private final NDArray tokenTypeEmbeddings;
  private final Norm embeddingNorm;
  private final List<Block> blocks;
  private final float eps;
  private final float attentionScale;

  /** A dense layer {@code y = x Wᵀ + b} with an HF {@code (out, in)} weight. */
  private record Linear(NDArray weight, NDArray bias) {
    /** (..., in) to (..., out), in the input's manager. */
    NDArray apply(NDArray x) {
      return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }
  }

  /** A LayerNorm over the last axis. */
  private record Norm(NDArray weight, NDArray bias) {
    /** (..., d) to (..., d), in the input's manager. */
    NDArray apply(NDArray x, float eps) {
      return x.getNDArrayInternal()
          .layerNorm(x, weight.getShape(), weight, bias, eps)
          .singletonOrThrow();
    }
  }

  /** One transformer block; {@code qkv} is the fused query-key-value projection. */
  private record Block(
      Linear qkv,
      Linear attentionOutput,
      Norm attentionNorm,
      Linear intermediate,
      Linear output,
      Norm outputNorm) {}

  private BertEncoder(
      String id,
      BertConfig config,
      TextTokenizer tokenizer,
      NDManager manager,
      Map<String, NDArray> loaded) {
    this.id = id;
    this.config = config;
    this.tokenizer = tokenizer;
    this.manager = manager;
    this.eps = (float) config.layerNormEps();
    this.attentionScale = (float) (1 / Math.sqrt(config.headSize()));
    Map<String, NDArray> all = new LinkedHashMap<>(loaded);
    this.wordEmbeddings = all.get(WORD);
    this.positionEmbeddings = all.get(POSITION);
    this.tokenTypeEmbeddings = all.get(TOKEN_TYPE);
    this.embeddingNorm = norm(all, EMBEDDING_NORM);
    List<Block> list = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      list.add(block(all, i));
    }
    this.blocks = List.copyOf(list);
    this.weights = Collections.unmodifiableMap(all);
  }

  private static Norm norm(Map<String, NDArray> w, String module) {
    return new Norm(w.get(module + ".weight"), w.get(module + ".bias"));
  }

  private static Linear linear(Map<String, NDArray> w, int i, String module) {
    return new Linear(
        w.get(BertWeights.layer(i, module, "weight")), w.get(BertWeights.layer(i, module, "bias")));
  }

  private Block block(Map<String, NDArray> w, int i) {
    return new Block(
        fuseQkv(w, i),
        linear(w, i, ATTENTION_OUTPUT),
        norm(w, "encoder.layer." + i + "." + ATTENTION_NORM),
        linear(w, i, INTERMEDIATE),
        linear(w, i, OUTPUT),
        norm(w, "encoder.layer." + i + "." + OUTPUT_NORM));
  }

  /**
   * Concatenates the query, key and value projections into one {@code (3d, d)} weight and {@code
   * (3d)} bias, and replaces the three loaded tensors in {@code w} by views into the fused ones.
   */
  private Linear fuseQkv(Map<String, NDArray> w, int i) {
    Linear fused = new Linear(concatParam(w, i, "weight"), concatParam(w, i, "bias"));
    long d = config.hiddenSize();
    String[] modules = {QUERY, KEY, VALUE};
    for (int part = 0; part < 3; part++) {
      NDIndex rows = new NDIndex("{}:{}", part * d, (part + 1) * d);
      for (String param : new String[] {"weight", "bias"}) {
        String name = BertWeights.layer(i, modules[part], param);
        w.put(name, (param.equals("weight") ? fused.weight() : fused.bias()).get(rows)).close();
      }
    }
    return fused;
  }

  private static NDArray concatParam(Map<String, NDArray> w, int i, String param) {
    NDList parts = new NDList(3);
    for (String m : new String[] {QUERY, KEY, VALUE}) {
      parts.add(w.get(BertWeights.layer(i, m, param)));
    }
    return NDArrays.concat(parts, 0);
  }

  /**
   * Loads an HF model directory: {@code config.json}, {@code model.safetensors} (or a sharded
   * index) and {@code tokenizer.json}. Tensor names may carry the {@code bert.} prefix.
   *
   * @throws CheckpointException naming the missing file, key or tensor, or the misshaped tensor
   */
  public static BertEncoder load(Path dir) {
    return load(dir, dir.toString());
  }

  /** As {@link #load(Path)}, with the id runs record (e.g. a hub id, or the absolute path). */
  public static BertEncoder load(Path dir, String id) {
    Path tokenizerJson = dir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new CheckpointException("no tokenizer.json in " + dir);
    }
    BertConfig config = BertConfig.fromFile(dir.resolve("config.json"));
    try (WeightSource weights = Safetensors.open(dir)) {
      return fromWeights(id, config, weights, TextTokenizer.fromFile(tokenizerJson));
    }
  }

  /** The bundled all-MiniLM-L6-v2 (see {@link MiniLmOnnx}), with id {@code minilm}. */
  public static BertEncoder bundledMiniLm() {
    return MiniLmOnnx.load();
  }

  /**
   * Builds an encoder from named weights (HF names, with or without the {@code bert.} prefix). The
   * encoder takes ownership of the tokenizer.
   *
   * @throws CheckpointException naming the first missing or misshaped tensor
   */
  public static BertEncoder fromWeights(
      String id, BertConfig config, WeightSource source, TextTokenizer tokenizer) {
    NDManager manager = NDManager.newBaseManager();
    manager.setName("bert-weights");
    try {
      return new BertEncoder(
          id, config, tokenizer, manager, BertWeights.load(manager, config, source));
    } catch (RuntimeException e) {
      manager.close();
      tokenizer.close();
      throw e;
    }
  }

  /** The architecture. */
  public BertConfig config() {
    return config;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String family() {
    return "bert";
  }

  @Override
  public int hiddenSize() {
    return config.hiddenSize();
  }

  @Override
  public int numLayers() {
    return config.numHiddenLayers();
  }

  @Override
  public int numHeads() {
    return config.numAttentionHeads();
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  @Override
  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public long parameterCount() {
    return weights.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  @Override
  public int maxPositions() {
    return config.maxPositionEmbeddings();
  }

  @Override
  public NDArray wordEmbeddings() {
    return wordEmbeddings;
  }

  @Override
  public Map<String, NDArray> weights() {
    return weights;
  }

  @Override
  public NDArray embed(NDArray tokenIds) {
    return lookup(tokenIds, wordEmbeddings); // (B, T, d)
  }

  /** Rows of {@code table} at {@code ids}, in the ids' manager: (...) to (..., d). */
  private static NDArray lookup(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * {@inheritDoc}
   *
   * @param inputsEmbeds (B, L, d) in the weights' float type, L at most {@link #maxPositions()}
   * @param tokenTypeIds (B, L) integer, or {@code null} for all zeros
   * @param attentionMask (B, L) integer or float, 1 for real positions and 0 for padding
   * @return (B, L, d), in {@code inputsEmbeds}' manager; padded positions hold defined values (they
   *     attend to the unmasked positions) that callers should ignore
   */
  @Override
  public NDArray encode(NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask) {
    checkInputs(inputsEmbeds, tokenTypeIds, attentionMask);
    NDArray hidden = embeddings(inputsEmbeds, tokenTypeIds); // (B, L, d)
    NDArray maskBias = maskBias(attentionMask, inputsEmbeds); // (B, 1, 1, L)
    for (Block block : blocks) {
      hidden = block(block, hidden, maskBias); // (B, L, d)
    }
    return hidden;
  }

  /** Inputs plus positions 0..L-1 plus token types, then LayerNorm: (B, L, d). */
  private NDArray embeddings(NDArray inputsEmbeds, NDArray tokenTypeIds) {
    NDManager m = inputsEmbeds.getManager();
    long length = inputsEmbeds.getShape().get(1);
    NDArray positionIds = m.arange(0, (int) length, 1, DataType.INT64); // (L)
    NDArray positions = lookup(positionIds, positionEmbeddings); // (L, d)
    NDArray types =
        tokenTypeIds == null
            ? lookup(m.zeros(new Shape(1, 1), DataType.INT64), tokenTypeEmbeddings) // (1, 1, d)
            : ownedBy(lookup(tokenTypeIds, tokenTypeEmbeddings), m); // (B, L, d)
    NDArray sum = inputsEmbeds.add(positions).addi(types); // (B, L, d)
    return embeddingNorm.apply(sum, eps); // (B, L, d)
  }

  /** Additive attention bias: 0 where the mask is 1, a huge negative where it is 0. */
  private static NDArray maskBias(NDArray attentionMask, NDArray like) {
    Shape s = attentionMask.getShape();
    NDArray one = like.getManager().ones(new Shape(1), like.getDataType()); // (1)
    NDArray masked = one.sub(attentionMask).muli(MASKED); // (B, L)
    return masked.reshape(s.get(0), 1, 1, s.get(1)); // (B, 1, 1, L)
  }

  /** One post-LayerNorm transformer block: (B, L, d) to (B, L, d). */
  private NDArray block(Block block, NDArray hidden, NDArray maskBias) {
    NDArray attended = attention(block, hidden, maskBias); // (B, L, d)
    NDArray h = block.attentionNorm().apply(attended.addi(hidden), eps); // (B, L, d)
    NDArray inner = activate(block.intermediate().apply(h)); // (B, L, I)
    NDArray out = block.output().apply(inner); // (B, L, d)
    return block.outputNorm().apply(out.addi(h), eps); // (B, L, d)
  }

  /** Multi-head scaled dot-product self-attention and its output projection. */
  private NDArray attention(Block block, NDArray hidden, NDArray maskBias) {
    Shape s = hidden.getShape();
    long b = s.get(0);
    long len = s.get(1);
    int heads = config.numAttentionHeads();
    NDArray qkv = block.qkv().apply(hidden); // (B, L, 3d)
    NDList split =
        qkv.reshape(b, len, 3L * heads, config.headSize()) // (B, L, 3H, dh)
            .transpose(0, 2, 1, 3) // (B, 3H, L, dh)
            .split(3, 1); // 3 × (B, H, L, dh)
    NDArray query = split.get(0).mul(attentionScale); // (B, H, L, dh)
    NDArray keyT = split.get(1).transpose(0, 1, 3, 2); // (B, H, dh, L)
    NDArray scores = query.matMul(keyT).addi(maskBias); // (B, H, L, L)
    NDArray probs = scores.softmax(-1); // (B, H, L, L)
    NDArray context = probs.matMul(split.get(2)); // (B, H, L, dh)
    NDArray merged = context.transpose(0, 2, 1, 3).reshape(b, len, hiddenSize()); // (B, L, d)
    return block.attentionOutput().apply(merged); // (B, L, d)
  }

  private NDArray activate(NDArray x) {
    return switch (config.hiddenAct()) {
      case GELU -> x.getNDArrayInternal().gelu();
      case RELU -> x.getNDArrayInternal().relu();
      case GELU_TANH -> geluTanh(x);
    };
  }

  /** {@code 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))}, HF's {@code NewGELUActivation}. */
  private static NDArray geluTanh(NDArray x) {
    NDArray inner = x.pow(3).muli(0.044715).addi(x).muli(Math.sqrt(2 / Math.PI)); // (..., I)
    return inner.tanh().addi(1).muli(x).muli(0.5); // (..., I)
  }

  private static NDArray ownedBy(NDArray a, NDManager m) {
    if (a.getManager() != m) {
      a.attach(m);
    }
    return a;
  }

  private void checkInputs(NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray mask) {
    Shape s = inputsEmbeds.getShape();
    if (s.dimension() != 3 || s.get(2) != hiddenSize()) {
      throw new IllegalArgumentException(
          "inputsEmbeds must be (B, L, " + hiddenSize() + "), got " + s);
    }
    if (s.get(1) > maxPositions()) {
      throw new IllegalArgumentException(
          "input length " + s.get(1) + " exceeds max_position_embeddings " + maxPositions());
    }
    Shape bl = new Shape(s.get(0), s.get(1));
    if (!mask.getShape().equals(bl)) {
      throw new IllegalArgumentException(
          "attentionMask must be " + bl + " like inputsEmbeds, got " + mask.getShape());
    }
    if (tokenTypeIds != null && !tokenTypeIds.getShape().equals(bl)) {
      throw new IllegalArgumentException(
          "tokenTypeIds must be " + bl + " like inputsEmbeds, got " + tokenTypeIds.getShape());
    }
  }

  /** Closes the weights and the tokenizer. */
  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
