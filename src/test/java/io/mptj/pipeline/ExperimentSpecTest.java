package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.engine.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiment specs: settings by key, checked against what the stages and methods read. */
class ExperimentSpecTest {

  @TempDir Path work;

  private Path spec(String targets) throws IOException {
    Path f = work.resolve("spec.yaml");
    Files.writeString(
        f,
        String.join(
            "\n",
            "hyper: {prompt_length: 8, batch_size: 4}",
            "source: {tasks: [glue/SST-2], hyper: {steps: 10}}",
            "targets: " + targets,
            ""));
    return f;
  }

  @Test
  void settingsAreReadByKeyAndLaterBlocksWin() throws IOException {
    ExperimentSpec s = ExperimentSpec.read(spec("{tasks: [glue/RTE], hyper: {epochs: 2}}"));
    assertEquals(List.of("pt", "spot", "mpt"), s.targets().methods());
    var merged = s.settings().then(s.targets().settings());
    assertEquals(8, merged.integer("prompt_length"));
    assertEquals(2.0, merged.real("epochs"));
    assertEquals(" --prompt-length 8 --batch-size 4 --epochs 2.0", merged.flags());
  }

  @Test
  void anUnknownSettingIsAnErrorNamingItsBlock() throws IOException {
    Path f = spec("{tasks: [glue/RTE], hyper: {bogus_rate: 1}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ExperimentSpec.read(f));
    assertTrue(e.getMessage().contains("targets.hyper"), e.getMessage());
    assertTrue(e.getMessage().contains("bogus_rate"), e.getMessage());
  }

  @Test
  void aBadValueAndAnUnknownMethodAreNamed() throws IOException {
    Path bad = spec("{tasks: [glue/RTE], hyper: {steps: many}}");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ExperimentSpec.read(bad));
    assertTrue(
        e.getMessage().contains("'steps'") && e.getMessage().contains("--steps"), e.getMessage());
    Path method = spec("{tasks: [glue/RTE], methods: [pt, lora9]}");
    e = assertThrows(CheckpointException.class, () -> ExperimentSpec.read(method));
    assertTrue(e.getMessage().contains("targets.methods"), e.getMessage());
    assertTrue(e.getMessage().contains("lora9"), e.getMessage());
  }

  @Test
  void aFewShotOnlySpecNeedsNoFullDataTargets() throws IOException {
    Path f = work.resolve("fewshot.yaml");
    Files.writeString(
        f,
        String.join(
            "\n",
            "source: {tasks: [glue/SST-2]}",
            "few_shot: {tasks: [glue/RTE], shots: [16], methods: [pt, mpt]}",
            ""));
    ExperimentSpec s = ExperimentSpec.read(f);
    assertTrue(s.targets().tasks().isEmpty());
    assertEquals(List.of(16), s.fewShot().shots());
    Path none = work.resolve("none.yaml");
    Files.writeString(none, "source: {tasks: [glue/SST-2]}\n");
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> ExperimentSpec.read(none));
    assertTrue(e.getMessage().contains("targets.tasks"), e.getMessage());
  }

  @Test
  void distillationRunsOnlyWhenAMethodStartsFromIt() throws IOException {
    assertTrue(
        !Experiment.needsDistillation(
            ExperimentSpec.read(spec("{tasks: [glue/RTE], methods: [pt, spot]}"))));
    assertTrue(
        Experiment.needsDistillation(
            ExperimentSpec.read(spec("{tasks: [glue/RTE], methods: [pt, mpt]}"))));
    assertTrue(
        Experiment.needsDistillation(
            ExperimentSpec.read(spec("{tasks: [glue/RTE], methods: [pt], multi_target: true}"))));
  }

  @Test
  void aSpecOfBaselinesNeedsNoSourcesAndOneThatStartsFromThemDoes() throws IOException {
    Path f = work.resolve("baselines.yaml");
    Files.writeString(f, "few_shot: {tasks: [glue/RTE], shots: [16], methods: [pt, lora, ft]}\n");
    ExperimentSpec s = ExperimentSpec.read(f);
    assertTrue(!s.needsSources() && s.source().tasks().isEmpty());
    assertTrue(!Experiment.needsDistillation(s), "the default full-data methods name no tasks");
    Path listed = work.resolve("listed.yaml");
    Files.writeString(
        listed,
        "source: {tasks: [glue/SST-2]}\n"
            + "few_shot: {tasks: [glue/RTE], shots: [16], methods: [pt, lora]}\n");
    assertTrue(!ExperimentSpec.read(listed).needsSources(), "listed sources no method starts from");
    Path mpt = work.resolve("mpt.yaml");
    Files.writeString(mpt, "few_shot: {tasks: [glue/RTE], shots: [16], methods: [pt, mpt]}\n");
    CheckpointException e = assertThrows(CheckpointException.class, () -> ExperimentSpec.read(mpt));
    assertTrue(
        e.getMessage().contains("source.tasks") && e.getMessage().contains("mpt"), e.getMessage());
    Path spot = work.resolve("spot.yaml");
    Files.writeString(
        spot,
        "spot_source: glue/SST-2\nfew_shot: {tasks: [glue/RTE], shots: [4], methods: [pt]}\n");
    e = assertThrows(CheckpointException.class, () -> ExperimentSpec.read(spot));
    assertTrue(e.getMessage().contains("spot_source"), e.getMessage());
  }
}
