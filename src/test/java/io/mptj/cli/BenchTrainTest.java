package io.mptj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Json;
import io.mptj.testing.Cli;
import io.mptj.testing.ToyTasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench train}: a real (tiny) run, its throughput line, the record file, a fresh out. */
class BenchTrainTest {

  @TempDir Path work;

  private List<String> args(Path model, String task, Path out, Path record) {
    List<String> a = new ArrayList<>(Cli.tinyAdapt(model, work.resolve("data"), task, 6, 0, out));
    a.subList(0, 3).clear(); // "adapt --method pt": bench train is prompt tuning
    a.addAll(0, List.of("bench", "train"));
    a.set(a.indexOf("--task") + 1, task);
    a.addAll(List.of("--group-by-length", "3", "--record", record.toString()));
    return a;
  }

  @Test
  void timesAFreshGroupedRunAndRecordsItWithTheMachine() throws Exception {
    Path model = TinyBert.writeRandom(work.resolve("bert"), 5);
    String task =
        ToyTasks.task(work.resolve("data"), "toy/bench", ToyTasks.POS, ToyTasks.NEG, 2).reference();
    Path record = work.resolve("results");
    Cli.Result r = Cli.run(args(model, task, work.resolve("out"), record));
    assertEquals(0, r.rc(), r.err());
    JsonNode line = Json.MAPPER.readTree(r.out().strip());
    assertEquals("train", line.get("bench").asText());
    assertEquals(3, line.get("groupByLength").asInt());
    assertEquals(6, line.get("steps").asInt());
    assertTrue(line.get("tokens_per_s").asDouble() > 0, r.out());
    assertTrue(line.get("windows").asInt() >= 2, r.out());
    assertTrue(line.get("process_peak_rss_mib").asDouble() > 0, r.out());
    assertEquals(line.get("scores").get("train_seconds"), line.get("train_seconds"));
    List<String> recorded = Files.readAllLines(record.resolve("train.jsonl"));
    assertEquals(1, recorded.size());
    JsonNode rec = Json.MAPPER.readTree(recorded.get(0));
    assertTrue(rec.get("machine").get("cpus").asInt() > 0);
    assertEquals(line, rec.get("result"));

    Cli.Result again = Cli.run(args(model, task, work.resolve("out"), record));
    assertEquals(1, again.rc());
    assertTrue(again.err().contains("exists"), again.err());
    assertEquals(1, Files.readAllLines(record.resolve("train.jsonl")).size());
  }
}
