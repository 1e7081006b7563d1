package io.mptj.method;

/**
 * How a target run picks the one upstream task it starts from (MPT's {@code --target-init}).
 *
 * <ul>
 *   <li>{@link #NONE}: no single source; the method's default start (MPT: the mean of the source
 *       task vectors, as the paper and PEFT).
 *   <li>{@link #DEV}: every source's start is scored on the target's dev split before training; the
 *       best is kept.
 *   <li>{@link #LABELS}: the sources whose class names cover the most of the target's class names
 *       (CB's entailment/contradiction/neutral: MNLI and SNLI; RTE's entailment/not_entailment:
 *       QNLI), ties (and targets no source shares a name with) decided on dev as {@link #DEV}. A
 *       rule fixed before any target is seen, so a small dev split decides less.
 * </ul>
 */
public enum SourceChoice {
  NONE,
  DEV,
  LABELS
}
