package io.mptj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Json;
import io.mptj.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench compare}: the ratios against a stand-in reference, a reference that disagrees is an
 * error, and (where Debian's python3-torch is installed) the real PyTorch reference computes mptj's
 * output on the parity input.
 */
class BenchCompareTest {

  @TempDir Path work;

  private List<String> args(Path model, String python, Path script) {
    return new ArrayList<>(
        List.of(
            "bench",
            "compare",
            "--backbone",
            model.toString(),
            "--batch",
            "2",
            "--seq",
            "8",
            "--prompt-length",
            "4",
            "--repeats",
            "1",
            "--python",
            python,
            "--script",
            script.toString(),
            "--record",
            work.resolve("results").toString()));
  }

  private Path fake(String body) throws Exception {
    Path f = work.resolve("fake-" + body.hashCode() + ".sh");
    Files.writeString(f, "test -s \"$2\" || exit 9\n" + body + "\n");
    return f;
  }

  @Test
  void ratiosAreMptjOverTheReferenceAndTheLineIsRecorded() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 3);
    Path ref =
        fake(
            "echo '{\"engine\":\"stand-in\",\"forward_tokens_per_s\":10.0,"
                + "\"forward_backward_tokens_per_s\":5.0}'");
    Cli.Result r = Cli.run(args(model, "/bin/sh", ref));
    assertEquals(0, r.rc(), r.err());
    JsonNode line = Json.MAPPER.readTree(r.out().strip());
    double fwd = line.get("mptj").get("forward_tokens_per_s").asDouble();
    assertEquals(fwd / 10.0, line.get("forward_ratio").asDouble(), 1e-3 * fwd);
    assertEquals("stand-in", line.get("pytorch").get("engine").asText());
    assertEquals(1, Files.readAllLines(work.resolve("results/compare.jsonl")).size());
  }

  @Test
  void aReferenceThatDisagreesWithMptjIsAnError() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 3);
    Cli.Result r =
        Cli.run(args(model, "/bin/sh", fake("echo '{\"parity_max_abs_diff\":0.5}'; exit 3")));
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("differs from mptj's"), r.err());
  }

  @Test
  void thePyTorchReferenceComputesMptjsOutput() throws Exception {
    assumeTrue(
        new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start().waitFor() == 0,
        "Debian's python3-torch is not installed (bench/README.md)");
    Path model = TinyBert.writeRandom(work.resolve("bert"), 3);
    Cli.Result r = Cli.run(args(model, "/usr/bin/python3", Path.of("bench/torch_eager.py")));
    assertEquals(0, r.rc(), r.err());
    JsonNode torch = Json.MAPPER.readTree(r.out().strip()).get("pytorch");
    assertTrue(torch.get("parity_max_abs_diff").asDouble() < 1e-4, torch.toString());
  }
}
