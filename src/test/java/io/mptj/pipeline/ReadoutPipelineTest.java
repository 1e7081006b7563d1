package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.SafetensorsFile;
import io.mptj.method.SourceChoice;
import io.mptj.task.Task;
import io.mptj.testing.ToyTasks;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readouts through the three stages on a tiny BERT: a shared head trained with the sources,
 * carried through distillation and used to start each target; label heads with no parameters.
 */
class ReadoutPipelineTest {

  @TempDir static Path work;
  static Context ctx;
  static Task sentiment;
  static Task topic;
  static Task target;

  static final Map<String, Object> SHARED = Map.of("head", "shared");
  static final Map<String, Object> LABEL = Map.of("head", "label", "label_scale", 10.0);

  @BeforeAll
  static void setUp() throws IOException {
    Path model = TinyBert.writeRandom(work.resolve("tiny-bert"), 3);
    Path data = work.resolve("data");
    sentiment = ToyTasks.task(data, "toy/sentiment", ToyTasks.POS, ToyTasks.NEG, 1);
    topic = ToyTasks.task(data, "toy/topic", ToyTasks.SPORT, ToyTasks.FOOD, 2);
    target = ToyTasks.task(data, "toy/target", ToyTasks.POS, ToyTasks.NEG, 3);
    ctx = new Context(Backbones.load(model.toString()), data, false);
  }

  @AfterAll
  static void tearDown() {
    ctx.close();
  }

  private static Path sourceAndDistill(String name, Map<String, Object> head) {
    Path source = work.resolve(name + "-source");
    SourceTraining.run(
        ctx, List.of(sentiment, topic), PipelineTest.hyper(Stage.SOURCE, "pt", 30, head), source);
    Path distill = work.resolve(name + "-distill");
    Distillation.run(ctx, source, PipelineTest.hyper(Stage.DISTILL, "mpt", 30, head), distill);
    return distill;
  }

  private static String readoutOf(Path run) {
    try (SafetensorsFile f = SafetensorsFile.open(run.resolve(RunDir.HEADS))) {
      return f.metadata().get("readout");
    }
  }

  @Test
  void aSharedHeadIsCarriedFromTheSourcesThroughDistillationToTheTarget() throws IOException {
    Path distill = sourceAndDistill("shared", SHARED);
    assertEquals("shared", readoutOf(distill));
    JsonNode m = PipelineTest.json(distill.resolve(RunDir.METRICS));
    long d = 32;
    // the head is shared by the two sources: counted once among the shared parameters
    assertEquals(4 * d + 2 * (d + 1), m.get("params").get("shared").asLong());
    StageSettings adapt = PipelineTest.hyper(Stage.ADAPT, "mpt", 10, SHARED);
    try (NDManager nd = NDManager.newBaseManager();
        TaskHeads up = RunDir.loadHeads(distill, nd);
        TaskHeads start = Adaptation.carriedHeads(ctx, distill, List.of(target), adapt, nd)) {
      assertEquals(Readout.SHARED, start.readout());
      assertArrayEquals(up.weight().toFloatArray(), start.weight().toFloatArray());
      assertArrayEquals(up.bias().toFloatArray(), start.bias().toFloatArray());
      // PT has no upstream run: its shared head starts fresh
      assertNull(Adaptation.carriedHeads(ctx, null, List.of(target), adapt, nd));
      // a task-head stage carries nothing
      assertNull(
          Adaptation.carriedHeads(
              ctx, distill, List.of(target), PipelineTest.hyper(Stage.ADAPT, "mpt", 10), nd));
    }
    Path out = work.resolve("shared-target");
    Adaptation.run(ctx, distill, List.of(target), 0, adapt, out);
    JsonNode t = PipelineTest.json(out.resolve(RunDir.METRICS));
    assertEquals("shared", readoutOf(out));
    // on one target the head is that task's own: 2 classes x (d + 1)
    long taskVectors = 4 * d + 4 + d; // P* (tuned per target) and u, v
    assertEquals(taskVectors + 2 * (d + 1), t.get("params").get("task_specific").asLong());
    assertEquals(
        t.get("test").get("score").asDouble(),
        score(SavedRun.open(out, ctx), target),
        1e-9,
        "the saved shared head predicts what the run measured");
  }

  @Test
  void labelHeadsTrainOnlyThePromptAndCountNoHeadParameters() throws IOException {
    Path distill = sourceAndDistill("label", LABEL);
    assertEquals("label", readoutOf(distill));
    Path out = work.resolve("label-target");
    Adaptation.run(
        ctx, null, List.of(target), 0, PipelineTest.hyper(Stage.ADAPT, "pt", 10, LABEL), out);
    JsonNode t = PipelineTest.json(out.resolve(RunDir.METRICS));
    assertEquals(4 * 32, t.get("params").get("task_specific").asLong(), "the prompt alone");
    assertTrue(t.get("test").get("correct").asText().matches("[01]+"));
    assertEquals(
        t.get("test").get("score").asDouble(), score(SavedRun.open(out, ctx), target), 1e-9);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Distillation.run(
                    ctx,
                    work.resolve("label-source"),
                    PipelineTest.hyper(Stage.DISTILL, "mpt", 5, SHARED),
                    work.resolve("mixed")));
    assertTrue(e.getMessage().contains("--head shared"), e.getMessage());
  }

  private static double score(SavedRun run, Task task) {
    try (run) {
      return (Double) run.evaluate("test").get(task.name()).get("score");
    }
  }

  /**
   * MPT with {@code --target-init best --head-init source}: every source is scored on the target's
   * dev split before training, the best start is kept, and the target's head rows come from that
   * source's head by class name; both choices are recorded in config.json.
   */
  @Test
  void mptChoosesItsSourceOnDevAndMapsItsHeadByClassName() throws IOException {
    Path distill = sourceAndDistill("task", Map.of());
    Map<String, Object> choice = Map.of("target_init", "best", "head_init", "source");
    Path out = work.resolve("best-target");
    Adaptation.run(
        ctx, distill, List.of(target), 16, PipelineTest.hyper(Stage.ADAPT, "mpt", 10, choice), out);
    JsonNode cfg = PipelineTest.json(out.resolve(RunDir.CONFIG));
    JsonNode sel = cfg.get("source_selection");
    assertEquals(2, sel.get("dev_before_training").size());
    String chosen = sel.get("chosen").asText();
    double best = sel.get("dev_before_training").get(chosen).asDouble();
    sel.get("dev_before_training").forEach(v -> assertTrue(v.asDouble() <= best));
    // the toy tasks all name their classes [no, yes]: each row comes from the chosen source
    assertEquals(chosen + ":no", cfg.get("head_init").get("no").asText());
    assertEquals(chosen + ":yes", cfg.get("head_init").get("yes").asText());
    assertEquals("best", cfg.get("hyper").get("targetInit").asText());
    try (NDManager nd = NDManager.newBaseManager();
        TaskHeads up = RunDir.loadHeads(distill, nd)) {
      int k = List.of("toy/sentiment", "toy/topic").indexOf(chosen);
      HeadTransfer.Mapped m =
          HeadTransfer.mapped(
              (io.mptj.backbone.EncoderBackbone) ctx.backbone(),
              up,
              List.of(sentiment, topic),
              k,
              target,
              PipelineTest.hyper(Stage.ADAPT, "mpt", 10).head(),
              1,
              nd);
      assertArrayEquals(
          up.weight().get(k).toFloatArray(), m.heads().weight().toFloatArray(), "rows copied");
    }
  }

  /**
   * {@code --target-init match}: only the sources sharing the most class names with the target are
   * candidates (scored on dev as {@code best}); all are when none shares a name; {@code best}
   * always considers all.
   */
  @Test
  void matchKeepsTheSourcesThatShareTheTargetsClassNames() throws IOException {
    Path data = work.resolve("named");
    Task yesNo = ToyTasks.task(data, "named/yes-no", ToyTasks.POS, ToyTasks.NEG, 4);
    Task hotCold =
        ToyTasks.task(data, "named/hot-cold", ToyTasks.POS, ToyTasks.NEG, 5, "hot", "cold");
    Task half = ToyTasks.task(data, "named/half", ToyTasks.POS, ToyTasks.NEG, 6, "yes", "cold");
    Task other = ToyTasks.task(data, "named/other", ToyTasks.POS, ToyTasks.NEG, 7, "up", "down");
    Task cold = ToyTasks.task(data, "named/cold", ToyTasks.POS, ToyTasks.NEG, 8, "maybe", "cold");
    List<Task> sources = List.of(hotCold, yesNo, half);
    Map<String, Object> sel = new java.util.LinkedHashMap<>();
    assertEquals(List.of(1), Adaptation.candidates(sources, target, SourceChoice.LABELS, sel));
    assertEquals(
        Map.of("named/hot-cold", 0, "named/yes-no", 2, "named/half", 1), sel.get("shared_labels"));
    assertEquals(
        List.of(0, 2),
        Adaptation.candidates(sources, cold, SourceChoice.LABELS, new java.util.HashMap<>()),
        "a tie: both sources sharing one name");
    assertEquals(
        List.of(0, 1, 2),
        Adaptation.candidates(sources, other, SourceChoice.LABELS, new java.util.HashMap<>()),
        "no source shares a name: all are candidates");
    assertEquals(
        List.of(0, 1, 2),
        Adaptation.candidates(sources, target, SourceChoice.DEV, new java.util.HashMap<>()));
  }

  /** Class names are matched exactly first, then by name similarity, each upstream row once. */
  @Test
  void headRowsMatchByNameAndAreNeverShared() {
    List<HeadTransfer.Candidate> mnli =
        List.of(
            new HeadTransfer.Candidate(0, 0, 0, "entailment"),
            new HeadTransfer.Candidate(0, 0, 1, "neutral"),
            new HeadTransfer.Candidate(0, 0, 2, "contradiction"));
    var enc = (io.mptj.backbone.EncoderBackbone) ctx.backbone();
    var head = PipelineTest.hyper(Stage.ADAPT, "mpt", 10).head();
    try (NDManager nd = NDManager.newBaseManager()) {
      assertArrayEquals(
          new int[] {0, 2, 1},
          HeadTransfer.match(
              enc, List.of("entailment", "contradiction", "neutral"), mnli, head, nd));
      int[] rte = HeadTransfer.match(enc, List.of("entailment", "not_entailment"), mnli, head, nd);
      assertEquals(0, rte[0]);
      assertTrue(rte[1] == 1 || rte[1] == 2, "a row of its own: " + rte[1]);
      int[] four = HeadTransfer.match(enc, List.of("a", "b", "c", "d"), mnli, head, nd);
      assertEquals(3, java.util.Arrays.stream(four).filter(i -> i >= 0).distinct().count());
      assertEquals(1, java.util.Arrays.stream(four).filter(i -> i < 0).count(), "one starts fresh");
    }
  }
}
