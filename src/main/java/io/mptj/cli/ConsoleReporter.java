package io.mptj.cli;

import io.mptj.engine.Reporter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The command line's reporter: warnings and notes as the library logs them (SLF4J, to stderr), and
 * progress as an ASCII bar on stderr with the speed.
 */
final class ConsoleReporter implements Reporter {

  @Override
  public void warn(Class<?> source, String message) {
    Reporter.LOGGING.warn(source, message);
  }

  /** Notes go to standard error as {@code mptj: message}, as the commands always showed them. */
  @Override
  public void info(Class<?> source, String message) {
    System.err.println("mptj: " + message);
  }

  @Override
  public Progress progress(String label, long total, long start, String unit, long unitSize) {
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(label)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(unit, unitSize)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .showSpeed()
            .build();
    bar.stepTo(start);
    return new Progress() {
      @Override
      public void stepBy(long n) {
        bar.stepBy(n);
      }

      @Override
      public void status(String text) {
        bar.setExtraMessage(text);
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }
}
