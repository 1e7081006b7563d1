package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.method.PromptModule;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.testing.TestSettings;
import io.mptj.testing.ToyEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training machinery on a toy encoder: learning, distillation, teacher cache, resume. */
class TrainerTest {

  static final int V = 40;
  static final int D = 16;
  static final int P = 3;
  static ToyEncoder backbone;
  static NDManager root;

  @TempDir Path tmp;

  @BeforeAll
  static void setUp() {
    backbone = new ToyEncoder(V, D, 7);
    root = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    root.close();
    backbone.close();
  }

  /**
   * Task t: label 1 iff most tokens come from the upper half of the toy vocabulary (shifted by t).
   */
  static List<Instance> data(int task, int n, long seed) {
    Random rng = new Random(seed);
    List<Instance> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = 3 + rng.nextInt(4);
      int label = rng.nextBoolean() ? 1 : 0;
      long[] ids = new long[len];
      for (int j = 0; j < len; j++) {
        boolean upper = rng.nextDouble() < (label == 1 ? 0.8 : 0.2);
        ids[j] = (upper ? 30 : 20) + (task + rng.nextInt(10)) % 10;
      }
      out.add(new Instance(task, i, ids, new long[len], label, Float.NaN, new long[0]));
    }
    return out;
  }

  static TrainSet set(int task, int n) {
    List<Instance> all = data(task, n + 40, 100 + task);
    return new TrainSet(
        "toy/" + task, all.subList(0, n), all.subList(n, n + 40), TrainerTest::accuracy);
  }

  static TrainSet.Scores accuracy(List<Instance> xs, List<TaskModel.Prediction> ps) {
    int ok = 0;
    for (int i = 0; i < xs.size(); i++) {
      ok += xs.get(i).label() == ps.get(i).label() ? 1 : 0;
    }
    double acc = 100.0 * ok / xs.size();
    return new TrainSet.Scores(Map.of("accuracy", acc), acc);
  }

  static TrainerConfig config(int steps, int evalEvery, int checkpointEvery) {
    var lrs = TestSettings.allGroups(0.1);
    return new TrainerConfig(
        steps,
        8,
        evalEvery,
        32,
        checkpointEvery,
        3,
        true,
        0,
        0,
        new AdamW.Settings(lrs, 0.9, 0.999, 1e-8, 0.0, 1.0),
        new Schedule(Schedule.Kind.LINEAR, 2, steps),
        1,
        false);
  }

  static EncoderTaskModel model(PromptModule prompts, int tasks) {
    int[] classes = new int[tasks];
    java.util.Arrays.fill(classes, 2);
    return new EncoderTaskModel(
        backbone,
        prompts,
        TaskHeads.random(root, classes, D, 11),
        EncoderTaskModel.Pooling.MEAN,
        new boolean[tasks]);
  }

  static MultitaskPrompt mpt(int tasks, long seed) {
    Random rng = new Random(seed);
    float[] s = new float[P * D];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) rng.nextGaussian();
    }
    float[] u = new float[tasks * P];
    float[] v = new float[tasks * D];
    java.util.Arrays.fill(u, 1f);
    java.util.Arrays.fill(v, 1f);
    try (NDManager m = root.newSubManager()) {
      return new MultitaskPrompt(
          root,
          m.create(s, new Shape(P, D)),
          m.create(u, new Shape(tasks, P, 1)),
          m.create(v, new Shape(tasks, 1, D)));
    }
  }

  static List<double[]> losses(Path log) throws Exception {
    List<double[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      var j = new ObjectMapper().readTree(line);
      if (j.has("loss")) {
        out.add(new double[] {j.get("step").asDouble(), j.get("loss").asDouble()});
      }
    }
    return out;
  }

  static float[][] values(TaskModel m) {
    return m.parameters().stream().map(p -> p.array().toFloatArray()).toArray(float[][]::new);
  }

  @Test
  void lossFallsAndDevAccuracyBeatsChance() throws Exception {
    try (EncoderTaskModel m =
        model(SoftPrompt.single(root, root.randomNormal(new Shape(P, D))), 1)) {
      Trainer.Result r =
          new Trainer(config(200, 100, 0), tmp).run(m, List.of(set(0, 200)), Objective.taskOnly());
      List<double[]> l = losses(tmp.resolve(Trainer.LOG));
      double first = l.subList(0, 10).stream().mapToDouble(x -> x[1]).average().orElseThrow();
      double last =
          l.subList(l.size() - 10, l.size()).stream()
              .mapToDouble(x -> x[1])
              .average()
              .orElseThrow();
      assertTrue(last < 0.7 * first, "loss fell from " + first + " to " + last);
      assertTrue(r.bestScore() > 70, "dev accuracy " + r.bestScore());
    }
  }

  @Test
  void distillationWithLambdaZeroEqualsPlainMultitaskTraining() {
    List<TrainSet> sets = List.of(set(0, 60), set(1, 90));
    float[][] plain;
    try (EncoderTaskModel m = model(mpt(2, 5), 2)) {
      new Trainer(config(12, 0, 0), tmp.resolve("a")).run(m, sets, Objective.taskOnly());
      plain = values(m);
    }
    try (EncoderTaskModel teacher =
            model(new SoftPrompt(root, root.randomNormal(new Shape(2, P, D))), 2);
        EncoderTaskModel m = model(mpt(2, 5), 2)) {
      Objective zero = new Objective(0.0, 2.0, new TeacherCache(teacher, 0));
      new Trainer(config(12, 0, 0), tmp.resolve("b")).run(m, sets, zero);
      float[][] distilled = values(m);
      for (int i = 0; i < plain.length; i++) {
        assertArrayEquals(plain[i], distilled[i], "parameter " + i);
      }
    }
  }

  @Test
  void teacherCacheRunsEachExampleOnceAndGivesTheRecomputedLoss() {
    TrainSet s0 = set(0, 30);
    TrainSet s1 = set(1, 20);
    try (EncoderTaskModel teacher =
            model(new SoftPrompt(root, root.randomNormal(new Shape(2, P, D))), 2);
        EncoderTaskModel student = model(mpt(2, 9), 2)) {
      TeacherCache cache = new TeacherCache(teacher, 0);
      java.util.Set<Long> seen = new java.util.HashSet<>();
      List<List<Instance>> batches =
          batches(new Sampler(1, new int[] {30, 20}, 8, true), 15, seen, s0, s1);
      for (List<Instance> batch : batches) {
        assertCachedLossIsRecomputed(cache, teacher, student, batch, 1e-6f);
      }
      assertEquals(
          seen.size(), cache.teacherPasses(), "each example's teacher pass ran exactly once");
    }
  }

  @Test
  void prefillRunsTheTeacherOnceForEveryDrawnExampleAndLookupsThenRunNone() {
    TrainSet s0 = set(0, 30);
    TrainSet s1 = set(1, 200);
    try (EncoderTaskModel teacher =
            model(new SoftPrompt(root, root.randomNormal(new Shape(2, P, D))), 2);
        EncoderTaskModel student = model(mpt(2, 9), 2)) {
      TeacherCache cache = new TeacherCache(teacher, 0);
      java.util.Set<Long> seen = new java.util.HashSet<>();
      List<List<Instance>> batches =
          batches(new Sampler(3, new int[] {30, 200}, 8, true), 12, seen, s0, s1);
      List<Instance> draws = batches.stream().flatMap(List::stream).toList();
      assertEquals(seen.size(), cache.prefill(draws, 0, root), "one pass per distinct example");
      assertEquals(seen.size(), cache.size());
      for (List<Instance> batch : batches) { // outputs computed in length-sorted chunks
        assertCachedLossIsRecomputed(cache, teacher, student, batch, 1e-5f);
      }
      assertEquals(seen.size(), cache.teacherPasses(), "no teacher pass inside the steps");
      assertEquals(0, cache.prefill(draws, 0, root), "a second prefill finds everything cached");
      TeacherCache resumed = new TeacherCache(teacher, 0);
      int from = draws.size() - 8 * 3;
      resumed.prefill(draws, from, root);
      assertTrue(
          cache.passes().containsAll(resumed.passes()),
          "a resumed run's teacher passes are chunks of the uninterrupted run's");
      long prefilled = resumed.teacherPasses();
      for (List<Instance> batch : batches.subList(batches.size() - 3, batches.size())) {
        try (NDManager m = root.newSubManager()) {
          resumed.lookup(Batch.collate(batch, m, 0));
        }
      }
      assertEquals(prefilled, resumed.teacherPasses(), "the draws still to come were all covered");
      assertEquals(
          0,
          new TeacherCache(teacher, 0).prefill(draws, draws.size(), root),
          "a finished run needs no teacher pass");
    }
  }

  @Test
  void aKilledDistillationResumesToTheSameStudentAsAnUninterruptedOne() {
    List<TrainSet> sets = List.of(set(0, 60), set(1, 90));
    int[] reads = {0};
    List<TrainSet> counted =
        List.of(
            new TrainSet(
                sets.get(0).name(),
                counting(sets.get(0).train(), reads),
                sets.get(0).dev(),
                TrainerTest::accuracy),
            sets.get(1));
    float[][] straight;
    try (EncoderTaskModel teacher = teacher();
        EncoderTaskModel m = model(mpt(2, 5), 2)) {
      new Trainer(config(14, 5, 3), tmp.resolve("straight"))
          .run(m, counted, new Objective(0.9, 2.0, new TeacherCache(teacher, 0)));
      straight = values(m);
    }
    Path dir = tmp.resolve("killed");
    List<TrainSet> crashing =
        List.of(
            new TrainSet(
                sets.get(0).name(),
                failAfter(sets.get(0).train(), reads[0] - 3),
                sets.get(0).dev(),
                TrainerTest::accuracy),
            sets.get(1));
    try (EncoderTaskModel teacher = teacher();
        EncoderTaskModel m = model(mpt(2, 5), 2)) {
      assertThrows(
          IllegalStateException.class,
          () ->
              new Trainer(config(14, 5, 3), dir)
                  .run(m, crashing, new Objective(0.9, 2.0, new TeacherCache(teacher, 0))));
    }
    assertTrue(Files.isDirectory(dir.resolve(Trainer.CHECKPOINT)), "killed after a checkpoint");
    try (EncoderTaskModel teacher = teacher();
        EncoderTaskModel m = model(mpt(2, 5), 2)) {
      new Trainer(config(14, 5, 3), dir)
          .run(m, sets, new Objective(0.9, 2.0, new TeacherCache(teacher, 0)));
      float[][] resumed = values(m);
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], resumed[i], "parameter " + i);
      }
    }
  }

  /**
   * {@code steps} batches drawn from two sets; the drawn (task, index) keys go into {@code seen}.
   */
  private static List<List<Instance>> batches(
      Sampler sampler, int steps, java.util.Set<Long> seen, TrainSet s0, TrainSet s1) {
    List<List<Instance>> out = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      List<Instance> batch = new ArrayList<>();
      for (Sampler.Pick p : sampler.next()) {
        batch.add((p.task() == 0 ? s0 : s1).train().get(p.index()));
        seen.add(((long) p.task() << 32) | p.index());
      }
      out.add(batch);
    }
    return out;
  }

  /** The distillation loss from the cache equals the one from a fresh teacher pass on the batch. */
  private static void assertCachedLossIsRecomputed(
      TeacherCache cache,
      EncoderTaskModel teacher,
      EncoderTaskModel student,
      List<Instance> batch,
      float tolerance) {
    try (NDManager m = root.newSubManager();
        NDScope scope = new NDScope()) {
      Batch b = Batch.collate(batch, m, 0);
      Objective obj = new Objective(0.9, 2.0, cache);
      float cached = obj.compute(student, b, cache.lookup(b)).total().getFloat();
      float fresh =
          obj.compute(student, b, teacher.summarize(b, teacher.forward(b))).total().getFloat();
      assertEquals(fresh, cached, tolerance);
    }
  }

  /** A fixed teacher (the same prompts every call). */
  private static EncoderTaskModel teacher() {
    ai.djl.engine.Engine.getInstance().setRandomSeed(17);
    return model(new SoftPrompt(root, root.randomNormal(new Shape(2, P, D))), 2);
  }

  /** A list that counts its element reads in {@code reads[0]}. */
  static List<Instance> counting(List<Instance> xs, int[] reads) {
    return new AbstractList<>() {
      @Override
      public Instance get(int i) {
        reads[0]++;
        return xs.get(i);
      }

      @Override
      public int size() {
        return xs.size();
      }
    };
  }

  @Test
  void aKilledRunResumesToTheSamePromptAsAnUninterruptedOne() {
    List<TrainSet> sets = List.of(set(0, 60), set(1, 90));
    float[][] straight;
    try (EncoderTaskModel m = model(mpt(2, 5), 2)) {
      new Trainer(config(14, 5, 3), tmp.resolve("straight")).run(m, sets, Objective.taskOnly());
      straight = values(m);
    }
    Path dir = tmp.resolve("killed");
    List<TrainSet> crashing =
        List.of(
            new TrainSet(
                sets.get(0).name(),
                failAfter(sets.get(0).train(), 25),
                sets.get(0).dev(),
                TrainerTest::accuracy),
            sets.get(1));
    try (EncoderTaskModel m = model(mpt(2, 5), 2)) {
      assertThrows(
          IllegalStateException.class,
          () -> new Trainer(config(14, 5, 3), dir).run(m, crashing, Objective.taskOnly()));
    }
    assertTrue(
        Files.isDirectory(dir.resolve(Trainer.CHECKPOINT)),
        "a checkpoint was written before the crash");
    try (EncoderTaskModel m = model(mpt(2, 5), 2)) {
      new Trainer(config(14, 5, 3), dir).run(m, sets, Objective.taskOnly());
      float[][] resumed = values(m);
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], resumed[i], "parameter " + i);
      }
    }
  }

  /** A list that fails like a killed process once more than {@code n} elements were read. */
  static List<Instance> failAfter(List<Instance> xs, int n) {
    return new AbstractList<>() {
      int reads;

      @Override
      public Instance get(int i) {
        if (++reads > n) {
          throw new IllegalStateException("simulated kill");
        }
        return xs.get(i);
      }

      @Override
      public int size() {
        return xs.size();
      }
    };
  }
}
