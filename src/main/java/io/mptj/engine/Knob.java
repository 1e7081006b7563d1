package io.mptj.engine;

import java.util.List;
import java.util.Locale;

/**
 * One setting, declared once by the code that reads it (a settings record of the trainer, the
 * optimizer, the heads, distillation, or a tuning method): its spec key, the name it is saved under
 * in a run's {@code config.json}, its type, default and help. The command-line flag is derived from
 * the key ({@code batch_size} → {@code --batch-size}); a boolean that is on by default is turned
 * off with {@code --no-<key>}.
 *
 * @param key snake-case key of experiment specs, e.g. {@code lr_task}
 * @param saved the key under {@code hyper} in a run's config.json (kept stable across versions)
 * @param type value type
 * @param defaultValue value when nobody sets it (a backbone family's stage defaults may override)
 * @param help one line for {@code --help}
 * @param choices allowed values of a text setting (lower case), empty for any
 * @param excludes the key of a setting that may not be given together with this one, or null
 */
public record Knob(
    String key,
    String saved,
    Type type,
    Object defaultValue,
    String help,
    List<String> choices,
    String excludes) {

  /** Value types. */
  public enum Type {
    INT,
    LONG,
    DOUBLE,
    BOOL,
    TEXT
  }

  public Knob {
    if (key == null || !key.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("a setting key must be snake_case: " + key);
    }
    choices = List.copyOf(choices);
  }

  /** A setting of any value of its type. */
  public static Knob of(String key, String saved, Type type, Object defaultValue, String help) {
    return new Knob(key, saved, type, defaultValue, help, List.of(), null);
  }

  /** A text setting restricted to {@code choices}. */
  public static Knob choice(
      String key, String saved, String defaultValue, String help, String... choices) {
    return new Knob(key, saved, Type.TEXT, defaultValue, help, List.of(choices), null);
  }

  /** This setting, exclusive with {@code other} (e.g. steps and epochs). */
  public Knob excluding(String other) {
    return new Knob(key, saved, type, defaultValue, help, choices, other);
  }

  /**
   * Values as saved in a run's config.json: each knob's {@link #saved()} name with the value at the
   * same position.
   */
  public static java.util.Map<String, Object> savedAs(List<Knob> knobs, Object... values) {
    if (knobs.size() != values.length) {
      throw new IllegalArgumentException(knobs.size() + " settings, " + values.length + " values");
    }
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      m.put(knobs.get(i).saved(), values[i]);
    }
    return m;
  }

  /** The command-line flag: {@code --batch-size}, or {@code --no-stochastic-tasks} for switches. */
  public String flag() {
    String dashed = key.replace('_', '-');
    return type == Type.BOOL ? "--no-" + dashed : "--" + dashed;
  }

  /**
   * Converts a value from a spec file, a saved config or a flag to this setting's type.
   *
   * @param where named in the error, e.g. {@code spec.yaml: targets.hyper}
   * @throws IllegalArgumentException naming {@code where}, the key and the value
   */
  public Object convert(Object value, String where) {
    try {
      Object v =
          switch (type) {
            case INT -> Math.toIntExact(integral(value));
            case LONG -> integral(value);
            case DOUBLE ->
                value instanceof Number n ? n.doubleValue() : Double.parseDouble(text(value));
            case BOOL ->
                value instanceof Boolean b ? b : Boolean.parseBoolean(strictBool(text(value)));
            case TEXT -> text(value).toLowerCase(Locale.ROOT);
          };
      if (!choices.isEmpty() && !choices.contains(v)) {
        throw new IllegalArgumentException("not one of " + choices);
      }
      return v;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          where
              + ": setting '"
              + key
              + "' ("
              + flag()
              + ") has an invalid value '"
              + value
              + "'"
              + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          e);
    }
  }

  private static long integral(Object value) {
    if (value instanceof Number n) {
      if (n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException("must be a whole number");
      }
      return n.longValue();
    }
    return Long.parseLong(text(value));
  }

  private static String text(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("missing");
    }
    return value.toString().strip();
  }

  private static String strictBool(String s) {
    if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("must be true or false");
    }
    return s;
  }
}
