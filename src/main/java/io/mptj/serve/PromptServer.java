package io.mptj.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mptj.engine.Json;
import io.mptj.pipeline.SavedRun;
import io.mptj.task.Task;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Serves many task prompts on one frozen backbone over HTTP: {@code POST /predict} with {@code
 * {"task": T, "inputs": [{field: text, ...}, ...]}}, {@code GET /tasks}, {@code GET /health}.
 *
 * <p>Requests are accepted on virtual threads and queued; one model thread drains the queue, groups
 * the waiting requests by run and task, and predicts each group as one batch, so concurrent callers
 * of the same task share forward passes (and the native engine is used from one thread only).
 */
public final class PromptServer implements AutoCloseable {

  private static final ObjectMapper JSON = Json.MAPPER;

  private record Work(
      String task,
      List<Map<String, String>> inputs,
      CompletableFuture<List<Map<String, Object>>> result) {}

  private final Map<String, SavedRun> byTask = new LinkedHashMap<>();
  private final BlockingQueue<Work> queue = new LinkedBlockingQueue<>();
  private final HttpServer http;
  private final Thread model;
  private final int maxBatch;
  private volatile boolean running = true;

  /**
   * Starts serving.
   *
   * @param runs finished runs on one backbone; each of their tasks is served (a task name in two
   *     runs is an error)
   * @param port TCP port on {@code host} (0 picks a free one)
   * @param maxBatch most inputs predicted in one batch
   */
  public PromptServer(List<SavedRun> runs, String host, int port, int maxBatch) throws IOException {
    for (SavedRun run : runs) {
      for (Task t : run.tasks()) {
        if (byTask.putIfAbsent(t.name(), run) != null) {
          throw new IllegalArgumentException(
              "task " + t.name() + " is served by two runs; pass one of them");
        }
      }
    }
    this.maxBatch = maxBatch;
    this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/predict", this::predict);
    http.createContext(
        "/tasks", ex -> reply(ex, 200, Map.of("tasks", List.copyOf(byTask.keySet()))));
    http.createContext("/health", ex -> reply(ex, 200, Map.of("status", "ok")));
    this.model = Thread.ofPlatform().name("mptj-model").start(this::serveLoop);
    http.start();
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  private void predict(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      reply(ex, 405, Map.of("error", "POST a JSON body {\"task\": ..., \"inputs\": [...]}"));
      return;
    }
    Work work;
    try {
      work = parse(JSON.readTree(ex.getRequestBody()));
    } catch (IOException | IllegalArgumentException e) {
      reply(ex, 400, Map.of("error", String.valueOf(e.getMessage())));
      return;
    }
    queue.add(work);
    try {
      reply(
          ex,
          200,
          Map.of("task", work.task(), "predictions", work.result().get(5, TimeUnit.MINUTES)));
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      reply(ex, 500, Map.of("error", String.valueOf(cause.getMessage())));
    }
  }

  private Work parse(JsonNode body) {
    if (body == null
        || !body.isObject()
        || !body.path("task").isTextual()
        || !body.path("inputs").isArray()) {
      throw new IllegalArgumentException(
          "expected {\"task\": NAME, \"inputs\": [{field: text, ...}, ...]}");
    }
    String task = body.get("task").asText();
    if (!byTask.containsKey(task)) {
      throw new IllegalArgumentException("unknown task " + task + "; served: " + byTask.keySet());
    }
    List<Map<String, String>> inputs = new ArrayList<>();
    for (JsonNode in : body.get("inputs")) {
      if (!in.isObject()) {
        throw new IllegalArgumentException(
            "input " + inputs.size() + " is not an object of the task's fields");
      }
      Map<String, String> fields = new LinkedHashMap<>();
      in.fields()
          .forEachRemaining(
              f ->
                  fields.put(
                      f.getKey(),
                      f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString()));
      inputs.add(fields);
    }
    return new Work(task, inputs, new CompletableFuture<>());
  }

  /**
   * The model thread: waits for work, then predicts everything queued for one task as one batch.
   */
  private void serveLoop() {
    while (running) {
      try {
        Work first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          runBatch(first);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void runBatch(Work first) {
    List<Work> group = new ArrayList<>(List.of(first));
    int size = first.inputs().size();
    for (Work w : List.copyOf(queue)) {
      if (w.task().equals(first.task())
          && size + w.inputs().size() <= maxBatch
          && queue.remove(w)) {
        group.add(w);
        size += w.inputs().size();
      }
    }
    List<Map<String, String>> all = new ArrayList<>();
    group.forEach(w -> all.addAll(w.inputs()));
    try {
      List<Map<String, Object>> out = byTask.get(first.task()).predict(first.task(), all);
      int at = 0;
      for (Work w : group) {
        w.result().complete(out.subList(at, at + w.inputs().size()));
        at += w.inputs().size();
      }
    } catch (RuntimeException e) {
      group.forEach(w -> w.result().completeExceptionally(e));
    }
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    running = false;
    http.stop(0);
    model.interrupt();
  }
}
