package io.mptj.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method that takes more than about 30 s on two cores (JUnit tag {@code
 * slow}). The default suite runs them; {@code mvn verify -Pquick} (or {@code
 * -DexcludedGroups=slow}) leaves them out.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Slow.TAG)
public @interface Slow {
  /** The JUnit tag. */
  String TAG = "slow";
}
