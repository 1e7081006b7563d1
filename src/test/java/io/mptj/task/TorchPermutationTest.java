package io.mptj.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The pure-Java permutation equals PyTorch's own torch.randperm after torch.manual_seed. */
class TorchPermutationTest {

  @Test
  void mersenneTwisterMatchesTheReferenceOutputs() {
    // First outputs of MT19937 seeded with 42 (numpy.random.RandomState(42), 32-bit draws)
    var mt = new TorchPermutation.Mt19937(42);
    long[] want = {1608637542L, 3421126067L, 4083286876L, 787846414L, 3143890026L};
    long[] got = new long[want.length];
    for (int i = 0; i < got.length; i++) {
      got[i] = mt.next();
    }
    assertArrayEquals(want, got);
  }

  @Test
  void matchesPytorchRandperm() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (int n : new int[] {1, 2, 10, 277, 1500, 3270, 67349}) {
        for (long seed : new long[] {42, 7}) {
          Engine.getEngine("PyTorch").setRandomSeed((int) seed);
          NDArray torch = m.randomPermutation(n);
          assertArrayEquals(
              torch.toLongArray(),
              asLongs(TorchPermutation.of(n, seed)),
              "n=" + n + " seed=" + seed);
        }
      }
    }
  }

  private static long[] asLongs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
