package io.mptj.train;

import java.util.Locale;

/**
 * How an encoder's pooled output becomes class scores (issue 11: a readout that transfers).
 *
 * <ul>
 *   <li>{@link #TASK}: a fresh linear head per task (W_k: C_k × d, b_k), as BERT fine-tuning does;
 *       nothing of it transfers between tasks.
 *   <li>{@link #SHARED}: one linear head over class indices shared by every task (W: C × d, b), as
 *       T5 shares its digit targets "0", "1", "2"; trained with the sources, carried through
 *       distillation and used to initialise each target's head.
 *   <li>{@link #LABEL}: each class scored by {@code s · cos(pooled, e_c)}, {@code e_c} the frozen
 *       encoder's pooled embedding of the class name; no parameters, so a new task starts from a
 *       working readout (zero-shot possible) and only the prompt learns.
 * </ul>
 */
public enum Readout {
  TASK,
  SHARED,
  LABEL;

  /** The setting's spelling. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The readout named {@code s} (case-insensitive), for saved heads. */
  public static Readout parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
