package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.engine.Seeds;
import io.mptj.prompt.PromptInit;
import io.mptj.prompt.PromptModule;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Seq2SeqTaskModel;
import io.mptj.train.TaskHeads;
import io.mptj.train.TaskModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds task models (prompt module + frozen backbone + heads or label sets) for a list of tasks.
 */
public final class Models {
  private Models() {}

  /** Tokens generated for generation tasks (answers of QA tasks are short). */
  static final int MAX_NEW_TOKENS = 32;

  /**
   * A model over {@code tasks} (task index = list position).
   *
   * @param heads encoder heads to use, or null for fresh random heads (seeded)
   */
  public static TaskModel build(
      Backbone backbone,
      PromptModule prompts,
      List<Task> tasks,
      TaskHeads heads,
      Hyper h,
      NDManager parent) {
    return switch (backbone) {
      case EncoderBackbone enc ->
          new EncoderTaskModel(
              enc,
              prompts,
              heads != null
                  ? heads
                  : TaskHeads.random(
                      parent,
                      classes(tasks),
                      enc.hiddenSize(),
                      Seeds.derive(h.seed(), "heads", tasks.size())),
              h.pooling(),
              regression(tasks));
      case Seq2SeqBackbone s2s -> new Seq2SeqTaskModel(s2s, prompts, outputs(s2s, tasks), h.topK());
    };
  }

  /** Outputs per task: 1 for regression, else the number of labels. */
  static int[] classes(List<Task> tasks) {
    return tasks.stream()
        .mapToInt(t -> t.kind() == TaskKind.REGRESSION ? 1 : t.labels().size())
        .toArray();
  }

  private static boolean[] regression(List<Task> tasks) {
    boolean[] r = new boolean[tasks.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = tasks.get(i).kind() == TaskKind.REGRESSION;
    }
    return r;
  }

  private static List<Seq2SeqTaskModel.TaskOutputs> outputs(Seq2SeqBackbone s2s, List<Task> tasks) {
    TextTokenizer tok = s2s.tokenizer();
    List<Seq2SeqTaskModel.TaskOutputs> out = new ArrayList<>();
    for (Task t : tasks) {
      if (t.kind() == TaskKind.GENERATION) {
        out.add(new Seq2SeqTaskModel.TaskOutputs(null, null, false, MAX_NEW_TOKENS));
        continue;
      }
      List<String> texts = t.t5LabelStrings();
      long[][] ids = texts.stream().map(x -> tok.encode(x, null, 0).ids()).toArray(long[][]::new);
      out.add(
          new Seq2SeqTaskModel.TaskOutputs(
              texts, ids, t.kind() == TaskKind.REGRESSION, MAX_NEW_TOKENS));
    }
    return out;
  }

  /**
   * The token-id range prompts are sampled from: T5's first 5,000 ids (Lester et al.); for BERT
   * WordPiece vocabularies, 5,000 ids from {@code the} (1996) on, skipping the [unused] and
   * single-character entries at the start, which were never trained.
   */
  public static int[] vocabRange(Backbone backbone) {
    int v = backbone.vocabSize();
    return backbone instanceof Seq2SeqBackbone
        ? new int[] {0, Math.min(5000, v)}
        : v > 7000 ? new int[] {1996, 6996} : new int[] {0, v};
  }

  /**
   * A fresh (P, d) prompt: {@code vocab} samples vocabulary embeddings, {@code random} draws
   * uniformly from [-0.5, 0.5] (Lester et al.'s random initialisation).
   */
  public static NDArray initialPrompt(
      Backbone backbone, NDManager m, int length, String init, long seed) {
    return switch (init) {
      case "vocab" -> vocabPrompt(backbone, m, length, seed);
      case "random" -> PromptInit.uniform(m, length, backbone.hiddenSize(), 0.5, seed);
      default ->
          throw new IllegalArgumentException(
              "--init " + init + " applies to distillation only; use vocab or random");
    };
  }

  /** A (P, d) prompt initialised from sampled vocabulary embeddings. */
  public static NDArray vocabPrompt(Backbone backbone, NDManager m, int length, long seed) {
    int[] range = vocabRange(backbone);
    return PromptInit.sampledVocab(m, backbone.wordEmbeddings(), length, range[0], range[1], seed);
  }
}
