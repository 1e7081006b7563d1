package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --matmul bf16} reaches libtorch: a float32 GEMM's error against float64 moves from fp32's
 * (≈ 1e-7 relative) to bf16's (≈ 1e-3), in {@code linear} (the projections) and in batched {@code
 * matMul} (attention), and back when fp32 is restored.
 */
class MatmulPrecisionTest {

  @AfterEach
  void restore() {
    MatmulPrecision.use(MatmulPrecision.FP32);
  }

  @Test
  void parsesTheSpellingsAndNamesTheFlagOnBadInput() {
    assertEquals(MatmulPrecision.BF16, MatmulPrecision.parse(" BF16 ", "--matmul"));
    assertEquals(MatmulPrecision.FP32, MatmulPrecision.parse("float32", "--matmul"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MatmulPrecision.parse("fp8", "--matmul"));
    assertTrue(e.getMessage().contains("--matmul") && e.getMessage().contains("fp8"));
  }

  @Test
  void bf16RoundsTheProductsAndFp32RestoresThem() throws Exception {
    // libtorch 2.7 routes linear through oneDNN's bf16 only on AMX CPUs: on AMD Zen 4 (avx512bw and
    // avx512_bf16, no AMX) linear stays fp32 under bf32 (measured 2026-12-04), so the claim is
    // AMX's
    assumeTrue(MatmulPrecision.pays(), "no amx_bf16: libtorch keeps linear in fp32 under bf32");
    try (NDManager m = Devices.newManager()) {
      NDArray x = m.randomNormal(new Shape(256, 384)); // (M, K)
      NDArray w = m.randomNormal(new Shape(512, 384)); // (N, K), as linear's weight
      NDArray q = m.randomNormal(new Shape(4, 64, 32)); // (B, L, dh)
      NDArray k = m.randomNormal(new Shape(4, 32, 64)); // (B, dh, L)
      double fp32Linear = linearError(x, w);
      double fp32Bmm = bmmError(q, k);
      MatmulPrecision.use(MatmulPrecision.BF16);
      assertEquals(MatmulPrecision.BF16, MatmulPrecision.current());
      double bf16Linear = linearError(x, w);
      double bf16Bmm = bmmError(q, k);
      MatmulPrecision.use(MatmulPrecision.FP32);
      double restored = linearError(x, w);

      assertTrue(fp32Linear < 1e-5 && fp32Bmm < 1e-5, fp32Linear + " " + fp32Bmm);
      // bf16 keeps 8 significant bits: 2^-8 ≈ 4e-3 per operand, sums of 384 / 32 products
      assertTrue(bf16Linear > 3e-4 && bf16Linear < 3e-2, "linear under bf16: " + bf16Linear);
      assertTrue(bf16Bmm > 3e-4 && bf16Bmm < 3e-2, "bmm under bf16: " + bf16Bmm);
      assertEquals(fp32Linear, restored, 0.0);
    }
  }

  @Test
  void warnsExactlyWhereBf16DoesNotPay() {
    assertEquals(MatmulPrecision.pays(), MatmulPrecision.slowerHere().isEmpty());
    assertTrue(!MatmulPrecision.pays() || MatmulPrecision.hardwareBf16());
  }

  @Test
  void benchLinesSayWhetherBf16Pays() {
    var machine = Machine.describe();
    assertEquals(MatmulPrecision.hardwareBf16(), machine.get("bf16_hardware"));
    assertEquals(MatmulPrecision.pays(), machine.get("bf16_pays"));
  }

  @Test
  void withRestoresThePreviousPrecision() {
    MatmulPrecision.use(MatmulPrecision.BF16);
    MatmulPrecision inside = MatmulPrecision.with(MatmulPrecision.FP32, MatmulPrecision::current);
    assertEquals(MatmulPrecision.FP32, inside);
    assertEquals(MatmulPrecision.BF16, MatmulPrecision.current());
  }

  /** max |x wᵀ − exact| / max |exact|, the exact product in float64. */
  private static double linearError(NDArray x, NDArray w) {
    NDArray y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    NDArray exact =
        x.toType(DataType.FLOAT64, false).matMul(w.toType(DataType.FLOAT64, false).transpose());
    return relative(y, exact);
  }

  private static double bmmError(NDArray q, NDArray k) {
    NDArray exact = q.toType(DataType.FLOAT64, false).matMul(k.toType(DataType.FLOAT64, false));
    return relative(q.matMul(k), exact);
  }

  private static double relative(NDArray y, NDArray exact) {
    return y.toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble()
        / exact.abs().max().getDouble();
  }
}
