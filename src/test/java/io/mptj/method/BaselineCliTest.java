package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.testing.Cli;
import io.mptj.testing.ToyTasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every baseline method trains through {@code adapt}, records itself and its parameter count in the
 * run, and is re-evaluated from its saved files by {@code eval} with the score training recorded.
 */
class BaselineCliTest {

  @TempDir Path work;

  @Test
  void everyBaselineTrainsSavesAndReevaluatesThroughTheCli() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 4);
    String task =
        ToyTasks.task(work.resolve("data"), "toy/base", ToyTasks.POS, ToyTasks.NEG, 2).reference();
    ObjectMapper json = new ObjectMapper();
    String other =
        ToyTasks.task(work.resolve("data"), "toy/other", ToyTasks.SPORT, ToyTasks.FOOD, 3)
            .reference();
    Path sources = work.resolve("sources");
    Cli.Result src =
        Cli.run(
            List.of(
                "source",
                "--tasks",
                task + "," + other,
                "--backbone",
                model.toString(),
                "--data-dir",
                work.resolve("data").toString(),
                "--prompt-length",
                "4",
                "--max-length",
                "24",
                "--batch-size",
                "8",
                "--steps",
                "6",
                "--eval-every",
                "6",
                "--no-progress",
                "--out",
                sources.toString()));
    assertEquals(0, src.rc(), src.err());
    Path distilled = work.resolve("distilled");
    Cli.Result dis =
        Cli.run(
            List.of(
                "distill",
                "--teachers",
                sources.toString(),
                "--backbone",
                model.toString(),
                "--data-dir",
                work.resolve("data").toString(),
                "--max-length",
                "24",
                "--batch-size",
                "8",
                "--steps",
                "6",
                "--eval-every",
                "6",
                "--no-progress",
                "--out",
                distilled.toString()));
    assertEquals(0, dis.rc(), dis.err());
    for (String method : BaselineMethodsTest.names()) {
      Path out = work.resolve(method);
      List<String> args =
          new ArrayList<>(
              List.of(
                  "adapt",
                  "--method",
                  method,
                  "--backbone",
                  model.toString(),
                  "--data-dir",
                  work.resolve("data").toString(),
                  "--task",
                  task,
                  "--max-length",
                  "24",
                  "--batch-size",
                  "8",
                  "--steps",
                  "12",
                  "--eval-every",
                  "6",
                  "--no-progress",
                  "--out",
                  out.toString()));
      switch (MethodRegistry.get(method).upstream()) {
        case SOURCES -> args.addAll(List.of("--from", sources.toString()));
        case DISTILL_RUN -> args.addAll(List.of("--from", distilled.toString()));
        default -> {}
      }
      Cli.Result r = Cli.run(args);
      assertEquals(0, r.rc(), method + ": " + r.err());
      JsonNode config = json.readTree(out.resolve("config.json").toFile());
      assertEquals(method, config.get("method").asText());
      JsonNode metrics = json.readTree(out.resolve("metrics.json").toFile());
      assertTrue(metrics.get("params").get("task_specific").asLong() > 2 * 32, method);
      double recorded = metrics.get("test").get("score").asDouble();
      Cli.Result eval = Cli.run(List.of("eval", "--run", out.toString(), "--split", "test"));
      assertEquals(0, eval.rc(), method + ": " + eval.err());
      double again =
          json.readTree(eval.out().lines().reduce((a, b) -> b).orElseThrow())
              .get("score")
              .asDouble();
      assertEquals(recorded, again, 1e-9, method + ": the saved run scores what training recorded");
      Cli.Result fold =
          Cli.run(
              List.of(
                  "fold",
                  "--run",
                  out.toString(),
                  "--out",
                  work.resolve("f-" + method).toString()));
      assertTrue(
          fold.rc() != 0 && fold.err().contains("would be lost"), method + ": " + fold.err());
    }
  }
}
