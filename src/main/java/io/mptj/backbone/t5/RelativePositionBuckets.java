package io.mptj.backbone.t5;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * T5's relative-position buckets, computed on the host and cached per table shape.
 *
 * <p>Follows HF {@code T5Attention._relative_position_bucket} (transformers {@code
 * models/t5/modeling_t5.py}), itself from Mesh TensorFlow: the relative position is {@code key -
 * query}; half the buckets hold exact small distances, the rest log-spaced distances up to {@code
 * maxDistance}; the bidirectional (encoder) variant spends half its buckets on keys after the
 * query, the unidirectional (decoder) variant maps keys after the query to bucket 0. The logarithm
 * is taken in float32, as HF does, so that the truncation to a bucket agrees at the distances where
 * the real-valued bucket is an integer (e.g. 16, 32, 64).
 */
final class RelativePositionBuckets {

  private static final int CACHE_ENTRIES = 64;

  private final int numBuckets;
  private final int maxDistance;
  private final Map<Key, long[]> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, long[]> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  private record Key(int queryOffset, int queryLength, int keyLength, boolean bidirectional) {}

  RelativePositionBuckets(int numBuckets, int maxDistance) {
    this.numBuckets = numBuckets;
    this.maxDistance = maxDistance;
  }

  /**
   * The bucket of every (query, key) pair, row-major.
   *
   * @param queryOffset position of the first query (the number of cached keys before it)
   * @return (queryLength, keyLength) buckets for queries {@code queryOffset ..} and keys {@code 0
   *     .. keyLength-1}; callers must not modify it
   */
  synchronized long[] table(
      int queryOffset, int queryLength, int keyLength, boolean bidirectional) {
    return cache.computeIfAbsent(
        new Key(queryOffset, queryLength, keyLength, bidirectional), this::compute);
  }

  private long[] compute(Key key) {
    long[] out = new long[key.queryLength() * key.keyLength()];
    for (int i = 0; i < key.queryLength(); i++) {
      for (int j = 0; j < key.keyLength(); j++) {
        int relative = j - (key.queryOffset() + i);
        out[i * key.keyLength() + j] = bucket(relative, key.bidirectional());
      }
    }
    return out;
  }

  /** The bucket of one relative position {@code key - query}. */
  int bucket(int relativePosition, boolean bidirectional) {
    int buckets = numBuckets;
    int offset = 0;
    int distance;
    if (bidirectional) {
      buckets /= 2;
      offset = relativePosition > 0 ? buckets : 0;
      distance = Math.abs(relativePosition);
    } else {
      distance = Math.max(-relativePosition, 0);
    }
    int maxExact = buckets / 2;
    if (distance < maxExact) {
      return offset + distance;
    }
    float logRatio = (float) Math.log((float) distance / maxExact);
    float logRange = (float) Math.log((double) maxDistance / maxExact);
    int large = maxExact + (int) (logRatio / logRange * (buckets - maxExact));
    return offset + Math.min(large, buckets - 1);
  }
}
