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

  /**
   * {@code adapt --method pt} on a tiny model: prompt length 4, 24 tokens, batch 8, no progress
   * bar, evaluation every {@code evalEvery} steps.
   */
  public static List<String> tinyAdapt(
      java.nio.file.Path model,
      java.nio.file.Path data,
      String task,
      int steps,
      int evalEvery,
      java.nio.file.Path out) {
    return List.of(
        "adapt",
        "--method",
        "pt",
        "--backbone",
        model.toString(),
        "--data-dir",
        data.toString(),
        "--task",
        task,
        "--prompt-length",
        "4",
        "--max-length",
        "24",
        "--batch-size",
        "8",
        "--steps",
        String.valueOf(steps),
        "--eval-every",
        String.valueOf(evalEvery),
        "--no-progress",
        "--out",
        out.toString());
  }

  /**
   * Starts {@code mptj ARGS --out OUT} in a child JVM on this test's class path, its output
   * appended to {@code OUT.log} beside {@code OUT} (for tests that kill it).
   */
  public static Process start(List<String> args, java.nio.file.Path out)
      throws java.io.IOException {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                "io.mptj.cli.Main"));
    cmd.addAll(args);
    cmd.addAll(List.of("--out", out.toString()));
    java.nio.file.Files.createDirectories(out.getParent());
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(out).toFile()))
        .start();
  }

  /** Where {@link #start} writes the output of a run into {@code out}. */
  public static java.nio.file.Path log(java.nio.file.Path out) {
    return out.getParent().resolve(out.getFileName() + ".log");
  }
}
