package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files on disk: the old-checkpoint fallback, and errors that name the file. */
class CheckpointTest {

  @TempDir Path tmp;

  @BeforeAll
  static void setUp() {
    TrainerTest.setUp();
  }

  @AfterAll
  static void tearDown() {
    TrainerTest.tearDown();
  }

  static final List<TrainSet> SETS = List.of(TrainerTest.set(0, 60), TrainerTest.set(1, 90));

  /** Trains in {@code dir}, checkpointing every 3 steps, until a simulated kill midway. */
  static void killedMidway(Path dir) {
    List<TrainSet> crashing =
        List.of(
            new TrainSet(
                SETS.get(0).name(),
                TrainerTest.failAfter(SETS.get(0).train(), 25),
                SETS.get(0).dev(),
                TrainerTest::accuracy),
            SETS.get(1));
    try (EncoderTaskModel m = TrainerTest.model(TrainerTest.mpt(2, 5), 2)) {
      assertThrows(
          IllegalStateException.class,
          () ->
              new Trainer(TrainerTest.config(14, 5, 3), dir)
                  .run(m, crashing, Objective.taskOnly()));
    }
  }

  static CheckpointException resumeFails(Path dir) {
    try (EncoderTaskModel m = TrainerTest.model(TrainerTest.mpt(2, 5), 2)) {
      return assertThrows(
          CheckpointException.class,
          () -> new Trainer(TrainerTest.config(14, 5, 3), dir).run(m, SETS, Objective.taskOnly()));
    }
  }

  @Test
  void aRunKilledBetweenTheSwapsRenamesResumesFromTheOldCheckpoint() throws Exception {
    float[][] straight;
    try (EncoderTaskModel m = TrainerTest.model(TrainerTest.mpt(2, 5), 2)) {
      new Trainer(TrainerTest.config(14, 5, 3), tmp.resolve("straight"))
          .run(m, SETS, Objective.taskOnly());
      straight = TrainerTest.values(m);
    }
    Path dir = tmp.resolve("killed");
    killedMidway(dir);
    Files.move(dir.resolve(Trainer.CHECKPOINT), dir.resolve(Trainer.CHECKPOINT + ".old"));
    try (EncoderTaskModel m = TrainerTest.model(TrainerTest.mpt(2, 5), 2)) {
      new Trainer(TrainerTest.config(14, 5, 3), dir).run(m, SETS, Objective.taskOnly());
      float[][] resumed = TrainerTest.values(m);
      for (int i = 0; i < straight.length; i++) {
        assertArrayEquals(straight[i], resumed[i], "parameter " + i);
      }
    }
    assertFalse(Files.exists(dir.resolve(Trainer.CHECKPOINT + ".old")), "old checkpoint removed");
    assertEquals(
        withoutSpeeds(tmp.resolve("straight").resolve(Trainer.LOG)),
        withoutSpeeds(dir.resolve(Trainer.LOG)),
        "the resumed log reads as the uninterrupted one");
  }

  /** The log without its throughput fields, which differ between any two runs. */
  static String withoutSpeeds(Path log) throws Exception {
    return Files.readString(log).replaceAll(",\"(examples|tokens)_per_s\":[^,}]*", "");
  }

  @Test
  void aTrainerJsonWithoutConsumedIsNamedInTheError() throws Exception {
    Path dir = tmp.resolve("run");
    killedMidway(dir);
    Path json = dir.resolve(Trainer.CHECKPOINT).resolve("trainer.json");
    ObjectNode o = (ObjectNode) new ObjectMapper().readTree(json.toFile());
    o.remove("consumed");
    Files.writeString(json, o.toString());
    String message = resumeFails(dir).getMessage();
    assertTrue(message.contains(json.toString()) && message.contains("consumed"), message);
  }

  @Test
  void aMissingParameterNamesTheCheckpointFile() throws Exception {
    Path dir = tmp.resolve("run");
    killedMidway(dir);
    Path state = dir.resolve(Trainer.CHECKPOINT).resolve("state.safetensors");
    String dropped;
    try (NDManager m = NDManager.newBaseManager();
        SafetensorsFile f = SafetensorsFile.open(state)) {
      Map<String, NDArray> kept = new LinkedHashMap<>();
      for (String name : f.names()) {
        kept.put(name, f.load(m, name));
      }
      dropped =
          kept.keySet().stream().filter(k -> k.startsWith("param.")).findFirst().orElseThrow();
      kept.remove(dropped);
      Safetensors.write(state, kept, Map.of("format", "mptj"));
    }
    String message = resumeFails(dir).getMessage();
    assertTrue(message.contains(state.toString()) && message.contains(dropped), message);
  }
}
