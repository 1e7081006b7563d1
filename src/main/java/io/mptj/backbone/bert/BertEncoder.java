package io.mptj.backbone.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.backbone.nn.Activation;
import io.mptj.backbone.nn.Attention;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.backbone.nn.Scoped;
import io.mptj.backbone.nn.WeightStore;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.Tensors;
import io.mptj.engine.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Weights live in a {@link WeightStore}; they never require gradients and no forward writes
 * them. Each forward runs in a {@link Scoped} child of its first argument's manager: its
 * intermediates are freed on return and its result belongs to that manager.
 */
public final class BertEncoder implements EncoderBackbone {

  private final String id;
  private final BertConfig config;
  private final TextTokenizer tokenizer;
  private final WeightStore store;
  private final BertWeights.Layers layers;
  private final float attentionScale;

  private BertEncoder(
      String id,
      BertConfig config,
      TextTokenizer tokenizer,
      WeightStore store,
      BertWeights.Layers layers) {
    this.id = id;
    this.config = config;
    this.tokenizer = tokenizer;
    this.store = store;
    this.layers = layers;
    this.attentionScale = (float) (1 / Math.sqrt(config.headSize()));
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

  /** The bundled all-MiniLM-L6-v2 (see {@link BundledEncoder#MINILM}), with id {@code minilm}. */
  public static BertEncoder bundledMiniLm() {
    return bundled(BundledEncoder.MINILM.id());
  }

  /**
   * A bundled encoder by its {@code --backbone} id (see {@link BundledEncoder#ALL}).
   *
   * @throws IllegalArgumentException listing the bundled ids when none matches
   */
  public static BertEncoder bundled(String id) {
    return OnnxBert.load(BundledEncoder.of(id));
  }

  /**
   * Builds an encoder from named weights (HF names, with or without the {@code bert.} prefix). The
   * encoder takes ownership of the tokenizer.
   *
   * @throws CheckpointException naming the first missing or misshaped tensor
   */
  public static BertEncoder fromWeights(
      String id, BertConfig config, WeightSource source, TextTokenizer tokenizer) {
    try {
      return WeightStore.build(
          "bert-weights",
          source,
          BertWeights.prefix(source),
          store -> new BertEncoder(id, config, tokenizer, store, BertWeights.load(store, config)));
    } catch (RuntimeException e) {
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
    return BertFamily.NAME;
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
    return store.parameterCount();
  }

  @Override
  public int maxPositions() {
    return config.maxPositionEmbeddings();
  }

  @Override
  public MatmulCost matmulCost(int batch, int length, int targetLength) {
    return new MatmulCost(
        config.forwardFlops(batch, length),
        config.inputGradientFlops(batch, length),
        config.projectionGemms(batch * length, 1));
  }

  @Override
  public java.util.List<String> sublayers() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      out.add(BertWeights.module(i, BertWeights.ATTENTION_SUBLAYER));
      out.add(BertWeights.module(i, BertWeights.FFN_SUBLAYER));
    }
    return out;
  }

  @Override
  public NDArray wordEmbeddings() {
    return layers.word();
  }

  @Override
  public Map<String, NDArray> weights() {
    return store.byName();
  }

  @Override
  public NDArray embed(NDArray tokenIds) {
    return embed(tokenIds, LayerEdits.NONE);
  }

  @Override
  public NDArray embed(NDArray tokenIds, LayerEdits edits) {
    NDArray table = edits.table(BertWeights.WORD, layers.word()); // (V, d)
    return Scoped.arrays(scope -> new NDList(lookup(tokenIds, table)), tokenIds)
        .singletonOrThrow(); // (B, T, d)
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
    return encode(inputsEmbeds, tokenTypeIds, attentionMask, LayerEdits.NONE);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Edits see this encoder's HF names: the fused {@code query+key+value} projection of each
   * block, {@code attention.output.dense}, {@code intermediate.dense}, {@code output.dense}, the
   * three LayerNorm kinds, the three embedding tables, and the sub-layers {@code
   * encoder.layer.i.attention.output} and {@code encoder.layer.i.output}.
   */
  @Override
  public NDArray encode(
      NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask, LayerEdits edits) {
    checkInputs(inputsEmbeds, tokenTypeIds, attentionMask);
    return Scoped.arrays(
            scope -> new NDList(forward(inputsEmbeds, tokenTypeIds, attentionMask, edits)),
            inputsEmbeds,
            tokenTypeIds,
            attentionMask)
        .singletonOrThrow();
  }

  /** The encoder, every array in the inputs' (scoped) manager: (B, L, d) to (B, L, d). */
  private NDArray forward(
      NDArray inputsEmbeds, NDArray tokenTypeIds, NDArray attentionMask, LayerEdits edits) {
    NDArray hidden = embeddings(inputsEmbeds, tokenTypeIds, edits); // (B, L, d)
    NDArray maskBias = Attention.additiveKeyMask(attentionMask); // (B, 1, 1, L)
    for (int i = 0; i < layers.blocks().size(); i++) {
      // each block in a scope of its own: its intermediates are freed when it returns instead of
      // when the whole forward does (a 12-layer chunk of 64 held about 5 GB otherwise)
      int index = i;
      NDArray in = hidden;
      hidden =
          Scoped.arrays(
                  scope ->
                      new NDList(block(index, layers.blocks().get(index), in, maskBias, edits)),
                  in,
                  maskBias)
              .singletonOrThrow(); // (B, L, d)
    }
    return hidden;
  }

  /** Inputs plus positions 0..L-1 plus token types, then LayerNorm: (B, L, d). */
  private NDArray embeddings(NDArray inputsEmbeds, NDArray tokenTypeIds, LayerEdits edits) {
    NDManager m = inputsEmbeds.getManager();
    long length = inputsEmbeds.getShape().get(1);
    NDArray positionIds = m.arange(0, (int) length, 1, DataType.INT64); // (L)
    NDArray positions =
        lookup(positionIds, edits.table(BertWeights.POSITION, layers.position())); // (L, d)
    NDArray typeIds =
        tokenTypeIds == null ? m.zeros(new Shape(1, 1), DataType.INT64) : tokenTypeIds; // (B, L)
    NDArray types =
        lookup(typeIds, edits.table(BertWeights.TOKEN_TYPE, layers.tokenType())); // (B, L, d)
    NDArray sum = inputsEmbeds.add(positions).addi(types); // (B, L, d)
    return edits.norm(layers.embeddingNorm(), sum); // (B, L, d)
  }

  /** One post-LayerNorm transformer block: (B, L, d) to (B, L, d). */
  private NDArray block(
      int index, BertWeights.Block block, NDArray hidden, NDArray maskBias, LayerEdits edits) {
    NDArray attended = attention(block, hidden, maskBias, edits); // (B, L, d)
    attended = edits.sublayer(BertWeights.module(index, BertWeights.ATTENTION_SUBLAYER), attended);
    NDArray h = edits.norm(block.attentionNorm(), attended.addi(hidden)); // (B, L, d)
    NDArray inner = activation().apply(edits.linear(block.intermediate(), h)); // (B, L, I)
    NDArray out = edits.linear(block.output(), inner); // (B, L, d)
    out = edits.sublayer(BertWeights.module(index, BertWeights.FFN_SUBLAYER), out); // (B, L, d)
    return edits.norm(block.outputNorm(), out.addi(h)); // (B, L, d)
  }

  /** Multi-head scaled dot-product self-attention and its output projection. */
  private NDArray attention(
      BertWeights.Block block, NDArray hidden, NDArray maskBias, LayerEdits edits) {
    int heads = config.numAttentionHeads();
    NDList qkv = edits.linear(block.qkv(), hidden).split(3, 2); // 3 × (B, L, d)
    NDArray query =
        Tensors.times(Attention.splitHeads(qkv.get(0), heads), attentionScale); // (B, H, L, dh)
    NDArray key = Attention.splitHeads(qkv.get(1), heads); // (B, H, L, dh)
    NDArray value = Attention.splitHeads(qkv.get(2), heads); // (B, H, L, dh)
    NDArray context = Attention.attend(query, key, value, maskBias); // (B, H, L, dh)
    return edits.linear(block.attentionOutput(), Attention.mergeHeads(context)); // (B, L, d)
  }

  private Activation activation() {
    return config.hiddenAct();
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
    store.close();
    tokenizer.close();
  }
}
