package io.mptj.backbone.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.BackboneFamilies;
import io.mptj.engine.Json;
import io.mptj.testing.Cli;
import io.mptj.testing.ToyTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backbone family that exists only in the tests (this folder plus one line in {@code
 * META-INF/services}) loads from {@code --backbone DIR} by its {@code model_type}, trains end to
 * end through the normal trainer and CLI with its own stage defaults, and reloads for {@code eval}.
 */
class PluginFamilyTest {

  @TempDir Path work;

  @Test
  void aTestOnlyFamilyTrainsWithItsOwnDefaultsThroughTheCli() throws Exception {
    assertInstanceOf(ToyFamily.class, BackboneFamilies.forModelType("mptj-toy", "test"));
    Path model = work.resolve("toy-model");
    Files.createDirectories(model);
    Files.writeString(
        model.resolve("config.json"),
        "{\"model_type\": \"mptj-toy\", \"vocab_size\": 30522, \"hidden_size\": 16, \"seed\": 5}");
    String task =
        ToyTasks.task(work.resolve("data"), "toy/family", ToyTasks.SPORT, ToyTasks.FOOD, 4)
            .reference();
    Path out = work.resolve("run");
    var r =
        Cli.run(
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
                "--batch-size",
                "8",
                "--no-progress",
                "--out",
                out.toString()));
    assertEquals(0, r.rc(), r.err());
    JsonNode config = Json.MAPPER.readTree(out.resolve("config.json").toFile());
    JsonNode hyper = config.get("hyper");
    assertEquals(3, hyper.get("promptLength").asInt(), "the family's default prompt length");
    assertEquals(12, hyper.get("steps").asInt(), "the family's default steps");
    assertEquals(8, hyper.get("batchSize").asInt(), "a flag over the defaults");
    assertEquals(model.toAbsolutePath().normalize().toString(), config.get("backbone").asText());
    JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
    assertEquals(3 * 16 + 2 * 16 + 2, metrics.get("params").get("task_specific").asLong());

    var eval = Cli.run(List.of("eval", "--run", out.toString(), "--split", "test"));
    assertEquals(0, eval.rc(), eval.err());
    assertTrue(eval.out().contains("\"score\""), eval.out());
  }
}
