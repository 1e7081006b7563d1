package io.mptj.cli;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.ForwardBench;
import io.mptj.engine.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mptj bench}: throughput measurements. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks.",
    subcommands = {BenchCommand.Forward.class, BenchTrain.class, BenchCompare.class})
final class BenchCommand {

  /** {@code mptj bench forward}. */
  @Command(
      name = "forward",
      mixinStandardHelpOptions = true,
      description = {
        "Forward and forward+backward (to the prompt) tokens/s of a prompted backbone, and the ratio of",
        "their useful matmul FLOP/s to this machine's fp32 GEMM rate measured in the same run (gemm_ratio)."
      })
  static final class Forward implements Callable<Integer> {
    @Option(
        names = "--backbone",
        defaultValue = Backbones.DEFAULT,
        description = "backbone (default: ${DEFAULT-VALUE})")
    String backbone;

    @Option(
        names = "--batch",
        defaultValue = "16",
        description = "batch size B (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
        names = "--seq",
        defaultValue = "128",
        description = "input tokens T (default: ${DEFAULT-VALUE})")
    int seq;

    @Option(
        names = "--prompt-length",
        defaultValue = "100",
        description = "prompt vectors P (default: ${DEFAULT-VALUE})")
    int promptLength;

    @Option(
        names = "--target-length",
        defaultValue = "4",
        description = "decoder tokens S for T5 (default: ${DEFAULT-VALUE})")
    int targetLength;

    @Option(
        names = "--repeats",
        defaultValue = "5",
        description = "timed rounds; the median is reported (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() {
      try (Backbone b = Backbones.load(backbone)) {
        var settings = new ForwardBench.Settings(batch, seq, promptLength, targetLength, repeats);
        System.out.println(Json.line(ForwardBench.run(b, settings)));
      }
      return 0;
    }
  }
}
