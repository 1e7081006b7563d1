package io.mptj.pipeline;

import ai.djl.ndarray.NDManager;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.engine.Seeds;
import io.mptj.method.PromptModule;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.HeadSettings;
import io.mptj.train.LabelEmbeddings;
import io.mptj.train.Readout;
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
   * @param heads encoder heads to use, or null for fresh random heads (seeded by {@code seed})
   * @param head encoder pooling (seq2seq models read out through their decoder)
   * @param topK teacher logits a seq2seq model keeps per target token when it is a teacher
   */
  public static TaskModel build(
      Backbone backbone,
      PromptModule prompts,
      List<Task> tasks,
      TaskHeads heads,
      HeadSettings head,
      int topK,
      long seed,
      NDManager parent) {
    return switch (backbone) {
      case EncoderBackbone enc ->
          new EncoderTaskModel(
              enc,
              prompts,
              heads != null ? heads : freshHeads(enc, tasks, head, seed, parent),
              head.pooling(),
              regression(tasks));
      case Seq2SeqBackbone s2s -> new Seq2SeqTaskModel(s2s, prompts, outputs(s2s, tasks), topK);
    };
  }

  /**
   * The readout a model over {@code tasks} starts with when no run hands it one: fresh linear heads
   * (per task, or one shared), or label heads from the tasks' class names.
   */
  static TaskHeads freshHeads(
      EncoderBackbone enc, List<Task> tasks, HeadSettings head, long seed, NDManager parent) {
    if (head.readout() != Readout.LABEL) {
      return TaskHeads.random(
          parent,
          head.readout(),
          classes(tasks),
          enc.hiddenSize(),
          Seeds.derive(seed, "heads", tasks.size()));
    }
    for (Task t : tasks) {
      if (t.kind() != TaskKind.CLASSIFICATION) {
        throw new IllegalArgumentException(
            "--head label scores class names; " + t.name() + " is a " + t.kind() + " task");
      }
    }
    try (NDManager tmp = parent.newSubManager()) {
      List<List<String>> names = tasks.stream().map(Task::labels).toList();
      return TaskHeads.label(
          parent,
          LabelEmbeddings.of(enc, names, head.pooling(), tmp),
          classes(tasks),
          head.labelScale());
    }
  }

  /** A model with the settings of a stage. */
  static TaskModel build(
      Backbone backbone,
      PromptModule prompts,
      List<Task> tasks,
      TaskHeads heads,
      StageSettings s,
      NDManager parent) {
    return build(
        backbone, prompts, tasks, heads, s.head(), s.distill().topK(), s.run().seed(), parent);
  }

  /** Whether the backbone's model kind reads tasks out through per-task heads (encoders). */
  static boolean hasHeads(Backbone backbone) {
    return backbone instanceof EncoderBackbone;
  }

  /** PEFT's {@code task_type} of adapters on the backbone's model kind. */
  static String peftTaskType(Backbone backbone) {
    return switch (backbone) {
      case EncoderBackbone e -> "SEQ_CLS";
      case Seq2SeqBackbone s -> "SEQ_2_SEQ_LM";
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
}
