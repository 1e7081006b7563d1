package io.mptj.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mptj.engine.Json;
import io.mptj.engine.NativeMemory;
import io.mptj.pipeline.FusedRuns;
import io.mptj.pipeline.SavedRun;
import io.mptj.task.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Serves many task prompts on one frozen backbone over HTTP. {@code POST /v1/predict} takes {@code
 * {"task": T, "inputs": [{field: text, ...}, ...]}} or the batch form {@code {"batch": [{"task": T,
 * "input": {field: text}}, ...]}}; {@code GET /v1/tasks} lists the tasks with their label spaces,
 * method and parameter counts; {@code GET /health} (live), {@code /ready} (model loaded), {@code
 * /metrics} (Prometheus text) and {@code /openapi.json}. The unversioned {@code /predict} and
 * {@code /tasks} of earlier releases answer as before.
 *
 * <p>Requests are accepted on virtual threads into a bounded queue (429 with {@code Retry-After}
 * when full). One model thread takes the first waiting request, waits up to {@link
 * ServeLimits#maxWaitMillis()} for more, gathers every waiting request of every task up to {@link
 * ServeLimits#maxBatch()} inputs, and predicts each run's rows as one mixed batch: rows carry their
 * task id, so the tasks of one run share a forward pass. A request past its deadline is answered
 * 504 and skipped if the model thread has not reached it; a batch that fails is retried request by
 * request, so that one bad input fails only its own request.
 */
public final class PromptServer implements AutoCloseable {

  private static final ObjectMapper JSON = Json.MAPPER;

  /** A client's mistake, answered with {@code status} and a message naming the field. */
  private static final class Refusal extends RuntimeException {
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private record Work(
      List<SavedRun.Query> queries,
      List<SavedRun> runs,
      CompletableFuture<List<Map<String, Object>>> result) {}

  private final Map<String, SavedRun> byTask =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());

  /** Held to parse and enqueue a request; held exclusively to remove a task's run. */
  private final java.util.concurrent.locks.ReadWriteLock tasksLock =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  /** Runs no longer served, closed by the model thread once no queued request needs them. */
  private final java.util.Queue<SavedRun> retired =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Runs this server opened (by PUT), which it closes; the constructor's are the caller's. */
  private final java.util.Set<SavedRun> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Bumped whenever the served runs change, so the model thread rebuilds its lanes. */
  private final java.util.concurrent.atomic.AtomicInteger runsVersion =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The model thread's: runs that share a forward pass, by run; rebuilt when runs change. */
  private final Map<SavedRun, FusedRuns> lanes = new java.util.IdentityHashMap<>();

  private int lanesVersion = -1;

  private final io.mptj.pipeline.Context context;
  private final java.nio.file.Path adapterRoot;
  private final java.util.concurrent.atomic.AtomicInteger imports =
      new java.util.concurrent.atomic.AtomicInteger();
  private java.nio.file.Path scratch; // PEFT imports, created on the first one
  private final BlockingQueue<Work> queue;
  private final ServeLimits limits;
  private final ServeMetrics metrics;
  private final HttpServer http;
  private final Thread model;
  private volatile boolean running = true;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Starts serving with the default limits and a batch of {@code maxBatch} inputs. */
  public PromptServer(List<SavedRun> runs, String host, int port, int maxBatch) throws IOException {
    this(runs, host, port, ServeLimits.defaults().withMaxBatch(maxBatch), null, null);
  }

  /**
   * Starts serving.
   *
   * @param runs finished runs on one backbone; each of their tasks is served (a task name in two
   *     runs is an error)
   * @param port TCP port on {@code host} (0 picks a free one)
   */
  public PromptServer(
      List<SavedRun> runs,
      String host,
      int port,
      ServeLimits limits,
      io.mptj.pipeline.Context context,
      java.nio.file.Path adapterRoot)
      throws IOException {
    this.context = context;
    this.adapterRoot = adapterRoot == null ? null : adapterRoot.toAbsolutePath().normalize();
    for (SavedRun run : runs) {
      for (Task t : run.tasks()) {
        if (byTask.putIfAbsent(t.name(), run) != null) {
          throw new IllegalArgumentException(
              "task " + t.name() + " is served by two runs; pass one of them");
        }
      }
    }
    this.limits = limits;
    this.queue = new ArrayBlockingQueue<>(limits.queueCapacity());
    this.metrics = new ServeMetrics(queue::size, NativeMemory::residentBytes);
    this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/v1/predict", ex -> handle(ex, "predict", this::predict));
    http.createContext("/predict", ex -> handle(ex, "predict", this::predict));
    http.createContext("/v1/tasks", ex -> handle(ex, "tasks", this::tasks));
    http.createContext(
        "/tasks", ex -> handle(ex, "tasks", e -> json(200, Map.of("tasks", taskNames()))));
    http.createContext("/health", ex -> handle(ex, "health", e -> json(200, status("ok"))));
    http.createContext(
        "/ready",
        ex -> handle(ex, "ready", e -> running ? json(200, status("ready")) : notReady()));
    http.createContext("/metrics", ex -> handle(ex, "metrics", e -> metricsReply()));
    http.createContext("/openapi.json", ex -> handle(ex, "openapi", e -> openApi()));
    http.createContext( // every other path: a JSON 404, as every other refusal
        "/",
        ex ->
            handle(
                ex,
                "unknown",
                e -> {
                  throw new Refusal(
                      404, "no endpoint " + e.getRequestURI().getPath() + "; see /openapi.json");
                }));
    this.model = Thread.ofPlatform().name("mptj-model").start(this::serveLoop);
    http.start();
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  private record Reply(int status, byte[] body, String type, Map<String, String> headers) {}

  @FunctionalInterface
  private interface Handler {
    Reply apply(HttpExchange ex) throws IOException;
  }

  private void handle(HttpExchange ex, String kind, Handler handler) throws IOException {
    long start = System.nanoTime();
    Reply reply;
    String outcome = kind;
    try {
      reply = handler.apply(ex);
    } catch (Refusal r) {
      reply = json(r.status, Map.of("error", String.valueOf(r.getMessage())));
      outcome = kind + "_refused";
    } catch (RuntimeException e) {
      reply = json(500, Map.of("error", String.valueOf(e.getMessage())));
      outcome = kind + "_failed";
    }
    metrics.answered(reply.status(), outcome, System.nanoTime() - start);
    reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.getResponseHeaders().set("Content-Type", reply.type());
    try {
      ex.sendResponseHeaders(reply.status(), reply.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(reply.body());
      }
    } catch (IOException gone) {
      // the client left before its answer: nothing to tell it, nobody else is affected
    } finally {
      ex.close();
    }
  }

  private Reply predict(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      throw new Refusal(405, "POST a JSON body {\"task\": ..., \"inputs\": [...]}");
    }
    JsonNode request = readBody(ex);
    Work work;
    boolean queued;
    tasksLock.readLock().lock();
    try {
      work = parse(request);
      if (!running) {
        throw new Refusal(503, "the server is shutting down");
      }
      queued = queue.offer(work);
    } finally {
      tasksLock.readLock().unlock();
    }
    if (!queued) {
      return new Reply(
          429,
          bytes(Map.of("error", "the queue is full (" + limits.queueCapacity() + " requests)")),
          "application/json",
          Map.of("Retry-After", "1"));
    }
    try {
      List<Map<String, Object>> out =
          work.result().get(limits.deadlineMillis(), TimeUnit.MILLISECONDS);
      Map<String, Object> body = new LinkedHashMap<>();
      String task = work.queries().getFirst().task();
      if (work.queries().stream().allMatch(q -> q.task().equals(task))) {
        body.put("task", task);
      }
      body.put("predictions", out);
      return json(200, body);
    } catch (TimeoutException e) {
      work.result().cancel(false);
      queue.remove(work);
      throw new Refusal(504, "no answer within the deadline of " + limits.deadlineMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refusal(503, "interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new Refusal(
          cause instanceof IllegalArgumentException ? 400 : 500,
          String.valueOf(cause.getMessage()));
    }
  }

  private JsonNode readBody(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(limits.maxBodyBytes() + 1);
    }
    if (body.length > limits.maxBodyBytes()) {
      throw new Refusal(413, "the body is over " + limits.maxBodyBytes() + " bytes");
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new Refusal(
          400,
          "the body is not JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                      + " at line "
                      + j.getLocation().getLineNr()
                      + ", column "
                      + j.getLocation().getColumnNr()
                  : e.getMessage()));
    }
  }

  private Work parse(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new Refusal(400, "expected a JSON object {\"task\": NAME, \"inputs\": [...]}");
    }
    List<SavedRun.Query> queries = new ArrayList<>();
    if (body.has("batch")) {
      JsonNode batch = body.get("batch");
      if (!batch.isArray()) {
        throw new Refusal(400, "field \"batch\" must be an array of {\"task\", \"input\"}");
      }
      for (JsonNode item : batch) {
        String where = "batch[" + queries.size() + "]";
        countCheck(queries.size() + 1);
        queries.add(
            new SavedRun.Query(
                task(item.path("task"), where), fields(item.path("input"), where + ".input")));
      }
    } else {
      String task = task(body.path("task"), "task");
      JsonNode inputs = body.path("inputs");
      if (!inputs.isArray()) {
        throw new Refusal(400, "field \"inputs\" must be an array of {field: text} objects");
      }
      countCheck(inputs.size());
      for (JsonNode in : inputs) {
        queries.add(new SavedRun.Query(task, fields(in, "inputs[" + queries.size() + "]")));
      }
    }
    if (queries.isEmpty()) {
      throw new Refusal(400, "no inputs");
    }
    List<SavedRun> runs = queries.stream().map(q -> byTask.get(q.task())).toList();
    return new Work(queries, runs, new CompletableFuture<>());
  }

  private String task(JsonNode node, String where) {
    if (!node.isTextual()) {
      throw new Refusal(400, "field \"" + where + "\" must be a task name (a string)");
    }
    if (!byTask.containsKey(node.asText())) {
      throw new Refusal(404, "unknown task " + node.asText() + "; served: " + taskNames());
    }
    return node.asText();
  }

  private void countCheck(int n) {
    if (n > limits.maxInputs()) {
      throw new Refusal(413, "over " + limits.maxInputs() + " inputs in one request");
    }
  }

  private Map<String, String> fields(JsonNode in, String where) {
    if (!in.isObject()) {
      throw new Refusal(400, "field \"" + where + "\" must be an object of the task's fields");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    int chars = 0;
    for (var it = in.fields(); it.hasNext(); ) {
      var f = it.next();
      String v = f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString();
      chars += v.length();
      fields.put(f.getKey(), v);
    }
    if (chars > limits.maxInputChars()) {
      throw new Refusal(
          413,
          "field \"" + where + "\" has " + chars + " characters, over " + limits.maxInputChars());
    }
    return fields;
  }

  /** The model thread: waits for work, gathers what waits (any task), predicts it. */
  private void serveLoop() {
    try {
      while (running || !queue.isEmpty()) {
        try {
          Work first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          List<Work> group = gather(first);
          runGroup(group);
          closeRetired();
        } catch (InterruptedException e) {
          if (!running) {
            drainNow();
            return;
          }
        }
      }
    } finally {
      new java.util.HashSet<>(lanes.values()).forEach(FusedRuns::close);
      lanes.clear();
    }
  }

  private List<Work> gather(Work first) throws InterruptedException {
    List<Work> group = new ArrayList<>(List.of(first));
    int size = first.queries().size();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.maxWaitMillis());
    while (size < limits.maxBatch()) {
      long left = until - System.nanoTime();
      Work next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
      if (next == null) {
        break;
      }
      group.add(next);
      size += next.queries().size();
    }
    return group;
  }

  private void drainNow() {
    List<Work> rest = new ArrayList<>();
    queue.drainTo(rest);
    if (!rest.isEmpty()) {
      runGroup(rest);
    }
  }

  /**
   * Predicts a group: per lane (runs fused into one pass, or a run alone), all its rows as one
   * mixed batch; a failure is retried input by input.
   */
  private void runGroup(List<Work> group) {
    refreshLanes();
    List<Work> live = group.stream().filter(w -> !w.result().isDone()).toList();
    Map<Object, List<int[]>> rowsByLane = new LinkedHashMap<>();
    for (int w = 0; w < live.size(); w++) {
      List<SavedRun> runs = live.get(w).runs();
      for (int q = 0; q < runs.size(); q++) {
        FusedRuns fused = lanes.get(runs.get(q));
        Object lane = fused != null ? fused : runs.get(q);
        rowsByLane.computeIfAbsent(lane, r -> new ArrayList<>()).add(new int[] {w, q});
      }
    }
    List<Map<String, Object>[]> answers = new ArrayList<>();
    for (Work w : live) {
      @SuppressWarnings("unchecked")
      Map<String, Object>[] a = new Map[w.queries().size()];
      answers.add(a);
    }
    boolean[] failed = new boolean[live.size()];
    rowsByLane.forEach(
        (lane, rows) -> {
          try {
            SavedRun.Answers out = predictLane(lane, rows, live);
            metrics.batch(rows.size(), out.tokens());
            for (int i = 0; i < rows.size(); i++) {
              answers.get(rows.get(i)[0])[rows.get(i)[1]] = out.predictions().get(i);
            }
          } catch (RuntimeException e) {
            rows.forEach(r -> failed[r[0]] = true);
          }
        });
    for (int w = 0; w < live.size(); w++) {
      if (failed[w]) {
        retryAlone(live.get(w)); // each input on its own, so a bad one fails only its request
      } else {
        live.get(w).result().complete(List.of(answers.get(w)));
      }
    }
  }

  private static SavedRun.Answers predictLane(Object lane, List<int[]> rows, List<Work> live) {
    if (lane instanceof FusedRuns fused) {
      return fused.predict(
          rows.stream()
              .map(
                  r ->
                      new FusedRuns.Query(
                          live.get(r[0]).runs().get(r[1]), live.get(r[0]).queries().get(r[1])))
              .toList());
    }
    return ((SavedRun) lane)
        .predictMixed(rows.stream().map(r -> live.get(r[0]).queries().get(r[1])).toList());
  }

  /**
   * Regroups the served runs into lanes after a PUT or DELETE (model thread only, so no run is
   * closed while a lane is built from it); runs retired since are served alone until closed.
   */
  private void refreshLanes() {
    int version = runsVersion.get();
    if (version == lanesVersion) {
      return;
    }
    new java.util.HashSet<>(lanes.values()).forEach(FusedRuns::close);
    lanes.clear();
    lanesVersion = version;
    if (!limits.fuseRuns()) {
      return;
    }
    List<SavedRun> served;
    synchronized (byTask) {
      served = byTask.values().stream().distinct().toList();
    }
    for (List<SavedRun> g : FusedRuns.groups(served)) {
      if (g.size() > 1) {
        FusedRuns fused = FusedRuns.of(g);
        g.forEach(r -> lanes.put(r, fused));
      }
    }
  }

  private void retryAlone(Work w) {
    try {
      List<Map<String, Object>> out = new ArrayList<>();
      for (int i = 0; i < w.queries().size(); i++) {
        out.addAll(w.runs().get(i).predictMixed(List.of(w.queries().get(i))).predictions());
      }
      w.result().complete(out);
    } catch (RuntimeException e) {
      w.result().completeExceptionally(e);
    }
  }

  /**
   * {@code GET /v1/tasks}; {@code PUT /v1/tasks/{name}} with {@code {"run": DIR}} (a run directory
   * under {@code --adapter-root}) serves the run's tasks, one of which is {@code name}; {@code
   * DELETE /v1/tasks/{name}} stops serving the run of {@code name} (all its tasks) once the
   * requests already queued for it are answered.
   */
  private Reply tasks(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String name =
        path.length() > "/v1/tasks/".length() ? path.substring("/v1/tasks/".length()) : "";
    return switch (ex.getRequestMethod()) {
      case "GET" -> json(200, describeTasks());
      case "PUT" -> json(201, addRun(name, readBody(ex)));
      case "DELETE" -> json(200, removeRun(name));
      default -> throw new Refusal(405, "GET, PUT or DELETE");
    };
  }

  private Map<String, Object> addRun(String name, JsonNode body) {
    if (adapterRoot == null || context == null) {
      throw new Refusal(403, "adapters can be added only when the server has --adapter-root");
    }
    if (!name.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*") || name.contains("..")) {
      throw new Refusal(400, "task name '" + name + "' must be letters, digits, . _ - and /");
    }
    boolean peft = body != null && body.has("peft");
    String field = peft ? "peft" : "run";
    if (body == null || !body.path(field).isTextual()) {
      throw new Refusal(
          400,
          "field \"run\" (a run directory) or \"peft\" (a PEFT adapter directory) under the"
              + " adapter root is required");
    }
    java.nio.file.Path dir = underRoot(field, body.get(field).asText());
    SavedRun run;
    try {
      run = SavedRun.open(peft ? importPeft(name, dir, body) : dir, context);
    } catch (RuntimeException e) {
      throw new Refusal(400, "field \"" + field + "\": " + e.getMessage());
    }
    List<String> names = run.tasks().stream().map(Task::name).toList();
    tasksLock.writeLock().lock();
    try {
      String clash = names.stream().filter(byTask::containsKey).findFirst().orElse(null);
      if (!names.contains(name) || clash != null) {
        run.close();
        throw new Refusal(
            409,
            clash != null
                ? "task " + clash + " is already served; DELETE it first"
                : field + " " + body.get(field).asText() + " has tasks " + names + ", not " + name);
      }
      names.forEach(t -> byTask.put(t, run));
      owned.add(run);
      runsVersion.incrementAndGet();
    } finally {
      tasksLock.writeLock().unlock();
    }
    return Map.of("added", names);
  }

  /** A directory under the adapter root, or a 400 naming the field (no path leaves the root). */
  private java.nio.file.Path underRoot(String field, String given) {
    java.nio.file.Path dir = adapterRoot.resolve(given).normalize();
    if (!dir.startsWith(adapterRoot) || !java.nio.file.Files.isDirectory(dir)) {
      throw new Refusal(
          400, "field \"" + field + "\": no directory " + given + " under the adapter root");
    }
    return dir;
  }

  /**
   * A PEFT adapter as a run directory in this server's own scratch folder (deleted on close), as
   * {@code mptj adapter import} writes it: on the served backbone, for the tasks of field {@code
   * tasks} (PEFT's task-id order; default: the one task {@code name}).
   */
  private java.nio.file.Path importPeft(String name, java.nio.file.Path peft, JsonNode body) {
    java.nio.file.Path base =
        io.mptj.backbone.Backbones.directoryOf(context.backbone().id())
            .orElseThrow(
                () ->
                    new Refusal(
                        400,
                        "field \"peft\": the served backbone "
                            + context.backbone().id()
                            + " is bundled, not a model directory; PEFT prompt adapters are for"
                            + " seq2seq models loaded from a directory"));
    List<String> refs = new java.util.ArrayList<>();
    if (body.has("tasks")) {
      if (!body.get("tasks").isArray() || body.get("tasks").isEmpty()) {
        throw new Refusal(400, "field \"tasks\" must be a non-empty list of task names");
      }
      body.get("tasks").forEach(t -> refs.add(t.asText()));
    } else {
      refs.add(name);
    }
    List<Task> tasks =
        refs.stream()
            .map(
                r ->
                    context.dataDir() == null
                        ? io.mptj.task.bench.TaskRegistry.get(r)
                        : io.mptj.task.bench.TaskRegistry.get(r, context.dataDir()))
            .toList();
    java.nio.file.Path out =
        scratch().resolve(name.replace('/', '_') + "-" + imports.incrementAndGet());
    io.mptj.pipeline.PeftImport.run(
        peft, base, context.backbone().id(), tasks, context.dataDir(), out);
    return out;
  }

  private synchronized java.nio.file.Path scratch() {
    try {
      if (scratch == null) {
        scratch = java.nio.file.Files.createTempDirectory("mptj-serve-peft-");
      }
      return scratch;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create a scratch folder for PEFT imports", e);
    }
  }

  private Map<String, Object> removeRun(String name) {
    SavedRun run;
    List<String> names;
    tasksLock.writeLock().lock();
    try {
      run = byTask.get(name);
      if (run == null) {
        throw new Refusal(404, "unknown task " + name);
      }
      names = run.tasks().stream().map(Task::name).toList();
      names.forEach(byTask::remove);
      retired.add(run);
      runsVersion.incrementAndGet();
    } finally {
      tasksLock.writeLock().unlock();
    }
    return Map.of("removed", names);
  }

  /** Closes the retired runs that no queued request needs (called by the model thread). */
  private void closeRetired() {
    for (var it = retired.iterator(); it.hasNext(); ) {
      SavedRun run = it.next();
      if (queue.stream().noneMatch(w -> w.runs().contains(run))) {
        it.remove();
        if (owned.remove(run)) {
          run.close();
        }
      }
    }
  }

  private Map<String, Object> describeTasks() {
    List<Map<String, Object>> tasks = new ArrayList<>();
    Map<String, SavedRun> now;
    synchronized (byTask) {
      now = new LinkedHashMap<>(byTask);
    }
    now.forEach(
        (name, run) -> {
          Task t =
              run.tasks().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
          Map<String, Object> d = new LinkedHashMap<>();
          d.put("name", name);
          d.put("kind", t.kind().toString().toLowerCase(java.util.Locale.ROOT));
          d.put("labels", t.labels());
          d.put("method", run.method());
          d.put("run", run.dir().getFileName().toString());
          d.put("prompt_length", run.promptLength());
          d.put("task_parameters", run.taskParameterCount(name));
          tasks.add(d);
        });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "backbone",
        context != null
            ? context.backbone().id()
            : now.isEmpty() ? null : now.values().iterator().next().backbone().id());
    out.put("tasks", tasks);
    return out;
  }

  private List<String> taskNames() {
    synchronized (byTask) {
      return List.copyOf(byTask.keySet());
    }
  }

  private static Map<String, Object> status(String s) {
    return Map.of("status", s);
  }

  private Reply notReady() {
    return json(503, status("shutting down"));
  }

  private Reply metricsReply() {
    return new Reply(
        200,
        metrics.render().getBytes(StandardCharsets.UTF_8),
        "text/plain; version=0.0.4",
        Map.of());
  }

  private Reply openApi() throws IOException {
    try (InputStream in = PromptServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the build");
      }
      return new Reply(200, in.readAllBytes(), "application/json", Map.of());
    }
  }

  private static Reply json(int status, Object body) {
    return new Reply(status, bytes(body), "application/json", Map.of());
  }

  private static byte[] bytes(Object body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Graceful shutdown: new predictions are refused (503), queued and in-flight ones are answered,
   * then the listener stops (waiting up to 5 s for answers being written).
   */
  /** Idempotent: the shutdown hook and the caller's try-with-resources may both close. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    running = false;
    try {
      model.join(TimeUnit.MINUTES.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    model.interrupt();
    http.stop(5);
    owned.forEach(SavedRun::close);
    owned.clear();
    deleteScratch();
  }

  private synchronized void deleteScratch() {
    if (scratch == null) {
      return;
    }
    try (var files = java.nio.file.Files.walk(scratch)) {
      for (var f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      System.err.println("mptj serve: could not delete " + scratch + ": " + e.getMessage());
    }
  }
}
