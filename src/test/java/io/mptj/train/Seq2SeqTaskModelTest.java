package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.t5.T5Model;
import io.mptj.method.Parameter;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.testing.Shared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt training, distillation and rank classification on the tiny HF T5 fixture. */
class Seq2SeqTaskModelTest {

  static final int P = 4;
  static T5Model t5;
  static NDManager root;
  static final long[][] LABELS = {{50, 1}, {60, 1}};

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    t5 = T5Model.load(Shared.fixture("t5/tiny-t5-gated-gelu-untied"));
    root = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    root.close();
    t5.close();
  }

  /** Target label 1 ("60") iff token 7 occurs in the input. */
  static List<Instance> data(int task, int n, long seed) {
    Random rng = new Random(seed);
    List<Instance> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = 4 + rng.nextInt(4);
      long[] ids = new long[len];
      for (int j = 0; j < len - 1; j++) {
        ids[j] = 10 + rng.nextInt(40);
      }
      int label = rng.nextBoolean() ? 1 : 0;
      if (label == 1) {
        ids[rng.nextInt(len - 1)] = 7;
      }
      ids[len - 1] = 1;
      out.add(new Instance(task, i, ids, new long[len], label, Float.NaN, LABELS[label]));
    }
    return out;
  }

  static Seq2SeqTaskModel model(io.mptj.method.PromptModule prompts) {
    var outputs = new Seq2SeqTaskModel.TaskOutputs(List.of("a", "b"), LABELS, false, 3);
    List<Seq2SeqTaskModel.TaskOutputs> all = new ArrayList<>();
    for (int t = 0; t < prompts.numTasks(); t++) {
      all.add(outputs);
    }
    return new Seq2SeqTaskModel(t5, prompts, all, 8);
  }

  static TrainerConfig config(int steps) {
    var lrs =
        Map.of(
            SoftPrompt.GROUP,
            0.3,
            MultitaskPrompt.SHARED_GROUP,
            0.3,
            MultitaskPrompt.TASK_GROUP,
            0.3,
            Parameter.HEAD_GROUP,
            0.3);
    return new TrainerConfig(
        steps,
        8,
        steps,
        16,
        0,
        1,
        true,
        new AdamW.Settings(lrs, 0.9, 0.999, 1e-8, 0, 1.0),
        new Schedule(Schedule.Kind.CONSTANT, 0, steps),
        1,
        false);
  }

  static TrainSet.Scores accuracy(List<Instance> xs, List<TaskModel.Prediction> ps) {
    int ok = 0;
    for (int i = 0; i < xs.size(); i++) {
      ok += xs.get(i).label() == ps.get(i).label() ? 1 : 0;
    }
    return new TrainSet.Scores(Map.of("accuracy", 100.0 * ok / xs.size()), 100.0 * ok / xs.size());
  }

  @Test
  void promptTrainingLowersTheLossAndPredictionsRankTheLabelStrings() {
    List<Instance> all = data(0, 140, 3);
    TrainSet set =
        new TrainSet(
            "toy", all.subList(0, 100), all.subList(100, 140), Seq2SeqTaskModelTest::accuracy);
    try (Seq2SeqTaskModel m =
        model(
            SoftPrompt.single(
                root,
                root.randomNormal(
                    0, 0.5f, new Shape(P, 64), ai.djl.ndarray.types.DataType.FLOAT32)))) {
      double before = meanLoss(m, set.dev());
      new Trainer(config(60), tmp).run(m, List.of(set), Objective.taskOnly());
      double after = meanLoss(m, set.dev());
      assertTrue(after < 0.5 * before, "dev loss " + before + " -> " + after);
      List<TaskModel.Prediction> preds = Trainer.predict(m, set.dev(), 16, 0);
      for (int i = 0; i < set.dev().size(); i++) {
        Instance x = set.dev().get(i);
        double loss0 = meanLoss(m, List.of(withTarget(x, 0)));
        double loss1 = meanLoss(m, List.of(withTarget(x, 1)));
        assertEquals(
            loss0 <= loss1 ? 0 : 1,
            preds.get(i).label(),
            "example " + i + ": " + loss0 + " vs " + loss1);
      }
    }
  }

  static Instance withTarget(Instance x, int label) {
    return new Instance(x.task(), x.index(), x.ids(), x.typeIds(), label, Float.NaN, LABELS[label]);
  }

  static double meanLoss(TaskModel m, List<Instance> xs) {
    try (NDManager s = root.newSubManager();
        NDScope scope = new NDScope()) {
      Batch b = Batch.collate(xs, s, 0);
      return m.taskLoss(b, m.forward(b)).mean().getFloat();
    }
  }

  @Test
  void distillationTermsVanishWhenTheStudentEqualsItsTeacherAndTheCacheMatchesRecomputing() {
    float[] p = new float[P * 64];
    Random rng = new Random(5);
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) rng.nextGaussian();
    }
    try (NDManager m = root.newSubManager()) {
      var shared = m.create(p, new Shape(P, 64));
      try (Seq2SeqTaskModel teacher =
              model(new SoftPrompt(root, shared.expandDims(0).repeat(0, 2)));
          Seq2SeqTaskModel same =
              model(
                  new MultitaskPrompt(
                      root, shared, m.ones(new Shape(2, P, 1)), m.ones(new Shape(2, 1, 64))));
          Seq2SeqTaskModel other =
              model(
                  new MultitaskPrompt(
                      root,
                      shared,
                      m.ones(new Shape(2, P, 1)).mul(0.5f),
                      m.ones(new Shape(2, 1, 64))))) {
        TeacherCache cache = new TeacherCache(teacher, 0);
        List<Instance> xs = new ArrayList<>(data(0, 6, 1));
        xs.addAll(data(1, 6, 2));
        try (NDManager s = root.newSubManager();
            NDScope scope = new NDScope()) {
          Batch b = Batch.collate(xs, s, 0);
          List<TeacherOutput> cached = cache.lookup(b);
          float zero = same.distillLoss(b, same.forward(b), cached, 2.0).max().getFloat();
          assertEquals(0f, zero, 1e-5f, "identical prompts give zero KL and MSE");
          float apart = other.distillLoss(b, other.forward(b), cached, 2.0).mean().getFloat();
          assertTrue(apart > 1e-3, "different prompts are pulled together: " + apart);
          float fresh =
              other
                  .distillLoss(b, other.forward(b), teacher.summarize(b, teacher.forward(b)), 2.0)
                  .mean()
                  .getFloat();
          assertEquals(fresh, apart, 1e-6f);
          cache.lookup(b);
          assertEquals(12, cache.teacherPasses(), "a second lookup runs no teacher pass");
        }
      }
    }
  }
}
