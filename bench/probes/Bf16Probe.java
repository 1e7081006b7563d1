import ai.djl.ndarray.*;
import ai.djl.ndarray.types.*;
import java.nio.*;
/**
 * Does DJL 0.36's PyTorch engine take bfloat16 at all? Creates a 2×2 bf16 tensor from a buffer and
 * multiplies it. On 2026-12-02 (pytorch-jni 2.7.1-0.36.0, CPU) the JVM aborts in create ("terminate
 * called without an active exception"), as it does in {@code toType(BFLOAT16)}.
 *
 * <p>Run from the project root after a build: {@code java -Dai.djl.offline=true -cp
 * "target/classes:$(cat target/classpath.txt)" bench/probes/Bf16Probe.java}
 */
public class Bf16Probe {
  public static void main(String[] a) {
    try (NDManager m = NDManager.newBaseManager()) {
      ByteBuffer b = ByteBuffer.allocateDirect(2 * 4).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 4; i++) b.putShort((short) (Float.floatToIntBits(1.5f * i) >>> 16));
      b.flip();
      System.out.println("creating bf16 from a buffer ...");
      NDArray x = m.create(b, new Shape(2, 2), DataType.BFLOAT16);
      System.out.println("created " + x.getDataType());
      NDArray y = x.matMul(x);
      System.out.println("matmul ok " + y.getDataType());
      System.out.println(java.util.Arrays.toString(y.toType(DataType.FLOAT32, false).toFloatArray()));
    }
  }
}
