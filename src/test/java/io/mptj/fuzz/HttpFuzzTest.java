package io.mptj.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Json;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.SavedRun;
import io.mptj.serve.PromptServer;
import io.mptj.serve.ServeLimits;
import io.mptj.testing.Cli;
import io.mptj.testing.ToyTasks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing the HTTP API with jqwik: random methods on every path, with bodies that are valid
 * requests mutated field by field, garbled text, wrong JSON types, traversal paths and oversized
 * batches. Every answer is a status the API documents (never 500), within a deadline; afterwards
 * the server is healthy, answers a valid request, and no file was written under the work folder.
 */
class HttpFuzzTest {

  static Path work;
  static Context ctx;
  static SavedRun run;
  static PromptServer server;
  static HttpClient client;
  static Set<String> filesBefore;
  static final Set<Integer> DOCUMENTED = Set.of(200, 201, 400, 403, 404, 405, 409, 413, 429, 504);
  static final List<String> PATHS =
      List.of(
          "/v1/predict",
          "/predict",
          "/v1/tasks",
          "/v1/tasks/toy/http",
          "/v1/tasks/toy",
          "/v1/tasks/../../etc",
          "/v1/tasks/%2e%2e%2f",
          "/health",
          "/ready",
          "/metrics",
          "/openapi.json",
          "/",
          "/v2/nothing");
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD");
  static String valid;

  @BeforeContainer
  static void setUp() throws Exception {
    work = Files.createTempDirectory("mptj-http-fuzz-");
    Path model = TinyBert.writeRandom(work.resolve("bert"), 5);
    String task =
        ToyTasks.task(work.resolve("data"), "toy/http", ToyTasks.POS, ToyTasks.NEG, 2).reference();
    Path out = work.resolve("adapters/run");
    Cli.Result r = Cli.run(Cli.tinyAdapt(model, work.resolve("data"), task, 2, 2, out));
    assertEquals(0, r.rc(), r.err());
    ctx = new Context(Backbones.load(model.toString()), work.resolve("data"), false);
    run = SavedRun.open(out, ctx);
    server =
        new PromptServer(
            List.of(run), "127.0.0.1", 0, ServeLimits.defaults(), ctx, work.resolve("adapters"));
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    valid =
        "{\"task\": \"toy/http\", \"inputs\": [{\"text\": \"good day\"}, {\"text\": \"bad day\"}]}";
    filesBefore = files();
  }

  @AfterContainer
  static void tearDown() throws Exception {
    try {
      assertEquals(200, send("GET", "/health", null).statusCode(), "alive after the fuzzing");
      HttpResponse<String> ok = send("POST", "/v1/predict", valid);
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(filesBefore, files(), "no file written or removed under the work folder");
    } finally {
      server.close();
      run.close();
      ctx.close();
      try (Stream<Path> all = Files.walk(work)) {
        for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static Set<String> files() throws java.io.IOException {
    try (Stream<Path> all = Files.walk(work)) {
      return new TreeSet<>(all.map(p -> work.relativize(p).toString()).toList());
    }
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(30));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One random request: its answer is a documented status with a JSON error when refused. */
  @Property
  void everyRequestGetsADocumentedAnswer(@ForAll long seed) throws Exception {
    Random rng = new Random(seed);
    String method = METHODS.get(rng.nextInt(METHODS.size()));
    String path = PATHS.get(rng.nextInt(PATHS.size()));
    String body = body(rng);
    HttpResponse<String> r;
    try {
      r = send(method, path, body);
    } catch (IllegalArgumentException e) {
      return; // the client itself refuses this request line: nothing reached the server
    }
    assertTrue(
        DOCUMENTED.contains(r.statusCode()),
        method + " " + path + " " + abbreviated(body) + " -> " + r.statusCode() + " " + r.body());
    if ("DELETE".equals(method) && path.equals("/v1/tasks/toy/http") && r.statusCode() == 200) {
      HttpResponse<String> back = send("PUT", path, "{\"run\": \"run\"}");
      assertEquals(201, back.statusCode(), "served again: " + back.body());
    }
    if (r.statusCode() >= 400 && !"HEAD".equals(method)) {
      assertTrue(
          Json.MAPPER.readTree(r.body()).path("error").isTextual(),
          "a refusal says why in JSON: " + r.body());
    }
  }

  private static String abbreviated(String s) {
    return s == null ? "(no body)" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  private static String body(Random rng) throws Exception {
    return switch (rng.nextInt(8)) {
      case 0 -> null;
      case 1 -> Mutations.text(valid, rng);
      case 2 -> Mutations.json((ObjectNode) Json.MAPPER.readTree(valid), rng, 3);
      case 3 -> {
        ObjectNode o = (ObjectNode) Json.MAPPER.readTree(valid);
        var inputs = o.putArray("inputs");
        for (int i = 0, n = rng.nextInt(3); i < n; i++) {
          ObjectNode row = inputs.addObject();
          row.set(rng.nextBoolean() ? "text" : "t" + i, Mutations.oddValue(rng));
        }
        yield o.toString();
      }
      case 4 ->
          "{\"run\": \""
              + List.of("run", "../bert", "/etc", "", "run/../..").get(rng.nextInt(5))
              + "\"}";
      case 5 ->
          "{\"peft\": \""
              + List.of("run", "..", "../bert", "nope").get(rng.nextInt(4))
              + "\", \"tasks\": "
              + Mutations.oddValue(rng)
              + "}";
      case 6 ->
          "{\"inputs\": ["
              + "{\"task\": \"toy/http\", \"text\": \"a\"},".repeat(rng.nextInt(80))
              + "{\"task\": \""
              + List.of("toy/http", "x", "").get(rng.nextInt(3))
              + "\", \"text\": \"b\"}]}";
      default -> {
        byte[] junk = new byte[rng.nextInt(64)];
        rng.nextBytes(junk);
        yield new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    };
  }
}
