package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Run directories written by the layout before tuning methods became plug-ins (mptj at commit
 * 9146ff0: {@code config.json} with the flat 21-field {@code hyper}, the PEFT adapter, heads) load
 * unchanged and predict exactly what that version predicted. The runs were trained on the bundled
 * MiniLM over a toy user task (resources {@code legacy/}); their {@code tasks.json} names the task
 * spec by the absolute path it had there, so the test relocates only that path.
 */
class LegacyRunDirTest {

  private static final String ROOT = "/io/mptj/pipeline/legacy/";

  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"mpt", "pt"})
  void aRunOfThePreviousLayoutPredictsAsItDidThen(String run) throws IOException {
    Path data = work.resolve("data");
    Path taskDir = data.resolve("toy/legacy");
    for (String f : List.of("task.yaml", "toy-train.jsonl", "toy-dev.jsonl")) {
      copy("data/toy/legacy/" + f, taskDir.resolve(f));
    }
    Path dir = work.resolve(run);
    for (String f :
        List.of(
            "config.json",
            "adapter_config.json",
            "adapter_model.safetensors",
            "heads.safetensors",
            "metrics.json")) {
      copy(run + "/" + f, dir.resolve(f));
    }
    Files.writeString(
        dir.resolve("tasks.json"), "[\"" + taskDir.resolve("task.yaml").toAbsolutePath() + "\"]");
    ObjectMapper json = new ObjectMapper();
    List<Map<String, String>> inputs = new ArrayList<>();
    List<JsonNode> expected = new ArrayList<>();
    for (String line : lines("in.jsonl")) {
      inputs.add(Map.of("text", json.readTree(line).get("text").asText()));
    }
    for (String line : lines(run + ".predictions.jsonl")) {
      expected.add(json.readTree(line));
    }
    try (SavedRun saved = SavedRun.open(dir, "minilm", data)) {
      List<Map<String, Object>> got = saved.predict(null, inputs);
      for (int i = 0; i < inputs.size(); i++) {
        assertEquals(expected.get(i).get("label").asText(), got.get(i).get("label"), "label " + i);
        @SuppressWarnings("unchecked")
        Map<String, Float> scores = (Map<String, Float>) got.get(i).get("scores");
        Iterator<Map.Entry<String, JsonNode>> it = expected.get(i).get("scores").fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          assertEquals(
              e.getValue().asDouble(), scores.get(e.getKey()), 1e-5, "score " + e.getKey());
        }
      }
      double then =
          json.readTree(dir.resolve("metrics.json").toFile()).get("test").get("score").asDouble();
      assertEquals(
          then,
          ((Number) saved.evaluate("test").get("toy/legacy").get("score")).doubleValue(),
          1e-9);
    }
  }

  private static void copy(String resource, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    try (InputStream in = LegacyRunDirTest.class.getResourceAsStream(ROOT + resource)) {
      if (in == null) {
        throw new IOException("missing test resource " + ROOT + resource);
      }
      Files.copy(in, to);
    }
  }

  private static List<String> lines(String resource) throws IOException {
    try (InputStream in = LegacyRunDirTest.class.getResourceAsStream(ROOT + resource)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank())
          .toList();
    }
  }
}
