package io.mptj.backbone;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * An architecture family (BERT, T5, ...): the {@code config.json} {@code model_type} values it
 * reads, how it loads an HF model directory, the encoders it bundles, and the family-specific
 * choices the pipeline needs (the prompt-initialisation vocabulary range, the stage-defaults key).
 *
 * <p>Families are plug-ins: one folder under {@code io.mptj.backbone} plus one line in {@code
 * META-INF/services/io.mptj.backbone.BackboneFamily}, read by {@link BackboneFamilies}. The set of
 * model <em>kinds</em> a family's backbones implement ({@link EncoderBackbone}, {@link
 * Seq2SeqBackbone}) stays closed.
 */
public interface BackboneFamily {

  /**
   * The family's name: what {@link Backbone#family()} reports and run directories record, e.g.
   * {@code bert} or {@code t5}.
   */
  String name();

  /** The {@code model_type} values of {@code config.json} this family loads, e.g. {@code t5}. */
  Set<String> modelTypes();

  /**
   * Loads an HF model directory whose {@code model_type} is one of {@link #modelTypes()}.
   *
   * @param id what the backbone's {@link Backbone#id()} reports (a hub id or the absolute path)
   * @throws io.mptj.engine.CheckpointException naming the file, key or tensor that is wrong
   */
  Backbone load(Path dir, String id);

  /**
   * The token ids prompts are initialised from (sampled vocabulary embeddings).
   *
   * @param vocabSize rows of the backbone's embedding matrix
   */
  VocabRange promptInitRange(int vocabSize);

  /**
   * The family's own defaults of training settings for a stage ({@code source}, {@code distill},
   * {@code adapt}), by setting key (e.g. {@code prompt_length}, {@code steps}), over each setting's
   * own default (which is measured on the bundled BERT-family encoders). Empty for families that
   * take those.
   */
  default java.util.Map<String, Object> stageDefaults(String stage) {
    return java.util.Map.of();
  }

  /**
   * The {@code --backbone} ids of the models this family ships in the build, e.g. {@code minilm}.
   */
  default List<String> bundled() {
    return List.of();
  }

  /**
   * Loads a bundled model.
   *
   * @param id one of {@link #bundled()}
   */
  default Backbone loadBundled(String id) {
    throw new IllegalArgumentException("family " + name() + " bundles no model '" + id + "'");
  }

  /**
   * A half-open range of token ids {@code [from, to)}.
   *
   * @param from first id, at least 0
   * @param to one past the last id, above {@code from}
   */
  record VocabRange(int from, int to) {
    public VocabRange {
      if (from < 0 || to <= from) {
        throw new IllegalArgumentException("vocabulary range [" + from + ", " + to + ") is empty");
      }
    }
  }
}
