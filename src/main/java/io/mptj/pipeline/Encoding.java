package io.mptj.pipeline;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.backbone.TextTokenizer;
import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.train.Instance;

/**
 * Turns task examples into model instances for a backbone family: encoder text (pair) inputs with
 * class or regression labels, or T5 text-to-text inputs and targets (ATTEMPT's templates).
 *
 * @param taskIndex the task's index among the model's tasks
 * @param maxLength input length cap in tokens, special tokens included (the prompt comes on top)
 */
public record Encoding(Backbone backbone, Task task, int taskIndex, int maxLength) {

  /** Checks that the backbone can train on the task. */
  public Encoding {
    if (Models.hasHeads(backbone) && task.kind() == TaskKind.GENERATION) {
      throw new IllegalArgumentException(
          "task "
              + task.name()
              + " is a generation task; encoder backbones ('"
              + backbone.id()
              + "') take classification and regression tasks only (use a T5 backbone)");
    }
  }

  /** The instance of the {@code index}-th example of a split. */
  public Instance instance(Example e, int index) {
    TextTokenizer tok = backbone.tokenizer();
    return switch (backbone) {
      case EncoderBackbone enc -> {
        EncoderInput in = task.encoderInput(e);
        TextTokenizer.Encoded x = tok.encode(in.text(), in.pair(), maxLength);
        yield new Instance(
            taskIndex, index, x.ids(), x.typeIds(), classIndex(e), regression(e), new long[0]);
      }
      case Seq2SeqBackbone s2s -> {
        TextTokenizer.Encoded x = tok.encode(task.t5Source(e), null, maxLength);
        long[] target = e.labelled() ? tok.encode(task.t5Target(e), null, 0).ids() : new long[0];
        yield new Instance(
            taskIndex, index, x.ids(), x.typeIds(), classIndex(e), Float.NaN, target);
      }
    };
  }

  private static int classIndex(Example e) {
    return e.label() instanceof Label.ClassIndex c ? c.index() : -1;
  }

  private float regression(Example e) {
    return task.kind() == TaskKind.REGRESSION && e.label() instanceof Label.Score s
        ? (float) s.value()
        : Float.NaN;
  }
}
