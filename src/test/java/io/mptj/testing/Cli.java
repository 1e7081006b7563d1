package io.mptj.testing;

import io.mptj.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs an {@code mptj} command in-process, capturing its exit code, standard output and errors. */
public final class Cli {
  private Cli() {}

  /** What a command returned and printed. */
  public record Result(int rc, String out, String err) {}

  /** Runs {@code mptj ARGS} as {@code Main} does, without exiting the JVM. */
  public static Result run(List<String> args) {
    CommandLine cli = Main.commandLine();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cli.setErr(new PrintWriter(err, true));
    PrintStream before = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true));
    try {
      int rc = cli.execute(args.toArray(String[]::new));
      return new Result(rc, out.toString(), err.toString());
    } finally {
      System.setOut(before);
    }
  }
}
