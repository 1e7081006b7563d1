package io.mptj.backbone.toy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.BackboneFamily;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Json;
import io.mptj.testing.ToyEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A backbone family that exists only in the tests, registered by one line in {@code
 * src/test/resources/META-INF/services/io.mptj.backbone.BackboneFamily}: a directory whose {@code
 * config.json} says {@code "model_type": "mptj-toy"} loads as a {@link ToyEncoder} of the sizes it
 * gives; the family brings its own prompt-init range and stage defaults.
 */
public final class ToyFamily implements BackboneFamily {

  /** The family's name. */
  public static final String NAME = "mptj-toy-family";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<String> modelTypes() {
    return Set.of("mptj-toy");
  }

  @Override
  public Backbone load(Path dir, String id) {
    Path file = dir.resolve("config.json");
    try {
      JsonNode c = Json.MAPPER.readTree(file.toFile());
      return new ToyEncoder(
          c.path("vocab_size").asInt(),
          c.path("hidden_size").asInt(),
          c.path("seed").asLong(),
          id,
          NAME);
    } catch (IOException e) {
      throw new CheckpointException(file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public VocabRange promptInitRange(int vocabSize) {
    return new VocabRange(2000, 2100);
  }

  /** Short runs: the family's own defaults, taken when no flag sets them. */
  @Override
  public Map<String, Object> stageDefaults(String stage) {
    return Map.of("prompt_length", 3, "steps", 12, "eval_every", 6, "max_length", 24);
  }
}
