package io.mptj.train;

import ai.djl.ndarray.NDArray;
import io.mptj.backbone.Backbone;
import io.mptj.method.Parameter;
import io.mptj.method.PromptModule;
import java.util.List;

/**
 * A frozen backbone with a prompt module (and, for encoders, task heads): what the trainer
 * optimises and evaluates. A batch may mix tasks; each example's prompt is chosen by its task id.
 */
public sealed interface TaskModel extends AutoCloseable permits EncoderTaskModel, Seq2SeqTaskModel {

  /** The frozen backbone. */
  Backbone backbone();

  /** The prompt module. */
  PromptModule prompts();

  /** Runs the model on a batch (with gradients if called inside a gradient collector). */
  ModelOutput forward(Batch batch);

  /**
   * The task loss per example: cross-entropy of the label (or label string), squared error for
   * regression.
   *
   * @return (B)
   */
  NDArray taskLoss(Batch batch, ModelOutput out);

  /**
   * Distillation terms per example: {@code KL(teacher ‖ student)} on the output distributions at
   * temperature {@code temperature} (scaled by T²), plus the mean squared error of hidden states.
   *
   * @return (B)
   */
  NDArray distillLoss(
      Batch batch, ModelOutput out, List<TeacherOutput> teacher, double temperature);

  /** Host copies of what distillation needs, one per example of the batch. */
  List<TeacherOutput> summarize(Batch batch, ModelOutput out);

  /** Predictions for a batch, without gradients: one per example. */
  List<Prediction> predict(Batch batch);

  /** All trainable tensors: the prompt module's, and the heads' for encoders. */
  List<Parameter> parameters();

  /** Trainable parameters that belong to one task alone (prompt part plus head). */
  long taskParameterCount(int task);

  /** Trainable scalars shared by all the model's tasks (a shared prompt, a shared head). */
  default long sharedParameterCount() {
    return prompts().sharedParameterCount();
  }

  @Override
  void close();

  /**
   * A model prediction.
   *
   * @param label predicted class index (-1 for regression or generation)
   * @param value regression output (NaN otherwise)
   * @param text generated text (generation tasks), else null
   * @param scores per-class scores (logits or label-string log-likelihoods), may be empty
   */
  record Prediction(int label, double value, String text, float[] scores) {}
}
