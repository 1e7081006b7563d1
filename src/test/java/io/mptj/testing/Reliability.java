package io.mptj.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a long reliability check (JUnit tag {@code reliability}: SIGKILL at random points of every
 * stage, the soak). The default suite leaves them out; {@code ./mptj test -Preliability} runs only
 * them.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Reliability.TAG)
public @interface Reliability {
  /** The JUnit tag. */
  String TAG = "reliability";
}
