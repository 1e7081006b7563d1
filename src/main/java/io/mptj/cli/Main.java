package io.mptj.cli;

import io.mptj.engine.Devices;
import io.mptj.engine.MatmulPrecision;
import io.mptj.engine.NativeMemory;
import io.mptj.engine.Reporter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mptj} command line: parses arguments and hands each command to the library. */
@Command(
    name = "mptj",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Multitask Prompt Tuning (Wang et al., ICLR 2023) on frozen transformers, for the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      QuickstartCommand.class,
      ExperimentCommand.class,
      SourceCommand.class,
      DistillCommand.class,
      AdaptCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      FoldCommand.class,
      AdapterCommand.class,
      ServeCommand.class,
      DataCommand.class,
      ModelCommand.class,
      BenchCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** {@code --device}, on every command: where every tensor of the run lives. */
  @CommandLine.Option(
      names = "--device",
      scope = CommandLine.ScopeType.INHERIT,
      paramLabel = "<device>",
      description = "cpu, cuda or cuda:N: where the model runs (default: $MPTJ_DEVICE or cpu)")
  void device(String value) {
    try {
      Devices.use(Devices.parse(value, "--device"), "--device " + value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** {@code --matmul}, on every command: the arithmetic of float32 matrix multiplies. */
  @CommandLine.Option(
      names = "--matmul",
      scope = CommandLine.ScopeType.INHERIT,
      paramLabel = "<precision>",
      defaultValue = "${env:MPTJ_MATMUL:-fp32}",
      description =
          "fp32 (exact) or bf16 (float32 tensors, bf16 products in oneDNN: AMX or avx512_bf16;"
              + " README, Speed); default: $MPTJ_MATMUL or fp32")
  void matmul(String value) {
    try {
      MatmulPrecision p = MatmulPrecision.parse(value, "--matmul");
      if (p == MatmulPrecision.BF16) {
        MatmulPrecision.slowerHere()
            .ifPresent(why -> System.err.println("mptj: warning: --matmul bf16 " + why));
      }
      MatmulPrecision.use(p);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with the project's error handling; tests call this in-process. */
  public static CommandLine commandLine() {
    CommandLine cl =
        new CommandLine(new Main())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setExecutionExceptionHandler(Main::reportError);
    KnobOptions.install(cl);
    return cl;
  }

  /** Prints a failed command's error as one line (the stack trace too when MPTJ_DEBUG is set). */
  private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (System.getenv("MPTJ_DEBUG") != null) {
      e.printStackTrace(cmd.getErr());
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    cmd.getErr().println("mptj " + cmd.getCommandName() + ": " + msg);
    return 1;
  }

  public static void main(String[] args) {
    NativeMemory.retainFreedMemory();
    Reporter.install(new ConsoleReporter());
    System.exit(commandLine().execute(args));
  }

  /** Reports the version from the jar manifest, or the development version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mptj " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
