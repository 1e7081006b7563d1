package io.mptj.task;

/** What a task predicts: a class, a real number, or free text. */
public enum TaskKind {
  /** One of {@link Task#labels()}; predictions are class indices. */
  CLASSIFICATION,
  /** A real-valued score (STS-B); predictions are doubles. */
  REGRESSION,
  /** Free text (QA: SQuAD, ReCoRD); text-to-text models only, encoders reject these tasks. */
  GENERATION
}
