package io.mptj.backbone;

import io.mptj.engine.CheckpointException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The registry of backbone families: every {@link BackboneFamily} listed in a {@code
 * META-INF/services/io.mptj.backbone.BackboneFamily} file on the classpath (mptj's own lists {@code
 * bert} and {@code t5}). Names, {@code model_type} values and bundled ids must each belong to one
 * family; a clash is an error naming both families.
 */
public final class BackboneFamilies {

  private static final List<BackboneFamily> ALL = discover();

  private BackboneFamilies() {}

  /** Every registered family, in classpath order. */
  public static List<BackboneFamily> all() {
    return ALL;
  }

  /**
   * The family of a name as {@link Backbone#family()} reports it.
   *
   * @throws IllegalArgumentException naming the known families when none has that name
   */
  public static BackboneFamily named(String name) {
    for (BackboneFamily f : ALL) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "no backbone family named '" + name + "' (registered: " + names() + ")");
  }

  /**
   * The family that loads a {@code config.json} {@code model_type}.
   *
   * @param where the file the type was read from, for the error message
   * @throws CheckpointException listing the supported types when no family accepts it
   */
  public static BackboneFamily forModelType(String modelType, Object where) {
    for (BackboneFamily f : ALL) {
      if (f.modelTypes().contains(modelType)) {
        return f;
      }
    }
    throw new CheckpointException(
        where + ": model_type '" + modelType + "' is not supported (" + modelTypes() + ")");
  }

  /** The family bundling a {@code --backbone} id, or {@code null} when it is not a bundled id. */
  public static BackboneFamily bundling(String id) {
    for (BackboneFamily f : ALL) {
      if (f.bundled().contains(id)) {
        return f;
      }
    }
    return null;
  }

  /** Every bundled {@code --backbone} id, sorted. */
  public static List<String> bundledIds() {
    return List.copyOf(new TreeSet<>(ALL.stream().flatMap(f -> f.bundled().stream()).toList()));
  }

  private static String names() {
    return String.join(", ", ALL.stream().map(BackboneFamily::name).toList());
  }

  private static String modelTypes() {
    return String.join(
        ", ", new TreeSet<>(ALL.stream().flatMap(f -> f.modelTypes().stream()).toList()));
  }

  private static List<BackboneFamily> discover() {
    List<BackboneFamily> found = new ArrayList<>();
    ServiceLoader.load(BackboneFamily.class, BackboneFamilies.class.getClassLoader())
        .forEach(found::add);
    checkDistinct(found);
    return List.copyOf(found);
  }

  /** Rejects two families sharing a name, a model_type or a bundled id. */
  static void checkDistinct(List<BackboneFamily> families) {
    Map<String, BackboneFamily> owners = new LinkedHashMap<>();
    for (BackboneFamily f : families) {
      claim(owners, "name " + f.name(), f);
      f.modelTypes().forEach(t -> claim(owners, "model_type " + t, f));
      f.bundled().forEach(id -> claim(owners, "bundled id " + id, f));
    }
  }

  private static void claim(Map<String, BackboneFamily> owners, String key, BackboneFamily f) {
    BackboneFamily other = owners.putIfAbsent(key, f);
    if (other != null) {
      throw new IllegalStateException(
          "backbone families "
              + other.getClass().getName()
              + " and "
              + f.getClass().getName()
              + " both claim "
              + key);
    }
  }
}
