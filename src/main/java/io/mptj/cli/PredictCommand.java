package io.mptj.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.pipeline.SavedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mptj predict}: labels new inputs with a finished run. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Predict with a run directory. The input is JSONL, one object per line with the task's fields",
      "(e.g. {\"sentence1\": ..., \"sentence2\": ...} for glue/RTE); one JSON line is printed per input."
    })
final class PredictCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, description = "a run directory")
  Path run;

  @Option(names = "--input", required = true, description = "JSONL file of inputs")
  Path input;

  @Option(names = "--task", description = "which task, for runs with several")
  String task;

  @Option(names = "--backbone", description = "override the run's backbone")
  String backbone;

  @Override
  public Integer call() throws IOException {
    List<Map<String, String>> inputs = read(input);
    try (SavedRun saved = EvalCommand.open(run, backbone, null)) {
      for (Map<String, Object> p : saved.predict(task, inputs)) {
        System.out.println(Json.line(p));
      }
    }
    return 0;
  }

  /** Reads JSONL inputs, naming the file and line of a malformed one. */
  static List<Map<String, String>> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such input file: " + file);
    }
    List<Map<String, String>> out = new ArrayList<>();
    int line = 0;
    for (String text : Files.readAllLines(file)) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(text);
      } catch (IOException e) {
        throw new IOException(file + ":" + line + ": not valid JSON: " + e.getMessage());
      }
      if (node == null || !node.isObject()) {
        throw new IOException(file + ":" + line + ": expected a JSON object of the task's fields");
      }
      Map<String, String> fields = new LinkedHashMap<>();
      node.fields()
          .forEachRemaining(
              e ->
                  fields.put(
                      e.getKey(),
                      e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
      out.add(fields);
    }
    return out;
  }
}
