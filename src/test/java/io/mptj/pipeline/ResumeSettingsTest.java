package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.engine.CheckpointException;
import io.mptj.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming an unfinished run: other settings are refused, settings added since read as defaults.
 */
class ResumeSettingsTest {

  @TempDir Path dir;

  private void unfinishedRunWith(String hyperJson) throws Exception {
    Files.createDirectories(dir.resolve(Trainer.CHECKPOINT));
    Files.writeString(
        dir.resolve(RunDir.CONFIG), "{\"method\":\"pt\",\"hyper\":" + hyperJson + "}");
  }

  private static Map<String, Object> config(Map<String, Object> hyper) {
    return Map.of("method", "pt", "hyper", hyper);
  }

  @Test
  void aSettingTheOlderRunDidNotRecordReadsAsItsDefault() throws Exception {
    unfinishedRunWith("{\"steps\":10}");
    assertDoesNotThrow(
        () -> RunDir.requireSameSettings(dir, config(Map.of("steps", 10, "groupByLength", 0))));
    var e =
        assertThrows(
            CheckpointException.class,
            () -> RunDir.requireSameSettings(dir, config(Map.of("steps", 10, "groupByLength", 8))));
    assertTrue(e.getMessage().contains("hyper.groupByLength"), e.getMessage());
  }

  @Test
  void aChangedSettingIsRefusedByName() throws Exception {
    unfinishedRunWith("{\"steps\":10,\"groupByLength\":0}");
    var e =
        assertThrows(
            CheckpointException.class,
            () -> RunDir.requireSameSettings(dir, config(Map.of("steps", 20, "groupByLength", 0))));
    assertTrue(e.getMessage().contains("hyper.steps"), e.getMessage());
  }
}
