package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.SafetensorsFile;
import io.mptj.testing.Cli;
import io.mptj.testing.ToyTasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tuning method that exists only in the tests ({@code io.mptj.method.toy}, registered by one line
 * in {@code META-INF/services}) trains end to end through the normal trainer and CLI: its own flag
 * appears, its own learning-rate group trains, its own adapter layout is saved and loaded back by
 * {@code eval}; a flag the chosen method does not read is refused.
 */
class PluginMethodTest {

  @TempDir Path work;

  @Test
  void aTestOnlyMethodTrainsEvaluatesAndReloadsThroughTheCli() throws Exception {
    assertTrue(MethodRegistry.names().contains("toy"), MethodRegistry.names().toString());
    Path model = TinyBert.writeRandom(work.resolve("bert"), 4);
    String task =
        ToyTasks.task(work.resolve("data"), "toy/plugin", ToyTasks.POS, ToyTasks.NEG, 2)
            .reference();
    Path out = work.resolve("run");
    List<String> common =
        List.of(
            "--backbone",
            model.toString(),
            "--data-dir",
            work.resolve("data").toString(),
            "--task",
            task,
            "--prompt-length",
            "3",
            "--max-length",
            "24",
            "--batch-size",
            "8",
            "--steps",
            "20",
            "--eval-every",
            "10",
            "--no-progress");
    List<String> adapt = new ArrayList<>(List.of("adapt", "--method", "toy", "--toy-scale", "0.5"));
    adapt.addAll(common);
    adapt.addAll(List.of("--out", out.toString()));
    Cli.Result r = run(adapt);
    assertEquals(0, r.rc(), r.err());

    JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
    assertEquals("toy", config.get("method").asText());
    assertEquals(0.5, config.get("hyper").get("toyScale").asDouble());
    assertTrue(!config.get("hyper").has("rank"), "a toy run records no MPT settings");
    assertEquals(
        "MPTJ_TOY_SCALED_PROMPT", PeftAdapter.readConfig(out).peftType(), "its own adapter type");
    try (SafetensorsFile f = SafetensorsFile.open(out.resolve(PeftAdapter.WEIGHTS))) {
      assertEquals(java.util.Set.of("toy_base", "toy_scale", "toy_offset"), f.names());
      float[] scales = f.readFloats("toy_scale");
      boolean moved = false;
      for (float s : scales) {
        moved |= Math.abs(s - 0.5f) > 1e-6;
      }
      assertTrue(moved, "the toy scales trained away from their initial 0.5");
      float max = 0;
      for (float o : f.readFloats("toy_offset")) {
        max = Math.max(max, Math.abs(o));
      }
      assertTrue(max > 1e-6, "the token-embedding offset (the embedTokens hook) trained: " + max);
    }
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(
        3 + 32 + 2 * 32 + 2,
        metrics.get("params").get("task_specific").asLong(),
        "P scales, a d offset and the head (2 classes × d + 2)");

    Cli.Result eval = run(List.of("eval", "--run", out.toString(), "--split", "test"));
    assertEquals(0, eval.rc(), eval.err());
    assertTrue(eval.out().contains("\"score\""), eval.out());

    List<String> refused = new ArrayList<>(List.of("adapt", "--method", "pt", "--toy-scale", "2"));
    refused.addAll(common);
    refused.addAll(List.of("--out", work.resolve("refused").toString()));
    Cli.Result no = run(refused);
    assertNotEquals(0, no.rc());
    assertTrue(no.err().contains("--toy-scale is not read by `adapt --method pt`"), no.err());
  }

  @Test
  void aFlagTheCommandDoesNotReadIsRefused() {
    Cli.Result r =
        run(List.of("source", "--tasks", "glue/RTE", "--rank", "8", "--out", work.toString()));
    assertNotEquals(0, r.rc());
    assertTrue(r.err().contains("--rank"), r.err());
  }

  private static Cli.Result run(List<String> args) {
    return Cli.run(args);
  }
}
