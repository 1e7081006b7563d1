package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.mptj.engine.Devices;
import io.mptj.engine.WeightSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The frozen weights of one backbone, the native-memory idiom every family follows: every tensor
 * lives in the store's own base manager, is read from a {@link WeightSource} by name with its
 * expected shape (the error names the tensor), never requires a gradient and is never written. The
 * source may be closed once the store is built (the loaded arrays keep their data alive). Forward
 * passes never allocate here: they run in {@link Scoped} children of their inputs' manager.
 *
 * <p>Fusing layers (Q|K|V, gated FFN inputs) makes one copy and replaces the parts by views into
 * it, so a fused weight is held once.
 */
public final class WeightStore implements AutoCloseable {

  private final NDManager manager;
  private final WeightSource source;
  private final String prefix;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  private WeightStore(NDManager manager, WeightSource source, String prefix) {
    this.manager = manager;
    this.source = source;
    this.prefix = prefix;
  }

  /**
   * Builds a family's weights: {@code body} reads tensors through a new store and returns the
   * object that will own it; on any failure the store is closed before the exception propagates.
   *
   * @param name the manager's name, e.g. {@code bert-weights}
   * @param prefix prepended to every requested name when reading the source (e.g. {@code bert.}),
   *     not recorded in {@link #byName()}
   */
  public static <T> T build(
      String name, WeightSource source, String prefix, Function<WeightStore, T> body) {
    NDManager manager = Devices.newManager();
    manager.setName(name);
    WeightStore store = new WeightStore(manager, source, prefix);
    try {
      return body.apply(store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Reads a tensor, checking its name and shape.
   *
   * @throws io.mptj.engine.CheckpointException naming the tensor when it is missing or misshaped
   */
  public NDArray require(String name, long... shape) {
    NDArray a = source.require(manager, prefix + name, shape);
    a.setName(name);
    byName.put(name, a);
    return a;
  }

  /** Reads {@code module.weight} (out, in) and, if {@code withBias}, {@code module.bias} (out). */
  public Linear linear(String module, long out, long in, boolean withBias) {
    NDArray w = require(module + ".weight", out, in);
    NDArray b = withBias ? require(module + ".bias", out) : null;
    return new Linear(module, w, b);
  }

  /** Reads {@code module.weight} and {@code module.bias}, both (d). */
  public LayerNorm layerNorm(String module, long d, float eps) {
    return new LayerNorm(module, require(module + ".weight", d), require(module + ".bias", d), eps);
  }

  /** Reads {@code module.weight} (d). */
  public RmsNorm rmsNorm(String module, long d, float eps) {
    return new RmsNorm(module, require(module + ".weight", d), eps);
  }

  /**
   * Concatenates layers along their output rows into one layer (one GEMM instead of several) and
   * replaces each part's tensors in {@link #byName()} by views into the fused copy.
   *
   * @param parts layers read from this store with equal input width, all with or all without bias
   * @return a layer named by the parts' names joined with {@code +}
   */
  public Linear fuse(List<Linear> parts) {
    NDList weights = new NDList(parts.size());
    NDList biases = new NDList(parts.size());
    for (Linear p : parts) {
      weights.add(p.weight());
      if (p.bias() != null) {
        biases.add(p.bias());
      }
    }
    if (!biases.isEmpty() && biases.size() != parts.size()) {
      throw new IllegalArgumentException("cannot fuse layers with and without bias: " + parts);
    }
    String name = String.join("+", parts.stream().map(Linear::name).toList());
    Linear fused =
        new Linear(
            name,
            NDArrays.concat(weights, 0), // (Σ out, in)
            biases.isEmpty() ? null : NDArrays.concat(biases, 0)); // (Σ out)
    long row = 0;
    for (Linear p : parts) {
      Linear view = fused.rows(p.name(), row, row + p.out());
      replace(p.weight(), view.weight());
      if (p.bias() != null) {
        replace(p.bias(), view.bias());
      }
      row += p.out();
    }
    return fused;
  }

  private void replace(NDArray original, NDArray view) {
    String name = original.getName();
    view.setName(name);
    if (byName.put(name, view) != original) {
      throw new IllegalStateException("tensor " + name + " was not read through this store");
    }
    original.close();
  }

  /** Every checkpoint tensor by its name (without prefix), in reading order. */
  public Map<String, NDArray> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** Number of checkpoint parameters, each tensor counted once. */
  public long parameterCount() {
    return byName.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** Frees every weight. */
  @Override
  public void close() {
    manager.close();
  }
}
