package io.mptj.pipeline;

/** The stages of multitask prompt tuning (Wang et al., 2023, §3). */
public enum Stage {
  /** Vanilla prompt tuning of one teacher prompt per source task. */
  SOURCE,
  /** Multitask distillation of the teachers into a shared prompt with task vectors. */
  DISTILL,
  /** Adaptation to target tasks (MPT, or the PT and SPoT baselines). */
  ADAPT
}
