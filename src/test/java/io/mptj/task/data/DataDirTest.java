package io.mptj.task.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.DataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory comes from the flag, the environment, ../shared/data, then the cache. */
class DataDirTest {
  @TempDir Path tmp;

  @Test
  void flagThenEnvironmentThenSharedThenCache() throws Exception {
    Path flag = Files.createDirectories(tmp.resolve("flag"));
    Path env = Files.createDirectories(tmp.resolve("env"));
    Path home = Files.createDirectories(tmp.resolve("ws/project"));
    Path cache = tmp.resolve("cache");
    Map<String, String> e = Map.of(DataDir.ENV, env.toString());
    assertEquals(flag, DataDir.resolve(flag, e, home, cache));
    assertEquals(env, DataDir.resolve(null, e, home, cache));
    Path shared = Files.createDirectories(tmp.resolve("ws/shared/data"));
    assertEquals(shared, DataDir.resolve(null, Map.of(), home, cache));
    Files.delete(shared);
    Files.createDirectories(cache.resolve("data"));
    assertEquals(cache.resolve("data"), DataDir.resolve(null, Map.of(), home, cache));
  }

  @Test
  void aMissingDirectorySaysEveryPlaceItLookedAndHowToSetIt() {
    Path home = tmp.resolve("ws/project");
    String m =
        assertThrows(
                DataException.class,
                () -> DataDir.resolve(null, Map.of(), home, tmp.resolve("cache")))
            .getMessage();
    assertTrue(m.contains("--data-dir") && m.contains("MPTJ_DATA_DIR"), m);
    assertTrue(
        m.contains(tmp.resolve("ws/shared/data").toString())
            && m.contains(tmp.resolve("cache/data").toString()),
        m);
    String f =
        assertThrows(
                DataException.class,
                () -> DataDir.resolve(tmp.resolve("nope"), Map.of(), home, tmp))
            .getMessage();
    assertTrue(f.contains(tmp.resolve("nope") + " (from --data-dir: missing)"), f);
  }

  @Test
  void downloadsGoToTheFlagTheEnvironmentOrTheCache() {
    assertEquals(
        tmp.resolve("cache/data"), DataDir.forDownload(null, Map.of(), tmp.resolve("cache")));
    assertEquals(Path.of("/x"), DataDir.forDownload(null, Map.of(DataDir.ENV, "/x"), tmp));
  }
}
