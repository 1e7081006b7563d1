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
      "POST /predict {\"task\": T, \"inputs\": [{fields}]}, GET /tasks, GET /health."
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
      try (PromptServer server = new PromptServer(saved, host, port, maxBatch)) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("url", "http://" + host + ":" + server.port());
        line.put("backbone", backboneId);
        line.put(
            "tasks", saved.stream().flatMap(r -> r.tasks().stream().map(t -> t.name())).toList());
        System.out.println(Json.line(line));
        new CountDownLatch(1).await();
      } finally {
        saved.forEach(SavedRun::close);
      }
    }
    return 0;
  }
}
