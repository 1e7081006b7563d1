package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mptj.backbone.Backbones;
import io.mptj.method.PeftAdapter;
import io.mptj.task.Task;
import io.mptj.testing.Cli;
import io.mptj.testing.Shared;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code mptj adapter import} on every adapter PEFT wrote in {@code ../shared/fixtures/peft}: the
 * run directory keeps PEFT's files byte for byte, records the method and settings, loads as a run
 * (prompt length P whatever {@code num_transformer_submodules} is) and predicts; the import reads
 * only the adapter and the base's config.json (the PEFT bases have no tokenizer).
 */
class PeftImportTest {

  @TempDir Path work;

  static Stream<Named<Path>> adapters() throws IOException {
    Path root = Shared.optionalFixture("peft");
    if (root == null) {
      return Stream.of(Named.of("no shared PEFT fixtures", null));
    }
    List<Named<Path>> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 3)) {
      s.filter(p -> p.getFileName().toString().equals(PeftAdapter.CONFIG))
          .map(Path::getParent)
          .sorted()
          .forEach(p -> out.add(Named.of(root.relativize(p).toString(), p)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void importedPeftAdaptersAreRunsThatPredict(Path peft) throws IOException {
    assumeTrue(peft != null, "shared fixtures not found beside the project");
    Path base = Shared.optionalFixture("t5/" + peft.getParent().getFileName());
    assumeTrue(base != null, "base of " + peft + " not found");
    Path data = work.resolve("data");
    List<Task> tasks = new ArrayList<>();
    int k =
        PeftAdapter.readConfig(peft).isMultitask() ? PeftAdapter.readConfig(peft).numTasks() : 1;
    for (int i = 0; i < k; i++) {
      tasks.add(ToyTasks.task(data, "toy/c" + i, ToyTasks.FOOD, ToyTasks.SPORT, 3 + i));
    }
    Path run = work.resolve("run");
    Map<String, Object> summary = PeftImport.run(peft, base, base.toString(), tasks, data, run);
    int p = PeftAdapter.readConfig(peft).numVirtualTokens();
    assertEquals(p, summary.get("prompt_length"));
    for (String f : List.of(PeftAdapter.CONFIG, PeftAdapter.WEIGHTS)) {
      assertArrayEquals(Files.readAllBytes(peft.resolve(f)), Files.readAllBytes(run.resolve(f)), f);
    }
    Path withTokenizer = T5PipelineTest.tinyT5WithTokenizer(base, work.resolve("t5"));
    try (Context ctx = new Context(Backbones.load(withTokenizer.toString()), data, false);
        SavedRun saved = SavedRun.open(run, ctx)) {
      assertEquals(p, saved.promptLength(), "the encoder prompt is P rows");
      String label =
          (String)
              saved
                  .predict(tasks.getLast().name(), List.of(Map.of("text", "rice tea soup")))
                  .getFirst()
                  .get("label");
      assertTrue(List.of("no", "yes").contains(label), label);
    }
  }

  /**
   * {@code PUT /v1/tasks/{name}} with {@code {"peft": DIR}}: a PEFT adapter under the adapter root
   * is served without a restart and answers as the same adapter imported with {@code adapter
   * import}; an MPT adapter names its tasks; paths outside the root and bad task lists are 400s;
   * the server's scratch copy is gone after close.
   */
  @Test
  void theServerTakesAPeftAdapterByPut() throws Exception {
    Path root = Shared.optionalFixture("peft");
    assumeTrue(root != null, "shared fixtures not found beside the project");
    Path base = Shared.optionalFixture("t5/tiny-t5-relu-tied");
    assumeTrue(base != null && Files.isDirectory(root.resolve("tiny-t5-relu-tied/mpt")), "absent");
    Path data = work.resolve("data");
    Task c0 = ToyTasks.task(data, "toy/c0", ToyTasks.FOOD, ToyTasks.SPORT, 3);
    for (int i = 1; i < 3; i++) {
      ToyTasks.task(data, "toy/m" + i, ToyTasks.FOOD, ToyTasks.SPORT, 3 + i);
    }
    ToyTasks.task(data, "toy/m0", ToyTasks.FOOD, ToyTasks.SPORT, 3);
    Path t5 = T5PipelineTest.tinyT5WithTokenizer(base, work.resolve("t5"));
    Path imported = work.resolve("imported");
    PeftImport.run(
        root.resolve("tiny-t5-relu-tied/prompt-tuning"),
        t5,
        t5.toString(),
        List.of(c0),
        data,
        imported);
    List<Map<String, String>> inputs =
        List.of(Map.of("text", "rice tea soup"), Map.of("text", "ball"));
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (Context ctx = new Context(Backbones.load(t5.toString()), data, false);
        SavedRun alone = SavedRun.open(imported, ctx);
        var server =
            new io.mptj.serve.PromptServer(
                List.of(), "127.0.0.1", 0, io.mptj.serve.ServeLimits.defaults(), ctx, root)) {
      var expected = alone.predict(c0.name(), inputs);
      var client = java.net.http.HttpClient.newHttpClient();
      assertEquals(
          201,
          put(client, server.port(), "toy/c0", "{\"peft\": \"tiny-t5-relu-tied/prompt-tuning\"}")
              .statusCode());
      String ask = json.writeValueAsString(Map.of("task", "toy/c0", "inputs", inputs));
      var answer = PipelineTest.http(client, server.port(), "/v1/predict", ask);
      assertEquals(200, answer.statusCode(), answer.body());
      var got = json.readTree(answer.body()).get("predictions");
      for (int i = 0; i < inputs.size(); i++) {
        assertEquals(expected.get(i).get("label"), got.get(i).get("label").asText(), "row " + i);
      }
      var mpt =
          put(
              client,
              server.port(),
              "toy/m1",
              "{\"peft\": \"tiny-t5-relu-tied/mpt\", \"tasks\": [\"toy/m0\", \"toy/m1\", \"toy/m2\"]}");
      assertEquals(201, mpt.statusCode(), mpt.body());
      assertTrue(mpt.body().contains("toy/m2"), mpt.body());
      var outside = put(client, server.port(), "toy/x", "{\"peft\": \"../peft/../..\"}");
      assertEquals(400, outside.statusCode());
      assertTrue(outside.body().contains("under the adapter root"), outside.body());
      var wrongCount =
          put(client, server.port(), "toy/m0", "{\"peft\": \"tiny-t5-relu-tied/mpt\"}");
      assertEquals(400, wrongCount.statusCode());
      assertTrue(wrongCount.body().contains("task(s)"), wrongCount.body());
    }
    try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertTrue(
          left.noneMatch(p -> p.getFileName().toString().startsWith("mptj-serve-peft-")),
          "the scratch imports are deleted on close");
    }
  }

  private static java.net.http.HttpResponse<String> put(
      java.net.http.HttpClient client, int port, String task, String body) throws Exception {
    var req =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/v1/tasks/" + task))
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCliImportsAndRefusesAnOccupiedOutOrAMissingAdapter() throws IOException {
    Path root = Shared.optionalFixture("peft");
    assumeTrue(root != null, "shared fixtures not found beside the project");
    Path peft = root.resolve("tiny-t5-relu-tied/mpt");
    Path base = Shared.optionalFixture("t5/tiny-t5-relu-tied");
    assumeTrue(Files.isDirectory(peft) && base != null, "the relu-tied fixtures are absent");
    Path run = work.resolve("cli-run");
    List<String> args =
        List.of(
            "adapter",
            "import",
            peft.toString(),
            "--backbone",
            base.toString(),
            "--task",
            "superglue/CB,superglue/RTE,glue/MRPC",
            "--out",
            run.toString());
    Cli.Result ok = Cli.run(args);
    assertEquals(0, ok.rc(), ok.err());
    assertTrue(ok.out().contains("\"method\":\"mpt\""), ok.out());
    Cli.Result again = Cli.run(args);
    assertNotEquals(0, again.rc());
    assertTrue(again.err().contains("already holds a run"), again.err());
    Cli.Result missing =
        Cli.run(
            List.of(
                "adapter",
                "import",
                work.resolve("nope").toString(),
                "--backbone",
                base.toString(),
                "--task",
                "superglue/CB",
                "--out",
                work.resolve("x").toString()));
    assertNotEquals(0, missing.rc());
    assertTrue(missing.err().contains("adapter_config.json"), missing.err());
  }
}
