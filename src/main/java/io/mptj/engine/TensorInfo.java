package io.mptj.engine;

import java.util.Arrays;

/**
 * One tensor entry of a safetensors header.
 *
 * @param name the tensor's name in the file
 * @param dtype element type in the file
 * @param shape dimensions, outermost first
 * @param begin byte offset of the data, relative to the start of the data section
 * @param end byte offset one past the data
 */
public record TensorInfo(String name, TensorDType dtype, long[] shape, long begin, long end) {

  /** Number of elements. */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** The shape as a readable list, e.g. {@code [384, 1536]}. */
  public String shapeString() {
    return Arrays.toString(shape);
  }
}
