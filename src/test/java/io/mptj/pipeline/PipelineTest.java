package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.CheckpointException;
import io.mptj.method.PeftAdapter;
import io.mptj.task.Task;
import io.mptj.testing.TestSettings;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper's three stages end to end on a tiny random BERT and three small synthetic user tasks:
 * run directories, PEFT files, metrics, reloading, multi-target and few-shot.
 */
class PipelineTest {

  @TempDir static Path work;
  static Context ctx;
  static Task sentiment;
  static Task topic;
  static Task target;
  static Path source;
  static Path distilled;

  @BeforeAll
  static void setUp() throws IOException {
    Path model = TinyBert.writeRandom(work.resolve("tiny-bert"), 3);
    Path data = work.resolve("data");
    sentiment = ToyTasks.task(data, "toy/sentiment", ToyTasks.POS, ToyTasks.NEG, 1);
    topic = ToyTasks.task(data, "toy/topic", ToyTasks.SPORT, ToyTasks.FOOD, 2);
    target = ToyTasks.task(data, "toy/target", ToyTasks.POS, ToyTasks.NEG, 3);
    ctx = new Context(Backbones.load(model.toString()), data, false);
    source = work.resolve("source");
    SourceTraining.run(ctx, List.of(sentiment, topic), hyper(Stage.SOURCE, "pt", 60), source);
    distilled = work.resolve("distill");
    Distillation.run(ctx, source, hyper(Stage.DISTILL, "mpt", 60), distilled);
  }

  @AfterAll
  static void tearDown() {
    ctx.close();
  }

  static StageSettings hyper(Stage stage, String method, int steps) {
    return hyper(stage, method, steps, Map.of());
  }

  /** The test's settings with {@code extra} on top. */
  static StageSettings hyper(Stage stage, String method, int steps, Map<String, Object> extra) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("prompt_length", 4);
    v.put("rank", 1);
    v.put("steps", steps);
    v.put("batch_size", 8);
    v.put("lr", 0.05);
    v.put("lr_task", 0.05);
    v.put("lr_head", 0.05);
    v.put("weight_decay", 0.0);
    v.put("warmup", 2);
    v.put("schedule", "linear");
    v.put("clip", 1.0);
    v.put("max_length", 24);
    v.put("top_k", 8);
    v.put("eval_every", 20);
    v.put("seed", 7L);
    v.put("init", "vocab");
    v.putAll(extra);
    return TestSettings.of("bert", stage, method, v);
  }

  static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  static double[] firstAndLastLoss(Path run) throws IOException {
    List<Double> losses = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("train_log.jsonl"))) {
      JsonNode j = new ObjectMapper().readTree(line);
      if (j.has("loss")) {
        losses.add(j.get("loss").asDouble());
      }
    }
    int k = Math.max(1, losses.size() / 4);
    double first = losses.subList(0, k).stream().mapToDouble(d -> d).average().orElseThrow();
    double last =
        losses.subList(losses.size() - k, losses.size()).stream()
            .mapToDouble(d -> d)
            .average()
            .orElseThrow();
    return new double[] {first, last};
  }

  @Test
  void sourceTrainingWritesOneTeacherRunPerTaskAndTheirLossesFall() throws IOException {
    JsonNode index = json(source.resolve(SourceTraining.TEACHERS));
    assertEquals(2, index.get("tasks").size());
    for (String dir : List.of("toy-sentiment", "toy-topic")) {
      Path run = source.resolve(dir);
      for (String f :
          List.of(
              "config.json",
              "adapter_config.json",
              "adapter_model.safetensors",
              "heads.safetensors",
              "train_log.jsonl",
              "metrics.json",
              "tasks.json")) {
        assertTrue(Files.isRegularFile(run.resolve(f)), run + " lacks " + f);
      }
      assertEquals("PROMPT_TUNING", PeftAdapter.readConfig(run).peftType());
      assertArrayEquals(new long[] {4, 32}, PeftAdapter.shapes(run).get("prompt_embeddings"));
      double[] loss = firstAndLastLoss(run);
      assertTrue(loss[1] < loss[0], dir + " loss " + loss[0] + " -> " + loss[1]);
      JsonNode m = json(run.resolve("metrics.json"));
      assertTrue(
          m.get("test").get("score").asDouble() >= 0
              && m.get("params").get("task_specific").asLong() == 4 * 32 + 2 * 33);
    }
  }

  @Test
  void distillationWritesAnMptAdapterInPeftLayoutAndItsLossFalls() throws IOException {
    Map<String, long[]> shapes = PeftAdapter.shapes(distilled);
    assertEquals(3, shapes.size());
    assertArrayEquals(new long[] {4, 32}, shapes.get("prompt_embeddings"));
    assertArrayEquals(new long[] {2, 4, 1}, shapes.get("prefix_task_cols"));
    assertArrayEquals(new long[] {2, 1, 32}, shapes.get("prefix_task_rows"));
    assertEquals("MULTITASK_PROMPT_TUNING", PeftAdapter.readConfig(distilled).peftType());
    double[] loss = firstAndLastLoss(distilled);
    assertTrue(loss[1] < loss[0], "distillation loss " + loss[0] + " -> " + loss[1]);
    assertTrue(Files.readString(distilled.resolve("train_log.jsonl")).contains("distill_loss"));
    JsonNode m = json(distilled.resolve("metrics.json"));
    assertEquals(2, m.get("tasks").size());
  }

  @Test
  void mptAdaptationSavesReloadsAndReproducesItsTestMetricsExactly() throws IOException {
    Path out = work.resolve("adapt-mpt");
    Map<String, Object> metrics =
        Adaptation.run(ctx, distilled, List.of(target), 0, hyper(Stage.ADAPT, "mpt", 40), out);
    double[] loss = firstAndLastLoss(out);
    assertTrue(loss[1] < loss[0], "adaptation loss " + loss[0] + " -> " + loss[1]);
    long params = json(out.resolve("metrics.json")).get("params").get("task_specific").asLong();
    assertEquals(4 * 32 + (4 + 32) + 2 * 33, params, "P·d + (P + d)·r + head");
    try (SavedRun saved = SavedRun.open(out, new Context(ctx.backbone(), ctx.dataDir(), false))) {
      Map<String, Object> again = saved.evaluate("test").get(target.name());
      assertEquals(
          ((Map<?, ?>) metrics.get("test")).get("score"),
          again.get("score"),
          "reloaded run, same test score");
      assertEquals(((Map<?, ?>) metrics.get("test")).get("accuracy"), again.get("accuracy"));
      List<Map<String, Object>> p = saved.predict(null, List.of(Map.of("text", "good fine nice")));
      assertTrue(p.getFirst().containsKey("label") && p.getFirst().containsKey("scores"));
    }
    assertThrows(
        CheckpointException.class,
        () ->
            Adaptation.run(ctx, distilled, List.of(target), 0, hyper(Stage.ADAPT, "mpt", 40), out),
        "a finished run is never overwritten");
  }

  @Test
  void baselinesStartFromVocabularyOrFromOneSourcePrompt() throws IOException {
    Path pt = work.resolve("adapt-pt");
    Adaptation.run(ctx, null, List.of(target), 0, hyper(Stage.ADAPT, "pt", 20), pt);
    assertEquals("pt", json(pt.resolve("metrics.json")).get("method").asText());
    Path spot = work.resolve("adapt-spot");
    CheckpointException several =
        assertThrows(
            CheckpointException.class,
            () ->
                Adaptation.run(
                    ctx, source, List.of(target), 0, hyper(Stage.ADAPT, "spot", 20), spot));
    assertTrue(
        several.getMessage().endsWith(source.resolve("toy-sentiment").toString()),
        "the source root holds several prompts: the error names one to pick: "
            + several.getMessage());
    Adaptation.run(
        ctx,
        source.resolve("toy-sentiment"),
        List.of(target),
        0,
        hyper(Stage.ADAPT, "spot", 20),
        spot);
    assertEquals(
        4 * 32 + 2 * 33,
        json(spot.resolve("metrics.json")).get("params").get("task_specific").asLong());
  }

  @Test
  void multiTargetSharesPStarThenTrainsEachTasksVectorsAlone() throws IOException {
    Path out = work.resolve("adapt-multi");
    Adaptation.run(ctx, distilled, List.of(target, topic), 0, hyper(Stage.ADAPT, "mpt", 20), out);
    assertArrayEquals(
        new long[] {2, 4, 1}, PeftAdapter.shapes(out.resolve("joint")).get("prefix_task_cols"));
    for (String dir : List.of("toy-target", "toy-topic")) {
      JsonNode m = json(out.resolve(dir).resolve("metrics.json"));
      assertEquals("mpt*", m.get("method").asText());
      assertEquals(
          4 * 32 / 2 + (4 + 32) + 2 * 33,
          m.get("params").get("task_specific").asLong(),
          "P·d/τ + (P + d) + head");
    }
  }

  @Test
  void aFoldedMptPromptIsAPlainPromptAdapterThatPredictsTheSame() throws IOException {
    Path run = work.resolve("adapt-to-fold");
    Map<String, Object> m =
        Adaptation.run(ctx, distilled, List.of(target), 0, hyper(Stage.ADAPT, "mpt", 20), run);
    Path folded = work.resolve("folded");
    Fold.run(run, null, folded);
    assertEquals("PROMPT_TUNING", PeftAdapter.readConfig(folded).peftType());
    assertArrayEquals(new long[] {4, 32}, PeftAdapter.shapes(folded).get("prompt_embeddings"));
    try (SavedRun saved =
        SavedRun.open(folded, new Context(ctx.backbone(), ctx.dataDir(), false))) {
      Map<String, Object> test = saved.evaluate("test").get(target.name());
      assertEquals(
          ((Map<?, ?>) m.get("test")).get("accuracy"), test.get("accuracy"), "same predictions");
    }
  }

  @Test
  void theServerBatchesConcurrentRequestsAndAnswersLikePredict() throws Exception {
    Path run = work.resolve("adapt-to-serve");
    Adaptation.run(ctx, null, List.of(target), 0, hyper(Stage.ADAPT, "pt", 10), run);
    try (SavedRun saved = SavedRun.open(run, new Context(ctx.backbone(), ctx.dataDir(), false));
        io.mptj.serve.PromptServer server =
            new io.mptj.serve.PromptServer(List.of(saved), "127.0.0.1", 0, 64)) {
      List<String> texts =
          List.of("good fine nice", "bad awful sad", "love happy great", "hate ugly poor");
      var client = java.net.http.HttpClient.newHttpClient();
      var answers = new java.util.concurrent.ConcurrentHashMap<String, String>();
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (String text : texts) {
          pool.submit(
              () -> {
                String body =
                    "{\"task\": \""
                        + target.name()
                        + "\", \"inputs\": [{\"text\": \""
                        + text
                        + "\"}]}";
                var req =
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + server.port() + "/predict"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                        .build();
                var resp = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
                answers.put(
                    text,
                    new ObjectMapper()
                        .readTree(resp.body())
                        .get("predictions")
                        .get(0)
                        .get("label")
                        .asText());
                return null;
              });
        }
      }
      for (String text : texts) {
        Object direct = saved.predict(null, List.of(Map.of("text", text))).getFirst().get("label");
        assertEquals(direct, answers.get(text), text);
      }
      var bad =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + server.port() + "/predict"))
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"task\": \"nope\", \"inputs\": []}"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(404, bad.statusCode());
      assertTrue(bad.body().contains("unknown task nope"), bad.body());
    }
  }

  static java.net.http.HttpResponse<String> http(
      java.net.http.HttpClient client, int port, String path, String postBody) throws Exception {
    var b =
        java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + path));
    if (postBody != null) {
      b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(postBody));
    }
    return client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void promptRunsOfDifferentMethodsShareOneForwardPassAndAnswerAsAlone() throws Exception {
    Path mpt = work.resolve("fuse-mpt");
    Adaptation.run(ctx, distilled, List.of(target), 0, hyper(Stage.ADAPT, "mpt", 10), mpt);
    Path ulpt = work.resolve("fuse-ulpt");
    Adaptation.run(
        ctx,
        null,
        List.of(target),
        0,
        hyper(Stage.ADAPT, "ulpt", 10, Map.of("ulpt_rank", 8)),
        ulpt);
    Path lora = work.resolve("fuse-lora");
    Adaptation.run(ctx, null, List.of(target), 0, hyper(Stage.ADAPT, "lora", 10), lora);
    Context c = new Context(ctx.backbone(), ctx.dataDir(), false);
    List<String> texts = List.of("good fine nice", "bad awful sad", "ball game team win");
    try (SavedRun pt1 = SavedRun.open(source.resolve("toy-sentiment"), c);
        SavedRun pt2 = SavedRun.open(source.resolve("toy-topic"), c);
        SavedRun m = SavedRun.open(mpt, c);
        SavedRun u = SavedRun.open(ulpt, c);
        SavedRun l = SavedRun.open(lora, c)) {
      var groups = FusedRuns.groups(List.of(pt1, l, pt2, m, u));
      assertEquals(List.of(List.of(pt1, pt2, m, u), List.of(l)), groups, "LoRA keeps its lane");
      assertThrows(IllegalArgumentException.class, () -> FusedRuns.of(List.of(pt1, l)));
      List<FusedRuns.Query> qs = new ArrayList<>();
      for (String text : texts) {
        for (SavedRun r : groups.getFirst()) {
          String task = r.tasks().getFirst().name();
          qs.add(new FusedRuns.Query(r, new SavedRun.Query(task, Map.of("text", text))));
        }
      }
      try (FusedRuns fused = FusedRuns.of(groups.getFirst())) {
        var out = fused.predict(qs).predictions();
        for (int i = 0; i < qs.size(); i++) {
          var q = qs.get(i);
          var alone = q.run().predict(q.query().task(), List.of(q.query().fields())).getFirst();
          assertEquals(alone.get("label"), out.get(i).get("label"), "row " + i);
          for (var e : ((Map<?, ?>) alone.get("scores")).entrySet()) {
            assertEquals(
                ((Number) e.getValue()).doubleValue(),
                ((Number) ((Map<?, ?>) out.get(i).get("scores")).get(e.getKey())).doubleValue(),
                1e-4,
                "row " + i + " of run " + q.run().dir().getFileName() + " scores as alone");
          }
        }
      }
      String batch =
          "{\"batch\": ["
              + String.join(
                  ",",
                  java.util.stream.Stream.of(sentiment, topic, target)
                      .map(t -> "{\"task\": \"" + t.name() + "\", \"input\": {\"text\": \"a b\"}}")
                      .toList())
              + "]}";
      for (boolean fuse : new boolean[] {true, false}) {
        var limits = new io.mptj.serve.ServeLimits(64, 4096, 8, 200, 64, 20, 30_000, fuse);
        try (var server =
            new io.mptj.serve.PromptServer(
                List.of(pt1, pt2, m), "127.0.0.1", 0, limits, null, null)) {
          var client = java.net.http.HttpClient.newHttpClient();
          var r = http(client, server.port(), "/v1/predict", batch);
          assertEquals(200, r.statusCode(), r.body());
          String passes = fuse ? "mptj_batches_total 1\n" : "mptj_batches_total 3\n";
          assertTrue(
              http(client, server.port(), "/metrics", null).body().contains(passes),
              "three runs, " + (fuse ? "one pass fused" : "a pass each unfused"));
        }
      }
    }
  }

  @Test
  void theV1ApiMixesTasksInOneBatchAndEnforcesItsLimits() throws Exception {
    Path run = work.resolve("adapt-two-to-serve");
    Adaptation.run(ctx, distilled, List.of(target, topic), 0, hyper(Stage.ADAPT, "mpt", 10), run);
    run = run.resolve("joint"); // the two tasks' prompts and heads in one run
    var limits = new io.mptj.serve.ServeLimits(64, 4096, 3, 200, 64, 20, 30_000, true);
    try (SavedRun saved = SavedRun.open(run, new Context(ctx.backbone(), ctx.dataDir(), false));
        var server =
            new io.mptj.serve.PromptServer(
                List.of(saved), "127.0.0.1", 0, limits, ctx, work.toAbsolutePath())) {
      var client = java.net.http.HttpClient.newHttpClient();
      int port = server.port();
      String mixed =
          "{\"batch\": [{\"task\": \""
              + target.name()
              + "\", \"input\": {\"text\": \"good fine nice\"}},"
              + " {\"task\": \""
              + topic.name()
              + "\", \"input\": {\"text\": \"bad awful sad\"}}]}";
      var ok = http(client, port, "/v1/predict", mixed);
      assertEquals(200, ok.statusCode(), ok.body());
      JsonNode preds = new ObjectMapper().readTree(ok.body()).get("predictions");
      var alone1 =
          saved.predict(target.name(), List.of(Map.of("text", "good fine nice"))).getFirst();
      var alone2 = saved.predict(topic.name(), List.of(Map.of("text", "bad awful sad"))).getFirst();
      assertEquals(alone1.get("label"), preds.get(0).get("label").asText());
      assertEquals(alone2.get("label"), preds.get(1).get("label").asText());
      for (var e : ((Map<?, ?>) alone2.get("scores")).entrySet()) {
        assertEquals(
            ((Number) e.getValue()).doubleValue(),
            preds.get(1).get("scores").get(e.getKey().toString()).asDouble(),
            1e-4,
            "a row's scores do not depend on the other task's row in its batch");
      }
      assertTrue(
          http(client, port, "/metrics", null).body().contains("mptj_batches_total 1"),
          "the two tasks' rows were one forward pass");

      var tooMany =
          http(
              client,
              port,
              "/v1/predict",
              "{\"task\": \"" + topic.name() + "\", \"inputs\": [{},{},{},{}]}");
      assertEquals(413, tooMany.statusCode(), tooMany.body());
      var tooLong =
          http(
              client,
              port,
              "/v1/predict",
              "{\"task\": \""
                  + topic.name()
                  + "\", \"inputs\": [{\"text\": \""
                  + "x".repeat(300)
                  + "\"}]}");
      assertEquals(413, tooLong.statusCode(), tooLong.body());
      var bigBody = http(client, port, "/v1/predict", " ".repeat(5000));
      assertEquals(413, bigBody.statusCode(), bigBody.body());
      var malformed = http(client, port, "/v1/predict", "{\"task\": 3, \"inputs\": []}");
      assertEquals(400, malformed.statusCode());
      assertTrue(malformed.body().contains("\\\"task\\\""), malformed.body());
      var notJson = http(client, port, "/v1/predict", "{\"task\": ");
      assertEquals(400, notJson.statusCode());
      assertEquals(
          404,
          http(client, port, "/v1/predict", "{\"task\": \"nope\", \"inputs\": [{}]}").statusCode());
      assertEquals(405, http(client, port, "/v1/predict", null).statusCode());

      JsonNode tasks = new ObjectMapper().readTree(http(client, port, "/v1/tasks", null).body());
      assertEquals(2, tasks.get("tasks").size());
      assertTrue(tasks.get("tasks").get(0).get("task_parameters").asLong() > 0);
      assertEquals(200, http(client, port, "/ready", null).statusCode());
      assertEquals(200, http(client, port, "/health", null).statusCode());
      assertTrue(http(client, port, "/openapi.json", null).body().contains("/v1/predict"));
      String metrics = http(client, port, "/metrics", null).body();
      assertTrue(
          metrics.contains("mptj_requests_total{status=\"413\",kind=\"predict_refused\"} 3"),
          metrics);
      assertTrue(metrics.contains("mptj_request_seconds_bucket{le=\"+Inf\"}"), metrics);

      // a slow client that sends part of its body, then disconnects, holds only its own thread
      try (var slow = new java.net.Socket("127.0.0.1", port)) {
        var out = slow.getOutputStream();
        out.write(
            "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"task\""
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
        assertEquals(
            200, http(client, port, "/v1/predict", mixed).statusCode(), "while one is slow");
      }
      assertEquals(200, http(client, port, "/v1/predict", mixed).statusCode(), "after it left");

      // adapters in and out without a restart: a plain PT run of the target task, added then
      // removed
      Path pt = work.resolve("adapt-to-put");
      Adaptation.run(ctx, null, List.of(sentiment), 0, hyper(Stage.ADAPT, "pt", 5), pt);
      String name = sentiment.name();
      var put =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + port + "/v1/tasks/" + name))
              .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"run\": \"adapt-to-put\"}"))
              .build();
      var added = client.send(put, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(201, added.statusCode(), added.body());
      assertEquals(
          409, client.send(put, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
      var escape =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + port + "/v1/tasks/" + name))
              .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"run\": \"../../etc\"}"))
              .build();
      assertEquals(
          400,
          client.send(escape, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
      String ask = "{\"task\": \"" + name + "\", \"inputs\": [{\"text\": \"good fine nice\"}]}";
      assertEquals(200, http(client, port, "/v1/predict", ask).statusCode());
      var delete =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + port + "/v1/tasks/" + name))
              .DELETE()
              .build();
      // removed while its requests and the others' are in flight: the others all answer 200;
      // its own answer 200 (queued before) or 404 (after), nothing else
      var mine = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
      var others = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
      var removed = new java.util.concurrent.atomic.AtomicInteger();
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < 4; c++) {
          pool.submit(
              () -> {
                for (int i = 0; i < 40; i++) {
                  mine.add(http(client, port, "/v1/predict", ask).statusCode());
                  others.add(http(client, port, "/v1/predict", mixed).statusCode());
                }
                return null;
              });
        }
        while (mine.size() < 8) {
          Thread.sleep(1); // some of its requests answered, most still to come
        }
        removed.set(
            client.send(delete, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      assertEquals(200, removed.get());
      assertTrue(others.stream().allMatch(c -> c == 200), "the others: " + others);
      assertTrue(mine.stream().allMatch(c -> c == 200 || c == 404), "its own: " + mine);
      assertTrue(mine.contains(404), "removed mid-load: " + mine);
      assertEquals(404, http(client, port, "/v1/predict", ask).statusCode());
      assertEquals(
          200, http(client, port, "/v1/predict", mixed).statusCode(), "the others still served");
    }
    // one request per forward pass, one waiting: of 200 sent at once most find the queue full
    var oneAtATime = new io.mptj.serve.ServeLimits(1, 4096, 3, 200, 1, 0, 30_000, true);
    // a batch waits 200 ms for company, so a 1 ms deadline passes first
    var impatient = new io.mptj.serve.ServeLimits(8, 4096, 3, 200, 64, 200, 1, true);
    String one = "{\"task\": \"" + topic.name() + "\", \"inputs\": [{\"text\": \"a b c\"}]}";
    try (SavedRun saved = SavedRun.open(run, new Context(ctx.backbone(), ctx.dataDir(), false));
        var server =
            new io.mptj.serve.PromptServer(
                List.of(saved), "127.0.0.1", 0, oneAtATime, null, null)) {
      var client = java.net.http.HttpClient.newHttpClient();
      var answers =
          new java.util.concurrent.ConcurrentLinkedQueue<java.net.http.HttpResponse<String>>();
      try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 200; i++) {
          pool.submit(() -> answers.add(http(client, server.port(), "/v1/predict", one)));
        }
      }
      assertEquals(200, answers.size());
      assertTrue(answers.stream().anyMatch(r -> r.statusCode() == 429), "a full queue answers 429");
      assertTrue(
          answers.stream().anyMatch(r -> r.statusCode() == 200), "the queued ones are answered");
      for (var r : answers) {
        assertTrue(r.statusCode() == 200 || r.statusCode() == 429, r.statusCode() + " " + r.body());
        if (r.statusCode() == 429) {
          assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
        }
      }
    }
    try (SavedRun saved = SavedRun.open(run, new Context(ctx.backbone(), ctx.dataDir(), false));
        var server =
            new io.mptj.serve.PromptServer(List.of(saved), "127.0.0.1", 0, impatient, null, null)) {
      var late = http(java.net.http.HttpClient.newHttpClient(), server.port(), "/v1/predict", one);
      assertEquals(504, late.statusCode(), late.body());
    }
  }

  @Test
  void fewShotDrawsKExamplesPerClass() {
    List<PreparedTask> p =
        Preparation.prepare(ctx, List.of(target), hyper(Stage.ADAPT, "pt", 10), 4);
    assertEquals(8, p.getFirst().train().size());
    long yes = p.getFirst().splits().train().stream().filter(e -> e.classIndex() == 1).count();
    assertEquals(4, yes);
  }
}
