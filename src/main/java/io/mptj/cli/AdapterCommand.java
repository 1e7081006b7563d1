package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.pipeline.PeftImport;
import io.mptj.task.bench.TaskRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mptj adapter}: adapters made elsewhere. */
@Command(
    name = "adapter",
    mixinStandardHelpOptions = true,
    description = "Adapters made elsewhere (import a Hugging Face PEFT adapter as a run).",
    subcommands = {AdapterCommand.Import.class})
final class AdapterCommand implements Runnable {

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "name a subcommand: import");
  }

  /** {@code mptj adapter import PEFT_DIR --backbone DIR --task T --out RUN_DIR}. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description =
          "Turn a PEFT prompt-tuning or MPT adapter (seq2seq, one or two transformer submodules)"
              + " into a run directory (the adapter files stay PEFT's).")
  static final class Import implements Callable<Integer> {

    @Parameters(index = "0", description = "the PEFT adapter directory")
    Path peft;

    @Option(names = "--backbone", required = true, description = "the base model's directory")
    Path backbone;

    @Option(
        names = "--task",
        required = true,
        split = ",",
        description = "the task(s) the adapter serves, in PEFT's task-id order (MPT: num_tasks)")
    java.util.List<String> task;

    @Option(names = "--data-dir", description = "data directory for user tasks")
    Path dataDir;

    @Option(names = "--out", required = true, description = "the run directory to write")
    Path out;

    @Override
    public Integer call() {
      if (!Files.isDirectory(backbone)) {
        throw new IllegalArgumentException("--backbone " + backbone + " is not a directory");
      }
      var t =
          task.stream()
              .map(n -> dataDir == null ? TaskRegistry.get(n) : TaskRegistry.get(n, dataDir))
              .toList();
      String id = backbone.toAbsolutePath().toString();
      System.out.println(Json.line(PeftImport.run(peft, backbone, id, t, dataDir, out)));
      return 0;
    }
  }
}
