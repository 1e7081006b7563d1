package io.mptj.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;

/**
 * Named tensors of a checkpoint: one safetensors file, a sharded set, or weights read from another
 * format. Backbones read their parameters only through this interface, so that the expected names
 * and shapes are checked in one place.
 */
public interface WeightSource extends AutoCloseable {

  /** Names of all tensors in the source. */
  Set<String> names();

  /** Header entry of a tensor; throws {@link CheckpointException} naming it if absent. */
  TensorInfo info(String name);

  /** Loads a tensor into {@code manager}; half precision is widened to float32. */
  NDArray load(NDManager manager, String name);

  /** A description used in error messages, e.g. the file path. */
  String describe();

  /** Whether the source holds a tensor of this name. */
  default boolean contains(String name) {
    return names().contains(name);
  }

  /**
   * Loads a tensor after checking that it exists and has exactly the expected shape.
   *
   * @throws CheckpointException naming the tensor and both shapes when it is missing or wrongly
   *     shaped
   */
  default NDArray require(NDManager manager, String name, long... expectedShape) {
    if (!contains(name)) {
      throw new CheckpointException(
          "missing tensor '"
              + name
              + "' (expected shape "
              + Arrays.toString(expectedShape)
              + ") in "
              + describe());
    }
    long[] actual = info(name).shape();
    if (!Arrays.equals(actual, expectedShape)) {
      throw new CheckpointException(
          "tensor '"
              + name
              + "' has shape "
              + Arrays.toString(actual)
              + ", expected "
              + Arrays.toString(expectedShape)
              + " in "
              + describe());
    }
    NDArray a = load(manager, name);
    if (!a.getShape().equals(new Shape(expectedShape))) {
      throw new CheckpointException("tensor '" + name + "' loaded with shape " + a.getShape());
    }
    return a;
  }

  @Override
  void close();
}
