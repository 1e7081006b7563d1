package io.mptj.engine;

import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * Where the library's messages for the user go: warnings, notes and the progress of long steps
 * (downloads). The library never prints; the command line {@link #install installs} a reporter that
 * draws progress bars, tests may install one that records. The default, {@link #LOGGING}, logs
 * through SLF4J under the source's logger and shows no progress.
 */
public interface Reporter {

  /** A warning from {@code source}, e.g. rows skipped as a known quirk of a data file. */
  void warn(Class<?> source, String message);

  /**
   * A note from {@code source} for the person running a command (a resumed run, an experiment's
   * progress); the command line shows it on standard error.
   */
  void info(Class<?> source, String message);

  /**
   * A meter for a long step; the caller closes it when the step ends.
   *
   * @param label what is being done, e.g. a file name
   * @param total the step's size in bytes (or items), or -1 when unknown
   * @param start how much was done before (a resumed download)
   * @param unit the unit shown, e.g. {@code " MiB"}
   * @param unitSize how many bytes (or items) one unit is
   */
  Progress progress(String label, long total, long start, String unit, long unitSize);

  /** The progress of one step. */
  interface Progress extends AutoCloseable {
    /** {@code n} more bytes (or items) are done. */
    void stepBy(long n);

    /** A short status shown with the meter, e.g. the current loss. */
    default void status(String text) {}

    @Override
    void close();
  }

  /** Shows nothing. */
  Progress NO_PROGRESS =
      new Progress() {
        @Override
        public void stepBy(long n) {}

        @Override
        public void close() {}
      };

  /** Warnings and notes to SLF4J under the source class's logger; no progress. */
  Reporter LOGGING =
      new Reporter() {
        @Override
        public void warn(Class<?> source, String message) {
          LoggerFactory.getLogger(source).warn(message);
        }

        @Override
        public void info(Class<?> source, String message) {
          LoggerFactory.getLogger(source).info(message);
        }

        @Override
        public Progress progress(String label, long total, long start, String unit, long size) {
          return NO_PROGRESS;
        }
      };

  /** The reporter the library reports to now. */
  static Reporter current() {
    return Installed.reporter;
  }

  /** Makes {@code reporter} the one the library reports to (the CLI does this first). */
  static void install(Reporter reporter) {
    Installed.reporter = Objects.requireNonNull(reporter, "reporter");
  }

  /** Holds the installed reporter. */
  final class Installed {
    private static volatile Reporter reporter = LOGGING;

    private Installed() {}
  }
}
