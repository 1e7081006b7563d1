package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.method.PeftAdapter;
import io.mptj.task.Task;
import io.mptj.testing.T5Fixtures;
import io.mptj.testing.TestSettings;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three stages on the paper's backbone family, on every recorded T5 fixture and a random one of
 * {@link T5Fixtures}: each model with a word-level tokenizer written for the toy tasks' words
 * (within its vocabulary), text-to-text templates, rank classification of the label strings, and
 * top-k distillation.
 */
class T5PipelineTest {

  @TempDir Path work;

  static Stream<Named<Path>> fixtures() {
    return T5Fixtures.recordedAndOneRandom().stream()
        .map(d -> Named.of(d.getFileName().toString(), d));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void sourceDistillAdaptAndReloadOnT5(Path fixture) throws IOException {
    Path model = tinyT5WithTokenizer(fixture, work.resolve("t5"));
    int d =
        new ObjectMapper().readTree(fixture.resolve("config.json").toFile()).get("d_model").asInt();
    Path data = work.resolve("data");
    Task a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1);
    Task b = ToyTasks.task(data, "toy/b", ToyTasks.SPORT, ToyTasks.FOOD, 2);
    Task c = ToyTasks.task(data, "toy/c", ToyTasks.FOOD, ToyTasks.SPORT, 3);
    try (Context ctx = new Context(Backbones.load(model.toString()), data, false)) {
      assertTrue(ctx.backbone() instanceof Seq2SeqBackbone);
      Path source = work.resolve("source");
      SourceTraining.run(ctx, List.of(a, b), hyper(Stage.SOURCE, "pt", 12), source);
      Path distill = work.resolve("distill");
      Distillation.run(ctx, source, hyper(Stage.DISTILL, "mpt", 12, "teachers"), distill);
      assertTrue(Files.readString(distill.resolve("train_log.jsonl")).contains("distill_loss"));
      assertArrayEquals(new long[] {2, 1, d}, PeftAdapter.shapes(distill).get("prefix_task_rows"));
      assertEquals("SEQ_2_SEQ_LM", PeftAdapter.readConfig(distill).taskType());
      Path adapt = work.resolve("adapt");
      Map<String, Object> m =
          Adaptation.run(ctx, distill, List.of(c), 0, hyper(Stage.ADAPT, "mpt", 12), adapt);
      JsonNode metrics = new ObjectMapper().readTree(adapt.resolve("metrics.json").toFile());
      assertEquals(
          5 * d + (5 + d),
          metrics.get("params").get("task_specific").asLong(),
          "no head on T5: P·d + P + d");
      try (SavedRun saved = SavedRun.open(adapt, new Context(ctx.backbone(), data, false))) {
        assertEquals(
            ((Map<?, ?>) m.get("test")).get("score"),
            saved.evaluate("test").get(c.name()).get("score"));
        String label =
            (String)
                saved
                    .predict(null, List.of(Map.of("text", "rice tea soup")))
                    .getFirst()
                    .get("label");
        assertTrue(List.of("no", "yes").contains(label), label);
      }
    }
  }

  /**
   * The baselines that need no upstream run train on T5 through the pipeline (teacher forcing, rank
   * classification through the edited view) and a reloaded run scores what training recorded.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void baselinesTrainAndReloadOnT5(Path fixture) throws IOException {
    Path model = tinyT5WithTokenizer(fixture, work.resolve("t5"));
    Path data = work.resolve("data");
    Task c = ToyTasks.task(data, "toy/c", ToyTasks.FOOD, ToyTasks.SPORT, 3);
    try (Context ctx = new Context(Backbones.load(model.toString()), data, false)) {
      for (String method : List.of("lora", "bitfit", "adapter", "ft", "dept", "ulpt")) {
        Path adapt = work.resolve("adapt-" + method);
        Map<String, Object> m =
            Adaptation.run(ctx, null, List.of(c), 0, hyper(Stage.ADAPT, method, 6), adapt);
        try (SavedRun saved = SavedRun.open(adapt, new Context(ctx.backbone(), data, false))) {
          assertEquals(
              ((Map<?, ?>) m.get("test")).get("score"),
              saved.evaluate("test").get(c.name()).get("score"),
              method);
        }
      }
    }
  }

  static StageSettings hyper(Stage stage, String method, int steps) {
    return hyper(stage, method, steps, "vocab");
  }

  static StageSettings hyper(Stage stage, String method, int steps, String init) {
    Map<String, Object> v = new java.util.LinkedHashMap<>();
    v.put("prompt_length", 5);
    v.put("rank", 1);
    v.put("steps", steps);
    v.put("batch_size", 8);
    v.put("lr", 0.3);
    v.put("lr_task", 0.3);
    v.put("lr_head", 0.01);
    v.put("weight_decay", 0.0);
    v.put("warmup", 2);
    v.put("schedule", "linear");
    v.put("clip", 1.0);
    v.put("max_length", 32);
    v.put("lambda", 0.9);
    v.put("temperature", 2.0);
    v.put("top_k", 4);
    v.put("eval_every", 6);
    v.put("seed", 3L);
    v.put("init", init);
    return TestSettings.of("t5", stage, method, v);
  }

  /** A copy of a fixture's model with a word-level tokenizer over the toy tasks' words. */
  static Path tinyT5WithTokenizer(Path fixture, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(fixture.resolve(f), dir.resolve(f));
    }
    Set<String> words =
        new LinkedHashSet<>(List.of("a", "b", "c", "text", ":", "0", "1", "yes", "no"));
    for (String[] list : List.of(ToyTasks.POS, ToyTasks.NEG, ToyTasks.SPORT, ToyTasks.FOOD)) {
      words.addAll(List.of(list));
    }
    words.addAll(List.of("the", "this", "it", "was", "very", "and", "so"));
    int vocab =
        new ObjectMapper()
            .readTree(fixture.resolve("config.json").toFile())
            .get("vocab_size")
            .asInt();
    assertTrue(words.size() + 3 <= vocab, words.size() + 3 + " tokens exceed vocab_size " + vocab);
    Files.writeString(dir.resolve("tokenizer.json"), wordLevelTokenizer(words));
    return dir;
  }

  /** An HF tokenizer.json: ids 0 pad, 1 EOS, 2 unk, then the words; EOS appended like T5's. */
  static String wordLevelTokenizer(Set<String> words) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode().put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] specials = {"<pad>", "</s>", "<unk>"};
    for (int i = 0; i < specials.length; i++) {
      added
          .addObject()
          .put("id", i)
          .put("content", specials[i])
          .put("single_word", false)
          .put("lstrip", false)
          .put("rstrip", false)
          .put("normalized", false)
          .put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    single.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
    ObjectNode eos = post.putObject("special_tokens").putObject("</s>").put("id", "</s>");
    eos.putArray("ids").add(1);
    eos.putArray("tokens").add("</s>");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model").put("type", "WordLevel").put("unk_token", "<unk>");
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < specials.length; i++) {
      vocab.put(specials[i], i);
    }
    int id = specials.length;
    for (String w : words) {
      vocab.put(w, id++);
    }
    return root.toPrettyString();
  }
}
