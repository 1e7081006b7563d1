package io.mptj.cli;

import io.mptj.engine.Json;
import io.mptj.pipeline.Fold;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mptj fold}: one task's MPT prompt as a plain prompt-tuning adapter. */
@Command(
    name = "fold",
    mixinStandardHelpOptions = true,
    description =
        "Fold a task's P* ∘ (u vᵀ) into one plain prompt (a PEFT PROMPT_TUNING adapter) for deployment.")
final class FoldCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, description = "an MPT run directory (adapt or distill)")
  Path run;

  @Option(names = "--task", description = "which task, for runs with several")
  String task;

  @Option(names = "--out", required = true, description = "output run directory")
  Path out;

  @Override
  public Integer call() {
    System.out.println(Json.line(Fold.run(run, task, out)));
    return 0;
  }
}
