package io.mptj.backbone;

import io.mptj.download.ModelHub;
import io.mptj.engine.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a {@code --backbone} value into a loaded backbone: a bundled id ({@code minilm}, the
 * default all-MiniLM-L6-v2, and the others {@link BackboneFamilies#bundledIds()} lists), a local
 * Hugging Face model directory, or a hub id already fetched with {@code mptj model download}. A
 * directory's family is the registered {@link BackboneFamily} that accepts its {@code config.json}
 * {@code model_type}.
 */
public final class Backbones {

  /** The default backbone, bundled in the build. */
  public static final String DEFAULT = "minilm";

  private Backbones() {}

  /**
   * Loads a backbone.
   *
   * @throws CheckpointException saying what was tried when the spec is neither, or the model is
   *     absent
   */
  public static Backbone load(String spec) {
    String name = spec == null || spec.isBlank() ? DEFAULT : spec;
    BackboneFamily bundling = BackboneFamilies.bundling(name);
    if (bundling != null) {
      return bundling.loadBundled(name);
    }
    Path dir = Path.of(spec);
    if (Files.isDirectory(dir)) {
      return loadDir(dir, dir.toAbsolutePath().normalize().toString());
    }
    if (ModelHub.isRepoId(spec)) {
      ModelHub hub = ModelHub.fromSettings(null, false);
      if (hub.isCached(spec)) {
        return loadDir(hub.localDir(spec), spec);
      }
      throw new CheckpointException(
          "backbone '"
              + spec
              + "' is neither a bundled id "
              + BackboneFamilies.bundledIds()
              + " nor a directory, and is not downloaded; fetch it with:"
              + " ./mptj model download "
              + spec);
    }
    throw new CheckpointException(
        "backbone '"
            + spec
            + "' is neither a bundled id "
            + BackboneFamilies.bundledIds()
            + ", a model directory, nor a hub id");
  }

  /**
   * The model directory a backbone id names: the directory itself, or a downloaded hub id's local
   * copy; empty for a bundled backbone (its files live in a jar).
   */
  public static java.util.Optional<Path> directoryOf(String id) {
    if (id == null || BackboneFamilies.bundling(id) != null) {
      return java.util.Optional.empty();
    }
    if (Files.isDirectory(Path.of(id))) {
      return java.util.Optional.of(Path.of(id));
    }
    if (ModelHub.isRepoId(id)) {
      ModelHub hub = ModelHub.fromSettings(null, false);
      if (hub.isCached(id)) {
        return java.util.Optional.of(hub.localDir(id));
      }
    }
    return java.util.Optional.empty();
  }

  private static Backbone loadDir(Path dir, String id) {
    String type = modelType(dir);
    return BackboneFamilies.forModelType(type, dir.resolve("config.json")).load(dir, id);
  }

  /** The {@code model_type} of an HF directory's {@code config.json}. */
  public static String modelType(Path dir) {
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new CheckpointException("no config.json in " + dir);
    }
    try {
      String type =
          io.mptj.engine.Json.MAPPER.readTree(config.toFile()).path("model_type").asText("");
      if (type.isEmpty()) {
        throw new CheckpointException(config + ": no \"model_type\" field");
      }
      return type;
    } catch (IOException e) {
      throw new CheckpointException(config + ": " + e.getMessage(), e);
    }
  }
}
