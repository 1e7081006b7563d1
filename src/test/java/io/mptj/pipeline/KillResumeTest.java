package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.backbone.bert.TinyBert;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run killed with SIGKILL midway and started again ends with exactly the prompt and head
 * of a run that was never interrupted (the CLI in child JVMs, on a tiny BERT).
 */
class KillResumeTest {

  @TempDir Path work;

  @Test
  void aKilledProcessResumesToTheSameAdapterBitForBit() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 9);
    String task =
        ToyTasks.task(work.resolve("data"), "toy/kill", ToyTasks.POS, ToyTasks.NEG, 5).reference();
    List<String> args =
        List.of(
            "adapt",
            "--method",
            "pt",
            "--backbone",
            model.toString(),
            "--data-dir",
            work.resolve("data").toString(),
            "--task",
            task,
            "--prompt-length",
            "4",
            "--max-length",
            "24",
            "--batch-size",
            "8",
            "--steps",
            "300",
            "--eval-every",
            "100",
            "--no-progress");
    Path straight = work.resolve("straight");
    assertEquals(0, cli(args, straight).waitFor(), "uninterrupted run");
    Path killed = work.resolve("killed");
    Process p = cli(args, killed);
    Path checkpoint = killed.resolve("checkpoint").resolve("trainer.json");
    while (p.isAlive()
        && !(Files.exists(checkpoint) && Files.readString(checkpoint).contains("\"step\":120"))) {
      Thread.sleep(20);
    }
    assertTrue(p.isAlive(), "the run must still be going when it is killed");
    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(!Files.exists(killed.resolve("metrics.json")), "it did not finish");
    assertEquals(0, cli(args, killed).waitFor(), "resumed run");
    for (String f : List.of("adapter_model.safetensors", "heads.safetensors")) {
      assertArrayEquals(
          Files.readAllBytes(straight.resolve(f)), Files.readAllBytes(killed.resolve(f)), f);
    }
  }

  private static Process cli(List<String> args, Path out) throws IOException {
    return io.mptj.testing.Cli.start(args, out);
  }
}
