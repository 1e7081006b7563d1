package io.mptj.engine;

import ai.djl.ndarray.types.DataType;

/**
 * Element types of the safetensors format, with their byte widths and the DJL type a loaded tensor
 * gets.
 *
 * <p>Half-precision tensors (F16, BF16) are widened to float32 on the host when loaded, because
 * DJL's PyTorch engine cannot convert to bfloat16 (it aborts the JVM) and the backbones compute in
 * float32.
 */
public enum TensorDType {
  F64(8, DataType.FLOAT64),
  F32(4, DataType.FLOAT32),
  F16(2, DataType.FLOAT32),
  BF16(2, DataType.FLOAT32),
  I64(8, DataType.INT64),
  I32(4, DataType.INT32),
  I16(2, DataType.INT16),
  I8(1, DataType.INT8),
  U8(1, DataType.UINT8),
  BOOL(1, DataType.BOOLEAN);

  private final int bytes;
  private final DataType loadedAs;

  TensorDType(int bytes, DataType loadedAs) {
    this.bytes = bytes;
    this.loadedAs = loadedAs;
  }

  /** Bytes per element in the file. */
  public int bytes() {
    return bytes;
  }

  /** The DJL data type of the array this element type loads into. */
  public DataType loadedAs() {
    return loadedAs;
  }

  /** Whether loading needs a host-side conversion (half precision to float32). */
  public boolean widened() {
    return this == F16 || this == BF16;
  }

  /** Parses the header's {@code dtype} string, naming the tensor if the type is unknown. */
  public static TensorDType parse(String s, String tensor) {
    try {
      return valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException("tensor '" + tensor + "' has unsupported dtype " + s);
    }
  }

  /** The file element type for a DJL array type when writing. */
  public static TensorDType of(DataType t) {
    return switch (t) {
      case FLOAT64 -> F64;
      case FLOAT32 -> F32;
      case INT64 -> I64;
      case INT32 -> I32;
      case INT8 -> I8;
      case UINT8 -> U8;
      case BOOLEAN -> BOOL;
      default -> throw new IllegalArgumentException("cannot write arrays of type " + t);
    };
  }
}
