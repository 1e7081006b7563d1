package io.mptj.backbone;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.bert.BertEncoder;
import io.mptj.backbone.t5.T5Model;
import io.mptj.download.ModelHub;
import io.mptj.engine.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Turns a {@code --backbone} value into a loaded backbone: {@code minilm} (the bundled
 * all-MiniLM-L6-v2), a local Hugging Face model directory, or a hub id already fetched with {@code
 * mptj model download}. The family is read from {@code config.json}'s {@code model_type}.
 */
public final class Backbones {

  /** The default backbone, bundled in the build. */
  public static final String DEFAULT = "minilm";

  private static final Set<String> BERT_TYPES = Set.of("bert");
  private static final Set<String> T5_TYPES = Set.of("t5", "mt5");

  private Backbones() {}

  /**
   * Loads a backbone.
   *
   * @throws CheckpointException saying what was tried when the spec is neither, or the model is
   *     absent
   */
  public static Backbone load(String spec) {
    if (spec == null || spec.isBlank() || spec.equals(DEFAULT)) {
      return BertEncoder.bundledMiniLm();
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
              + "' is neither 'minilm' nor a directory, and is not downloaded; fetch it with:"
              + " ./mptj model download "
              + spec);
    }
    throw new CheckpointException(
        "backbone '" + spec + "' is neither 'minilm', a model directory, nor a hub id");
  }

  private static Backbone loadDir(Path dir, String id) {
    String type = modelType(dir);
    if (BERT_TYPES.contains(type)) {
      return BertEncoder.load(dir, id);
    }
    if (T5_TYPES.contains(type)) {
      return T5Model.load(dir, id);
    }
    throw new CheckpointException(
        dir.resolve("config.json")
            + ": model_type '"
            + type
            + "' is not supported (bert, t5, mt5)");
  }

  /** The {@code model_type} of an HF directory's {@code config.json}. */
  public static String modelType(Path dir) {
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new CheckpointException("no config.json in " + dir);
    }
    try {
      String type = new ObjectMapper().readTree(config.toFile()).path("model_type").asText("");
      if (type.isEmpty()) {
        throw new CheckpointException(config + ": no \"model_type\" field");
      }
      return type;
    } catch (IOException e) {
      throw new CheckpointException(config + ": " + e.getMessage(), e);
    }
  }
}
