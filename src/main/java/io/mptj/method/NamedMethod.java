package io.mptj.method;

import io.mptj.engine.Knob;
import java.util.List;

/**
 * A tuning method's identity, given once to the constructor: its registry name, report label,
 * settings, upstream stage and PEFT type.
 */
public abstract class NamedMethod implements TuningMethod {

  private final String name;
  private final String label;
  private final List<Knob> knobs;
  private final Upstream upstream;
  private final String peftType;

  protected NamedMethod(
      String name, String label, List<Knob> knobs, Upstream upstream, String peftType) {
    this.name = name;
    this.label = label;
    this.knobs = List.copyOf(knobs);
    this.upstream = upstream;
    this.peftType = peftType;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String label() {
    return label;
  }

  @Override
  public final List<Knob> knobs() {
    return knobs;
  }

  @Override
  public final Upstream upstream() {
    return upstream;
  }

  @Override
  public final String peftType() {
    return peftType;
  }
}
