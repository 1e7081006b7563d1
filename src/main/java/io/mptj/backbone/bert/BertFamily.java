package io.mptj.backbone.bert;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.BackboneFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The BERT family: {@code model_type} {@code bert}, loaded as a {@link BertEncoder}. */
public final class BertFamily implements BackboneFamily {

  /** The family name runs record. */
  public static final String NAME = "bert";

  /** The {@code model_type} values read. */
  static final Set<String> MODEL_TYPES = Set.of("bert");

  /** WordPiece id of {@code the}, the first of the vocabulary's trained whole words. */
  private static final int FIRST_WORD = 1996;

  private static final int RANGE = 5000;

  /** Vocabularies this small are not WordPiece's 30k; their whole range is used. */
  private static final int SMALL_VOCAB = 7000;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> modelTypes() {
    return MODEL_TYPES;
  }

  @Override
  public Backbone load(Path dir, String id) {
    return BertEncoder.load(dir, id);
  }

  /**
   * For BERT WordPiece vocabularies, 5,000 ids from {@code the} (1996) on, skipping the [unused]
   * and single-character entries at the start, which were never trained; the whole vocabulary when
   * it is too small for that (7,000 ids or fewer).
   */
  @Override
  public VocabRange promptInitRange(int vocabSize) {
    return vocabSize > SMALL_VOCAB
        ? new VocabRange(FIRST_WORD, FIRST_WORD + RANGE)
        : new VocabRange(0, vocabSize);
  }

  /** The ids of {@link BundledEncoder#ALL}. */
  @Override
  public List<String> bundled() {
    return BundledEncoder.ALL.stream().map(BundledEncoder::id).toList();
  }

  @Override
  public Backbone loadBundled(String id) {
    return BertEncoder.bundled(id);
  }
}
