package io.mptj.train;

import ai.djl.ndarray.NDArray;
import io.mptj.engine.Tensors;
import java.util.List;

/**
 * The training loss: the task loss, plus for distillation {@code λ · (KL(teacher ‖ student) +
 * MSE(hidden))} (Wang et al., 2023, Eq. 5: {@code L = L_PLM + λ (L_Logits + L_Hidden)}), averaged
 * over the batch.
 *
 * @param lambda weight λ of the distillation terms (0.9 in the paper)
 * @param temperature softmax temperature T of the KL term (not reported in the paper)
 * @param teachers cached teacher outputs, or null for plain training
 */
public record Objective(double lambda, double temperature, TeacherCache teachers) {

  /** Plain task loss. */
  public static Objective taskOnly() {
    return new Objective(0, 1, null);
  }

  /** Whether distillation terms are computed. */
  public boolean distills() {
    return teachers != null;
  }

  /**
   * The loss of one batch.
   *
   * @param teacher cached teacher outputs for the batch (null unless distilling)
   */
  public Loss compute(TaskModel model, Batch batch, List<TeacherOutput> teacher) {
    ModelOutput out = model.forward(batch);
    NDArray task = model.taskLoss(batch, out).mean(); // ()
    if (teacher == null) {
      return new Loss(task, task, null);
    }
    NDArray distill = model.distillLoss(batch, out, teacher, temperature).mean(); // ()
    return new Loss(task.add(Tensors.times(distill, lambda)), task, distill);
  }

  /**
   * Loss parts, scalars owned by the step.
   *
   * @param total what is differentiated
   * @param distill null when not distilling
   */
  public record Loss(NDArray total, NDArray task, NDArray distill) {}
}
