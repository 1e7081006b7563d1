package io.mptj.method;

import io.mptj.engine.Knob;
import io.mptj.method.mpt.MultitaskPromptTuning;
import io.mptj.method.pt.PromptTuning;
import io.mptj.method.spot.Spot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The tuning methods by name: those listed here, then any found through {@link ServiceLoader} (a
 * plug-in outside this code base lists its class in {@code
 * META-INF/services/io.mptj.method.TuningMethod}).
 */
public final class MethodRegistry {
  private MethodRegistry() {}

  private static final Map<String, TuningMethod> METHODS = new LinkedHashMap<>();

  static {
    register(new PromptTuning());
    register(new Spot());
    register(new MultitaskPromptTuning());
    register(new io.mptj.method.lora.LoraMethod());
    register(new io.mptj.method.bitfit.BitFitMethod());
    register(new io.mptj.method.adapter.HoulsbyAdapters());
    register(new io.mptj.method.ft.FineTuning());
    register(new io.mptj.method.dept.Dept());
    register(new io.mptj.method.ulpt.Ulpt());
    register(new io.mptj.method.attempt.Attempt());
    register(new io.mptj.method.dept.MptDept());
    register(new io.mptj.method.ulpt.MptUlpt());
    ServiceLoader.load(TuningMethod.class).forEach(MethodRegistry::register);
  }

  private static void register(TuningMethod m) {
    if (METHODS.putIfAbsent(m.name(), m) != null) {
      throw new IllegalStateException("two tuning methods are named " + m.name());
    }
  }

  /**
   * The method of a name.
   *
   * @throws IllegalArgumentException naming the known methods
   */
  public static TuningMethod get(String name) {
    TuningMethod m =
        METHODS.get(name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT));
    if (m == null) {
      throw new IllegalArgumentException(
          "unknown tuning method '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
    return m;
  }

  /** Every registered method's name, in registration order. */
  public static List<String> names() {
    return List.copyOf(METHODS.keySet());
  }

  /** Every registered method. */
  public static List<TuningMethod> all() {
    return List.copyOf(METHODS.values());
  }

  /**
   * The method that reads adapters of a PEFT type (the first registered that writes it: PT's
   * adapters and SPoT's share one layout).
   */
  public static TuningMethod forPeftType(String peftType, String where) {
    return METHODS.values().stream()
        .filter(m -> m.peftType().equals(peftType))
        .findFirst()
        .orElseThrow(
            () ->
                new io.mptj.engine.CheckpointException(
                    where + ": peft_type " + peftType + " is not an adapter mptj can load"));
  }

  /** The knobs of every method, each key once. */
  public static List<Knob> allKnobs() {
    Map<String, Knob> byKey = new LinkedHashMap<>();
    for (TuningMethod m : METHODS.values()) {
      m.knobs().forEach(k -> byKey.putIfAbsent(k.key(), k));
    }
    return new ArrayList<>(byKey.values());
  }

  /**
   * The method that {@code mptj distill} trains (the first registered that {@link
   * TuningMethod#distils()}).
   */
  public static TuningMethod distiller() {
    return METHODS.values().stream()
        .filter(TuningMethod::distils)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no tuning method can be distilled"));
  }
}
