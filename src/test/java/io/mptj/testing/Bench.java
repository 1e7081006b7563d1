package io.mptj.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a benchmark run as a test (JUnit tag {@code bench}): it prints and records figures and
 * asserts nothing about time. The default suite leaves them out; {@code ./mptj test -Pbench} runs
 * only them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Bench.TAG)
public @interface Bench {
  /** The JUnit tag. */
  String TAG = "bench";
}
