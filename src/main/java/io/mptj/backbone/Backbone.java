package io.mptj.backbone;

import ai.djl.ndarray.NDArray;
import io.mptj.engine.MatmulProbe;
import java.util.List;
import java.util.Map;

/**
 * A frozen pretrained transformer that accepts a soft prompt in front of its input embeddings.
 *
 * <p>Weights live in the backbone's own {@link io.mptj.backbone.nn.WeightStore}, never receive
 * gradients and are never written. Every forward method runs in a {@link
 * io.mptj.backbone.nn.Scoped} child of its first input's manager and returns arrays owned by that
 * manager, so a caller that runs a step in a sub-manager frees all of that step's arrays by closing
 * it.
 */
public sealed interface Backbone extends AutoCloseable permits EncoderBackbone, Seq2SeqBackbone {

  /** Where the backbone came from: {@code minilm}, a directory, or a hub id. */
  String id();

  /**
   * Architecture family as detected from {@code config.json}: the {@link BackboneFamily#name()} of
   * a registered family, {@code bert} or {@code t5}.
   */
  String family();

  /**
   * The token ids prompts are initialised from, as the {@link #family()} chooses for this
   * vocabulary size.
   */
  default BackboneFamily.VocabRange promptInitRange() {
    return BackboneFamilies.named(family()).promptInitRange(vocabSize());
  }

  /** The family's defaults of training settings for a stage, by setting key. */
  default java.util.Map<String, Object> stageDefaults(String stage) {
    return BackboneFamilies.named(family()).stageDefaults(stage);
  }

  /** Model width d (the prompt's second dimension). */
  int hiddenSize();

  /** Number of rows of the token embedding matrix. */
  int vocabSize();

  /** Number of transformer layers (the encoder's, for encoder-decoders). */
  int numLayers();

  /** Number of attention heads per layer. */
  int numHeads();

  /** The tokenizer that belongs to the checkpoint. */
  TextTokenizer tokenizer();

  /** Number of frozen parameters (shared/tied tensors counted once). */
  long parameterCount();

  /**
   * Longest input (prompt plus tokens) the backbone accepts, e.g. {@code max_position_embeddings}
   * for BERT; {@link Integer#MAX_VALUE} for relative-position models.
   */
  int maxPositions();

  /** The id inputs are padded with. */
  default long padId() {
    return tokenizer().padId();
  }

  /** The frozen token embedding matrix (V, d); read it, never modify it. */
  NDArray wordEmbeddings();

  /**
   * Looks up token embeddings.
   *
   * @param tokenIds (B, T) int64
   * @return (B, T, d) float32, owned by {@code tokenIds}' manager
   */
  NDArray embed(NDArray tokenIds);

  /**
   * The matmul work of one prompted training step, for {@code bench forward}.
   *
   * @param batch B
   * @param length encoder input length L (prompt plus tokens)
   * @param targetLength decoder tokens S (seq2seq only)
   * @throws UnsupportedOperationException when the backbone does not count its FLOPs
   */
  default MatmulCost matmulCost(int batch, int length, int targetLength) {
    throw new UnsupportedOperationException("no FLOP count for backbone " + id());
  }

  /**
   * Matmul FLOPs (2 per multiply-add) of one step over a whole batch.
   *
   * @param forward the forward pass
   * @param inputGradient the backward pass to the input (the prompt) only: a frozen backbone needs
   *     no weight gradients
   * @param shapes the projection GEMMs of one block over all B·L rows, on which to measure the
   *     machine's matmul rate
   */
  record MatmulCost(double forward, double inputGradient, List<MatmulProbe.Gemm> shapes) {}

  /** Every frozen weight by its checkpoint name, for inspection and tests. */
  Map<String, NDArray> weights();

  @Override
  void close();

  /**
   * The HF module paths of the sub-layers whose outputs {@link
   * io.mptj.backbone.nn.LayerEdits#sublayer} sees, in forward order (for adapters); empty for a
   * family that offers none.
   */
  default java.util.List<String> sublayers() {
    return java.util.List.of();
  }
}
