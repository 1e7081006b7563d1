package io.mptj.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.backbone.nn.LayerEdits;
import io.mptj.backbone.nn.Scoped;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.Tensors;
import io.mptj.engine.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A frozen T5 encoder-decoder with its LM head, with the semantics of HF {@code
 * T5ForConditionalGeneration} (transformers {@code models/t5/modeling_t5.py}; Raffel et al., JMLR
 * 2020): v1.0 (ReLU, LM head tied to the embeddings with d^-0.5 output scaling) and v1.1 / FLAN
 * (gated GELU, untied {@code lm_head}).
 *
 * <p>Loaded from an HF model directory: {@code config.json}, {@code model.safetensors} or a sharded
 * index, and {@code tokenizer.json} when present. Soft prompts enter through {@link #encode} as
 * input embeddings, on the encoder side only. Every method returns arrays owned by the manager of
 * its first argument and frees its intermediates before returning.
 */
public final class T5Model implements Seq2SeqBackbone {

  /** The family name reported by {@link #family()}. */
  public static final String FAMILY = "t5";

  private final String id;
  private final Path dir;
  private final T5Config config;
  private final T5Weights weights;
  private final TextTokenizer tokenizer;
  private final T5Encoder encoder;
  private final T5Decoder decoder;
  private final LayerEdits edits;
  private final boolean owner;

  private T5Model(
      String id, Path dir, T5Config config, T5Weights weights, TextTokenizer tokenizer) {
    this(id, dir, config, weights, tokenizer, LayerEdits.NONE, true);
  }

  private T5Model(
      String id,
      Path dir,
      T5Config config,
      T5Weights weights,
      TextTokenizer tokenizer,
      LayerEdits edits,
      boolean owner) {
    this.id = id;
    this.owner = owner;
    this.dir = dir;
    this.config = config;
    this.weights = weights;
    this.tokenizer = tokenizer;
    this.edits = edits;
    RelativePositionBuckets buckets =
        new RelativePositionBuckets(
            config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
    this.encoder = new T5Encoder(weights.encoder, config, buckets, edits);
    this.decoder = new T5Decoder(weights.decoder, config, buckets, edits);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Edits see HF's module paths: the fused {@code SelfAttention.q+k+v}, {@code
   * EncDecAttention.q} and {@code k+v}, {@code o}, {@code DenseReluDense.wi} (or the fused {@code
   * wi_0+wi_1}) and {@code wo}, every {@code layer_norm} and {@code final_layer_norm}, the
   * embedding {@code shared.weight}, the relative-position tables, the LM head, and the sub-layers
   * {@code encoder.block.i.layer.{0,1}} and {@code decoder.block.i.layer.{0,1,2}}. The view shares
   * this model's weights and closing it releases nothing.
   */
  @Override
  public Seq2SeqBackbone withEdits(LayerEdits edits) {
    return edits == LayerEdits.NONE
        ? this
        : new T5Model(id, dir, config, weights, tokenizer, edits, false);
  }

  /** Loads an HF T5 directory; its path is the {@link #id()}. */
  public static T5Model load(Path dir) {
    return load(dir, dir.toString());
  }

  /**
   * Loads an HF T5 directory.
   *
   * @param id what {@link #id()} reports, e.g. the hub id the directory was downloaded from
   * @throws CheckpointException when the config is invalid or a tensor is missing or misshaped,
   *     naming the key or tensor
   */
  public static T5Model load(Path dir, String id) {
    Path configJson = dir.resolve("config.json");
    if (!Files.isRegularFile(configJson)) {
      throw new CheckpointException("no config.json in " + dir);
    }
    T5Config config = T5Config.load(configJson);
    T5Weights weights;
    try (WeightSource source = Safetensors.open(dir)) {
      weights = T5Weights.load(source, config);
    }
    try {
      Path tokenizerJson = dir.resolve("tokenizer.json");
      TextTokenizer tokenizer =
          Files.isRegularFile(tokenizerJson) ? TextTokenizer.fromFile(tokenizerJson) : null;
      return new T5Model(id, dir, config, weights, tokenizer);
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  /** The validated configuration. */
  public T5Config config() {
    return config;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String family() {
    return FAMILY;
  }

  @Override
  public int hiddenSize() {
    return config.dModel();
  }

  @Override
  public int numLayers() {
    return config.numLayers();
  }

  @Override
  public int numHeads() {
    return config.numHeads();
  }

  @Override
  public int vocabSize() {
    return config.vocabSize();
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException when the directory has no {@code tokenizer.json}
   */
  @Override
  public TextTokenizer tokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException(
          "T5 checkpoint " + dir + " has no tokenizer.json; add the model's tokenizer.json to it");
    }
    return tokenizer;
  }

  @Override
  public long parameterCount() {
    return weights.parameterCount();
  }

  /** Relative position buckets: any length is accepted. */
  @Override
  public int maxPositions() {
    return Integer.MAX_VALUE;
  }

  /** {@code shared.weight} (V, d), the encoder's and decoder's input embedding. */
  @Override
  public NDArray wordEmbeddings() {
    return weights.shared;
  }

  @Override
  public NDArray embed(NDArray tokenIds) {
    return Scoped.arrays(scope -> new NDList(lookup(tokenIds)), tokenIds).singletonOrThrow();
  }

  @Override
  public java.util.List<String> sublayers() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < config.numLayers(); i++) {
      out.add(T5Weights.Names.sublayer(T5Weights.Names.ENCODER, i, 0));
      out.add(T5Weights.Names.sublayer(T5Weights.Names.ENCODER, i, 1));
    }
    for (int i = 0; i < config.numDecoderLayers(); i++) {
      for (int layer = 0; layer < 3; layer++) {
        out.add(T5Weights.Names.sublayer(T5Weights.Names.DECODER, i, layer));
      }
    }
    return out;
  }

  @Override
  public Map<String, NDArray> weights() {
    return weights.byName();
  }

  @Override
  public int padTokenId() {
    return config.padTokenId();
  }

  @Override
  public int eosTokenId() {
    return config.eosTokenId();
  }

  @Override
  public int decoderStartTokenId() {
    return config.decoderStartTokenId();
  }

  @Override
  public NDArray encode(NDArray inputsEmbeds, NDArray attentionMask) {
    checkEncoderInputs(inputsEmbeds, attentionMask);
    return Scoped.arrays(
            scope -> new NDList(encoder.forward(inputsEmbeds, attentionMask)),
            inputsEmbeds,
            attentionMask)
        .singletonOrThrow();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The decoder rows may also be a whole multiple G of the encoder rows: row {@code b·G + g}
   * then attends to encoder row b, e.g. G candidate outputs per input.
   */
  @Override
  public DecoderOutput decode(NDArray decoderInputIds, NDArray encoderHidden, NDArray encoderMask) {
    checkEncoderInputs(encoderHidden, encoderMask);
    Shape ids = decoderInputIds.getShape();
    long rows = encoderHidden.getShape().get(0);
    if (ids.dimension() != 2 || ids.get(0) % rows != 0) {
      throw new IllegalArgumentException(
          "decoder input ids "
              + ids
              + " must be (G·B, S) for encoder output "
              + encoderHidden.getShape());
    }
    NDList out =
        Scoped.arrays(
            scope -> {
              T5Decoder.Memory memory = decoder.memory(encoderHidden, encoderMask);
              NDArray hidden = decoder.forward(lookup(decoderInputIds), memory, null); // (B,S,d)
              return new NDList(logits(hidden), hidden);
            },
            decoderInputIds,
            encoderHidden,
            encoderMask);
    return new DecoderOutput(out.get(0), out.get(1));
  }

  /**
   * {@inheritDoc}
   *
   * <p>As PEFT's seq2seq MPT with two submodules feeds T5: no decoder mask beyond the causal one,
   * the prompt rows at decoder positions 0..P-1.
   */
  @Override
  public DecoderOutput decodeEmbeds(
      NDArray decoderInputsEmbeds, NDArray encoderHidden, NDArray encoderMask) {
    checkEncoderInputs(encoderHidden, encoderMask);
    NDList out =
        Scoped.arrays(
            scope -> {
              T5Decoder.Memory memory = decoder.memory(encoderHidden, encoderMask);
              NDArray hidden = decoder.forward(decoderInputsEmbeds, memory, null); // (B, S, d)
              return new NDList(logits(hidden), hidden);
            },
            decoderInputsEmbeds,
            encoderHidden,
            encoderMask);
    return new DecoderOutput(out.get(0), out.get(1));
  }

  @Override
  public NDArray shiftRight(NDArray labels) {
    return TeacherForcing.shiftRight(labels, config.decoderStartTokenId(), config.padTokenId());
  }

  @Override
  public NDArray loss(NDArray logits, NDArray labels) {
    return Scoped.arrays(scope -> new NDList(TeacherForcing.loss(logits, labels)), logits, labels)
        .singletonOrThrow();
  }

  @Override
  public long[][] generate(NDArray inputsEmbeds, NDArray attentionMask, int maxNewTokens) {
    checkEncoderInputs(inputsEmbeds, attentionMask);
    return Scoped.host(
        scope -> new GreedySearch(this, scope).run(inputsEmbeds, attentionMask, maxNewTokens),
        inputsEmbeds,
        attentionMask);
  }

  @Override
  public LabelScores scoreLabels(NDArray inputsEmbeds, NDArray attentionMask, long[][] labelIds) {
    checkEncoderInputs(inputsEmbeds, attentionMask);
    return Scoped.host(
        scope -> LabelScorer.score(this, scope, inputsEmbeds, attentionMask, labelIds),
        inputsEmbeds,
        attentionMask);
  }

  /**
   * Matmul FLOPs of one forward of one example (2 per multiply-add): the encoder over {@code
   * encoderTokens}, the decoder over {@code decoderTokens} with cross-attention, and the LM head.
   * See {@link T5Config#matmulFlops}.
   */
  public long forwardFlops(int encoderTokens, int decoderTokens) {
    return config.matmulFlops(encoderTokens, decoderTokens);
  }

  @Override
  public MatmulCost matmulCost(int batch, int length, int targetLength) {
    return new MatmulCost(
        (double) batch * config.matmulFlops(length, targetLength),
        (double) batch * config.inputGradientFlops(length, targetLength),
        config.projectionGemms((long) batch * length));
  }

  /** Rejects inputs that are not (B, L, d) embeddings with a (B, L) mask, naming both shapes. */
  private void checkEncoderInputs(NDArray embeds, NDArray mask) {
    Shape e = embeds.getShape();
    Shape m = mask.getShape();
    boolean ok =
        e.dimension() == 3
            && e.get(2) == config.dModel()
            && m.dimension() == 2
            && m.get(0) == e.get(0)
            && m.get(1) == e.get(1);
    if (!ok) {
      throw new IllegalArgumentException(
          "T5 expects (B, L, "
              + config.dModel()
              + ") embeddings with a (B, L) mask, got "
              + e
              + " and "
              + m);
    }
  }

  T5Encoder encoder() {
    return encoder;
  }

  T5Decoder decoder() {
    return decoder;
  }

  /**
   * Embeds token ids with {@code shared.weight}, unscaled.
   *
   * @param tokenIds (B, T) integer
   * @return (B, T, d) in the ids' manager
   */
  NDArray lookup(NDArray tokenIds) {
    NDArray ids =
        tokenIds.getDataType() == DataType.INT64
            ? tokenIds
            : tokenIds.toType(DataType.INT64, false);
    NDArray table = edits.table(T5Weights.Names.SHARED, weights.shared); // (V, d)
    return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  /**
   * The LM head: {@code (h · d^-0.5) sharedᵀ} when tied, {@code h lm_headᵀ} otherwise.
   *
   * @param hidden (B, S, d) decoder output after the final norm
   * @return (B, S, V)
   */
  NDArray logits(NDArray hidden) {
    if (!config.tieWordEmbeddings()) {
      return edits.linear(weights.lmHead, hidden); // (B, S, V)
    }
    float scale = (float) Math.pow(config.dModel(), -0.5);
    return edits.linear(weights.lmHead, Tensors.times(hidden, scale)); // (B, S, V)
  }

  @Override
  public void close() {
    if (!owner) {
      return; // a view with edits: the weights belong to the model it was made from
    }
    if (tokenizer != null) {
      tokenizer.close();
    }
    weights.close();
  }
}
