package io.mptj.cli;

import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.engine.Json;
import io.mptj.pipeline.Context;
import io.mptj.pipeline.SavedRun;
import io.mptj.serve.PromptServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mptj serve}: an HTTP server for the task prompts of one or more runs on one backbone. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the task prompts of finished runs on one frozen backbone over HTTP:",
      "POST /v1/predict {\"task\": T, \"inputs\": [{fields}]} or {\"batch\": [{\"task\": T,",
      "\"input\": {fields}}]}, GET /v1/tasks, /health, /ready, /metrics, /openapi.json."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--run",
      required = true,
      description = "run directories to serve (repeat the flag)")
  List<Path> runs;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "port (default: ${DEFAULT-VALUE}; 0 picks one)")
  int port;

  @Option(
      names = "--max-batch",
      defaultValue = "64",
      description = "most inputs per forward pass (default: ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(
      names = "--queue",
      defaultValue = "256",
      description = "requests that may wait; more get 429 (default: ${DEFAULT-VALUE})")
  int queue;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "1048576",
      description = "largest request body; larger get 413 (default: ${DEFAULT-VALUE})")
  int maxBody;

  @Option(
      names = "--max-inputs",
      defaultValue = "64",
      description = "most inputs in one request; more get 413 (default: ${DEFAULT-VALUE})")
  int maxInputs;

  @Option(
      names = "--max-input-chars",
      defaultValue = "20000",
      description =
          "most characters in one input; more get 413, fewer are truncated to the run's"
              + " token cap as in training (default: ${DEFAULT-VALUE})")
  int maxInputChars;

  @Option(
      names = "--max-wait-ms",
      defaultValue = "5",
      description = "how long a batch waits for more requests (default: ${DEFAULT-VALUE})")
  int maxWait;

  @Option(
      names = "--deadline-ms",
      defaultValue = "30000",
      description =
          "how long a request may wait for its answer; then 504 (default: ${DEFAULT-VALUE})")
  int deadline;

  @Option(
      names = "--fuse",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "run the rows of prompt-only runs (pt, spot, mpt, ulpt) with the same prompt length in"
              + " one forward pass; --no-fuse gives each run its own (default: ${DEFAULT-VALUE})")
  boolean fuse;

  @Option(
      names = "--adapter-root",
      description =
          "folder under which PUT /v1/tasks/{name} {\"run\": DIR} may load run directories"
              + " (none: adapters are fixed at start)")
  Path adapterRoot;

  @Override
  public Integer call() throws Exception {
    String backboneId = SavedRun.backboneOf(runs.getFirst());
    try (Backbone backbone = Backbones.load(backboneId)) {
      Context ctx = new Context(backbone, null, false);
      List<SavedRun> saved = new ArrayList<>();
      for (Path run : runs) {
        if (!SavedRun.backboneOf(run).equals(backboneId)) {
          throw new IllegalArgumentException(
              run + " was trained on " + SavedRun.backboneOf(run) + ", not " + backboneId);
        }
        saved.add(SavedRun.open(run, ctx));
      }
      var limits =
          new io.mptj.serve.ServeLimits(
              queue, maxBody, maxInputs, maxInputChars, maxBatch, maxWait, deadline, fuse);
      try (PromptServer server = new PromptServer(saved, host, port, limits, ctx, adapterRoot)) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      server.close(); // drains queued and in-flight requests
                      stop.countDown();
                    }));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("url", "http://" + host + ":" + server.port());
        line.put("backbone", backboneId);
        line.put(
            "tasks", saved.stream().flatMap(r -> r.tasks().stream().map(t -> t.name())).toList());
        System.out.println(Json.line(line));
        stop.await();
      } finally {
        saved.forEach(SavedRun::close);
      }
    }
    return 0;
  }
}
