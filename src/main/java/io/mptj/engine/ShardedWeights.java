package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Weights split over several safetensors shards, as named by {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {tensor: shard file}}}). Shards are mapped on first
 * use.
 */
public final class ShardedWeights implements WeightSource {

  private final Path index;
  private final Map<String, String> weightMap;
  private final Map<String, SafetensorsFile> shards = new HashMap<>();

  private ShardedWeights(Path index, Map<String, String> weightMap) {
    this.index = index;
    this.weightMap = weightMap;
  }

  /** Reads a shard index; each shard it names must exist beside it. */
  public static ShardedWeights open(Path index) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readString(index));
    } catch (IOException e) {
      throw new CheckpointException("cannot read shard index " + index + ": " + e.getMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(index + ": no \"weight_map\" object");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    map.fields().forEachRemaining(e -> weightMap.put(e.getKey(), e.getValue().asText()));
    for (String shard : Set.copyOf(weightMap.values())) {
      if (!Files.isRegularFile(index.resolveSibling(shard))) {
        throw new CheckpointException(index + ": shard file " + shard + " is missing");
      }
    }
    return new ShardedWeights(index, weightMap);
  }

  private synchronized SafetensorsFile shardOf(String name) {
    String shard = weightMap.get(name);
    if (shard == null) {
      throw new CheckpointException("missing tensor '" + name + "' in " + index);
    }
    SafetensorsFile f =
        shards.computeIfAbsent(shard, s -> SafetensorsFile.open(index.resolveSibling(s)));
    if (!f.names().contains(name)) {
      throw new CheckpointException(
          index + " maps '" + name + "' to " + shard + ", which does not hold it");
    }
    return f;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(weightMap.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    return shardOf(name).info(name);
  }

  @Override
  public NDArray load(NDManager manager, String name) {
    return shardOf(name).load(manager, name);
  }

  @Override
  public String describe() {
    return index.toString();
  }

  @Override
  public void close() {
    shards.values().forEach(SafetensorsFile::close);
  }
}
