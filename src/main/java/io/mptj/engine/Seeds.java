package io.mptj.engine;

import java.nio.charset.StandardCharsets;

/**
 * Independent seeds derived from a run's seed for each random role (a teacher's initial prompt, the
 * shared prompt, a baseline's prompt, task heads), so that no two roles start from the same draw.
 */
public final class Seeds {
  private Seeds() {}

  /** A seed for {@code role} (and an index within it) derived from {@code seed} by a 64-bit mix. */
  public static long derive(long seed, String role, long index) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (byte b : role.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ b);
    }
    return mix(h ^ index);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
