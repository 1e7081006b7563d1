package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.backbone.Backbones;
import io.mptj.task.Example;
import io.mptj.task.Task;
import io.mptj.task.TaskRegistry;
import io.mptj.testing.Shared;
import io.mptj.testing.Slow;
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
      Hyper base =
          new HyperOverrides(
                  10, null, 30, 16, null, null, null, null, 5, null, null, 64, null, null, null,
                  null, 30, null, 1L, null, null)
              .apply(Hyper.defaults("bert", Stage.SOURCE));
      SourceTraining.run(ctx, List.of(source), base, work.resolve("source"));
      Distillation.run(ctx, work.resolve("source"), base, work.resolve("distill"));
      Hyper adapt =
          new HyperOverrides(
                  10, null, 100, 16, null, null, null, null, 10, null, null, 64, null, null, null,
                  null, 0, null, 1L, null, null)
              .apply(Hyper.defaults("bert", Stage.ADAPT));
      Map<String, Object> m =
          Adaptation.run(
              ctx,
              Adaptation.Method.MPT,
              work.resolve("distill"),
              List.of(target),
              0,
              adapt,
              work.resolve("sst2"));
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
