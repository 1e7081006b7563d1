package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.backbone.Backbones;
import io.mptj.task.Example;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.testing.Shared;
import io.mptj.testing.Slow;
import io.mptj.testing.TestSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paper's pipeline on real data with the bundled MiniLM and a small budget: a source prompt on
 * MRPC, distillation, then MPT adaptation to SST-2, whose test accuracy must beat always answering
 * the majority class of that test split. About 70 s on two cores, hence {@link Slow}.
 */
@Slow
class EndToEndMiniLmTest {

  @TempDir Path work;

  @Test
  void mptOnRealDataBeatsTheMajorityClass() {
    Path data = Shared.data();
    Task source = TaskRegistry.get("glue/MRPC");
    Task target = TaskRegistry.get("glue/SST-2");
    try (Context ctx = new Context(Backbones.load("minilm"), data, false)) {
      Map<String, Object> base =
          Map.of(
              "prompt_length",
              10,
              "steps",
              30,
              "batch_size",
              16,
              "warmup",
              5,
              "max_length",
              64,
              "eval_every",
              30,
              "seed",
              1L);
      SourceTraining.run(
          ctx,
          List.of(source),
          TestSettings.of("bert", Stage.SOURCE, "pt", base),
          work.resolve("source"));
      // the distillation stage with the source stage's settings (lr_task 0.3 in both)
      Distillation.run(
          ctx,
          work.resolve("source"),
          TestSettings.of("bert", Stage.DISTILL, "mpt", base),
          work.resolve("distill"));
      StageSettings adapt =
          TestSettings.of(
              "bert",
              Stage.ADAPT,
              "mpt",
              Map.of(
                  "prompt_length",
                  10,
                  "steps",
                  100,
                  "batch_size",
                  16,
                  "warmup",
                  10,
                  "max_length",
                  64,
                  "eval_every",
                  0,
                  "seed",
                  1L));
      Map<String, Object> m =
          Adaptation.run(
              ctx, work.resolve("distill"), List.of(target), 0, adapt, work.resolve("sst2"));
      double accuracy = ((Number) ((Map<?, ?>) m.get("test")).get("accuracy")).doubleValue();
      double majority = majority(target.splits(data).test());
      System.out.printf(
          "SST-2 test accuracy %.1f%% after 100 steps; majority class %.1f%%%n",
          accuracy, majority);
      assertTrue(
          accuracy > majority + 5,
          "SST-2 test accuracy " + accuracy + " vs majority class " + majority);
    }
  }

  /** Accuracy in percent of always predicting the most frequent label of {@code examples}. */
  static double majority(List<Example> examples) {
    Map<Integer, Long> counts =
        examples.stream()
            .collect(Collectors.groupingBy(Example::classIndex, Collectors.counting()));
    long top = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    return 100.0 * top / examples.size();
  }
}
