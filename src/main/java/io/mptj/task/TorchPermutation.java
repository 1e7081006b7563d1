package io.mptj.task;

/**
 * The permutation that {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed))}
 * returns on the CPU, so that mptj's splits and samples are the very ones ATTEMPT's {@code
 * shuffled_indices} (seed 42) produced. PyTorch's CPU generator is a 32-bit Mersenne Twister
 * (MT19937, Matsumoto and Nishimura 1998) seeded with the low 32 bits of the seed; {@code
 * randperm_cpu} swaps element {@code i} with {@code i + (next() % (n - i))} for {@code i = 0 ..
 * n-2} (aten/src/ATen/native/TensorFactories.cpp). Pure Java, so the result is the same on every
 * JVM; a test checks it against PyTorch itself.
 */
public final class TorchPermutation {
  private TorchPermutation() {}

  /** A random permutation of {@code 0 .. n-1} for a seed, as torch.randperm computes it. */
  public static int[] of(int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    Mt19937 mt = new Mt19937(seed);
    for (int i = 0; i < n - 1; i++) {
      int z = (int) (mt.next() % (n - i));
      int saved = perm[i];
      perm[i] = perm[z + i];
      perm[z + i] = saved;
    }
    return perm;
  }

  /** MT19937, 32-bit outputs as unsigned values in a long. */
  static final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] state = new int[N];
    private int next = N;

    Mt19937(long seed) {
      state[0] = (int) seed;
      for (int i = 1; i < N; i++) {
        int prev = state[i - 1];
        state[i] = 1812433253 * (prev ^ (prev >>> 30)) + i;
      }
    }

    long next() {
      if (next >= N) {
        twist();
      }
      int y = state[next++];
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      return y & 0xffffffffL;
    }

    private void twist() {
      for (int i = 0; i < N; i++) {
        int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
        int v = state[(i + M) % N] ^ (y >>> 1);
        state[i] = (y & 1) == 0 ? v : v ^ 0x9908b0df;
      }
      next = 0;
    }
  }
}
