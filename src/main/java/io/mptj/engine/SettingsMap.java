package io.mptj.engine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Typed setting values keyed by {@link Knob#key()}: one layer of defaults, a spec's {@code hyper}
 * block or the flags given, merged by {@link #then} (later layers win). Every value is checked
 * against its knob when the layer is built, and a key no knob declares is an error naming where it
 * came from. Immutable.
 */
public final class SettingsMap {

  private final Map<String, Knob> knobs;
  private final Map<String, Object> values;

  private SettingsMap(Map<String, Knob> knobs, Map<String, Object> values) {
    this.knobs = knobs;
    this.values = values;
  }

  /** No values over the given knobs. */
  public static SettingsMap empty(Collection<Knob> known) {
    return new SettingsMap(index(known), Map.of());
  }

  /** Every knob's own default. */
  public static SettingsMap defaults(Collection<Knob> known) {
    Map<String, Object> v = new LinkedHashMap<>();
    known.forEach(k -> v.put(k.key(), k.defaultValue()));
    return new SettingsMap(index(known), v);
  }

  /**
   * Values from a spec or from flags.
   *
   * @param raw key to value (null values are left out)
   * @param where names the source in errors, e.g. {@code spec.yaml: source.hyper}
   * @throws IllegalArgumentException for a key no knob declares, a bad value, or two exclusive
   *     settings given together
   */
  public static SettingsMap of(Map<String, ?> raw, Collection<Knob> known, String where) {
    SettingsMap s = unchecked(raw, known, where);
    s.requireExclusive(where);
    return s;
  }

  private static SettingsMap unchecked(Map<String, ?> raw, Collection<Knob> known, String where) {
    Map<String, Knob> index = index(known);
    Map<String, Object> v = new LinkedHashMap<>();
    raw.forEach(
        (key, value) -> {
          Knob k = index.get(key);
          if (k == null) {
            throw new IllegalArgumentException(
                where
                    + ": unknown setting '"
                    + key
                    + "' (known: "
                    + new TreeSet<>(index.keySet())
                    + ")");
          }
          if (value != null) {
            v.put(key, k.convert(value, where));
          }
        });
    return new SettingsMap(index, v);
  }

  private void requireExclusive(String where) {
    Map<String, Knob> index = knobs;
    Map<String, Object> v = values;
    for (String key : v.keySet()) {
      String other = index.get(key).excludes();
      if (other != null && v.containsKey(other)) {
        throw new IllegalArgumentException(
            where
                + ": give "
                + key
                + " or "
                + other
                + ", not both ("
                + index.get(key).flag()
                + " "
                + v.get(key)
                + ", "
                + index.get(other).flag()
                + " "
                + v.get(other)
                + ")");
      }
    }
  }

  /**
   * Values saved under {@code hyper} in a run's config.json (by {@link Knob#saved()} names); saved
   * entries of knobs that no longer exist are ignored, so older run directories stay readable. A
   * saved run records both its resolved steps and the epochs they came from.
   */
  public static SettingsMap fromSaved(Map<String, ?> saved, Collection<Knob> known, String where) {
    Map<String, Object> raw = new LinkedHashMap<>();
    for (Knob k : known) {
      if (saved.containsKey(k.saved()) && saved.get(k.saved()) != null) {
        raw.put(k.key(), saved.get(k.saved()));
      }
    }
    return unchecked(raw, known, where);
  }

  private static Map<String, Knob> index(Collection<Knob> known) {
    Map<String, Knob> index = new LinkedHashMap<>();
    for (Knob k : known) {
      Knob before = index.putIfAbsent(k.key(), k);
      if (before != null && !before.equals(k)) {
        throw new IllegalStateException("setting '" + k.key() + "' is declared twice, differently");
      }
    }
    return index;
  }

  /**
   * These values with {@code later}'s on top; a key set in {@code later} clears the setting it
   * excludes (a spec's {@code epochs} replaces the defaults' {@code steps}).
   */
  public SettingsMap then(SettingsMap later) {
    Map<String, Knob> k = new LinkedHashMap<>(knobs);
    later.knobs.forEach(k::putIfAbsent);
    Map<String, Object> v = new LinkedHashMap<>(values);
    later.values.forEach(
        (key, value) -> {
          String other = k.get(key).excludes();
          if (other != null) {
            v.remove(other);
          }
          v.put(key, value);
        });
    return new SettingsMap(k, v);
  }

  /** These values with one more set. */
  public SettingsMap with(String key, Object value) {
    return then(of(Map.of(key, value), knobs.values(), "setting"));
  }

  /** Whether a value is present. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** The keys set here. */
  public java.util.Set<String> keys() {
    return java.util.Collections.unmodifiableSet(values.keySet());
  }

  /** An int setting. */
  public int integer(String key) {
    return (Integer) require(key);
  }

  /** A long setting. */
  public long longValue(String key) {
    return (Long) require(key);
  }

  /** A double setting. */
  public double real(String key) {
    return (Double) require(key);
  }

  /** A double setting, or {@code fallback} when absent. */
  public double real(String key, double fallback) {
    return has(key) ? real(key) : fallback;
  }

  /** A boolean setting. */
  public boolean bool(String key) {
    return (Boolean) require(key);
  }

  /** A text setting (lower case). */
  public String text(String key) {
    return (String) require(key);
  }

  /** A text setting as a constant of {@code type} (by upper-cased name). */
  public <E extends Enum<E>> E choice(String key, Class<E> type) {
    return Enum.valueOf(type, text(key).toUpperCase(Locale.ROOT));
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("setting '" + key + "' has no value");
    }
    return v;
  }

  /** The values by key, in insertion order. */
  public Map<String, Object> asMap() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /** These values, with each knob's default where a value is missing. */
  public SettingsMap orDefaults() {
    Map<String, Object> v = new LinkedHashMap<>(values);
    knobs.values().forEach(k -> v.putIfAbsent(k.key(), k.defaultValue()));
    return new SettingsMap(knobs, v);
  }

  /** Only the values of {@code read}'s keys (what one command takes of a shared block). */
  public SettingsMap only(Collection<Knob> read) {
    Map<String, Object> v = new LinkedHashMap<>(values);
    v.keySet().retainAll(read.stream().map(Knob::key).toList());
    return new SettingsMap(knobs, v);
  }

  /** The keys set here that none of {@code read} declares. */
  public List<String> unread(Collection<Knob> read) {
    java.util.Set<String> keys = new java.util.HashSet<>();
    read.forEach(k -> keys.add(k.key()));
    return values.keySet().stream().filter(k -> !keys.contains(k)).toList();
  }

  /** The flag of a declared key. */
  public String flagOf(String key) {
    Knob k = knobs.get(key);
    return k == null ? key : k.flag();
  }

  /** The values as command-line flags (each preceded by a space), for "reproduce" commands. */
  public String flags() {
    StringBuilder sb = new StringBuilder();
    values.forEach(
        (key, value) -> {
          Knob k = knobs.get(key);
          if (k.type() == Knob.Type.BOOL) {
            if (Boolean.FALSE.equals(value)) {
              sb.append(' ').append(k.flag());
            }
          } else {
            sb.append(' ').append(k.flag()).append(' ').append(value);
          }
        });
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SettingsMap s && s.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
