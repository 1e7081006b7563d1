package io.mptj.task.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.Example;
import io.mptj.task.ReadResult;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.testing.Shared;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reads the real benchmark files in ../shared/data and compares counts with the official ones (GLUE
 * and SuperGLUE papers; Hugging Face dataset cards) and with the paper's split recipe.
 */
class SharedDataTest {

  private static Map<String, Integer> counts(String task) {
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    TaskRegistry.get(task).readFiles(Shared.data()).forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  @Test
  void glueFilesHaveTheOfficialRowCounts() {
    assertEquals(Map.of("train", 2490, "validation", 277), counts("glue/RTE"));
    assertEquals(Map.of("train", 3668, "validation", 408), counts("glue/MRPC"));
    assertEquals(Map.of("train", 67349, "validation", 872, "test", 1821), counts("glue/SST-2"));
    assertEquals(Map.of("validation", 5463), counts("glue/QNLI"));
  }

  @Test
  void superGlueFilesHaveTheOfficialCounts() {
    assertEquals(Map.of("train", 250, "validation", 56), counts("superglue/CB"));
    assertEquals(Map.of("train", 2490, "validation", 277), counts("superglue/RTE"));
    assertEquals(Map.of("train", 554, "validation", 104), counts("superglue/WSC"));
    assertEquals(Map.of("train", 5428, "validation", 638), counts("superglue/WiC"));
    assertEquals(Map.of("train", 32, "validation", 3270), counts("superglue/BoolQ"));
    // MultiRC: 456 / 83 passages hold 27,243 / 4,848 answer options, one example each
    assertEquals(Map.of("train", 27243, "validation", 4848), counts("superglue/MultiRC"));
  }

  @Test
  void qqpSampleSkipsTheOneBrokenRowAndSaysWhere() {
    Task qqp = TaskRegistry.get("glue/QQP");
    ReadResult r = qqp.read(Shared.data()).get("train");
    assertEquals(23496, r.examples().size());
    assertEquals(List.of(2L), r.skippedLines());
    assertTrue(r.warning().contains("train.tsv:2"), r.warning());
    assertTrue(r.warning().startsWith("skipped 1 row"), r.warning());
  }

  @Test
  void multircGroupsAreQuestions() {
    List<Example> val =
        TaskRegistry.get("superglue/MultiRC").readFiles(Shared.data()).get("validation");
    Set<String> groups = new HashSet<>();
    val.forEach(e -> groups.add(e.group()));
    assertEquals(953, groups.size());
  }

  @Test
  void splitSizesFollowThePaperRecipe() {
    Path data = Shared.data();
    Splits rte = TaskRegistry.get("glue/RTE").splits(data);
    assertEquals(List.of(2490, 138, 139), sizes(rte));
    Splits cb = TaskRegistry.get("superglue/CB").splits(data);
    assertEquals(List.of(250, 28, 28), sizes(cb));
    Splits mrpc = TaskRegistry.get("glue/MRPC").splits(data);
    assertEquals(List.of(3668, 204, 204), sizes(mrpc));
    Splits sst2 = TaskRegistry.get("glue/SST-2").splits(data);
    assertEquals(List.of(66349, 1000, 872), sizes(sst2));
    Splits multirc = TaskRegistry.get("superglue/MultiRC").splits(data);
    assertEquals(List.of(27243, 2424, 2424), sizes(multirc));
  }

  /** Same examples, same label order; the texts differ in places (GLUE's TSV lost some quotes). */
  @Test
  void gluesAndSuperGluesRteAgreeOnLabels() {
    Path data = Shared.data();
    List<Example> glue = TaskRegistry.get("glue/RTE").readFiles(data).get("train");
    List<Example> sg = TaskRegistry.get("superglue/RTE").readFiles(data).get("train");
    assertEquals(glue.size(), sg.size());
    for (int i = 0; i < glue.size(); i++) {
      assertEquals(glue.get(i).classIndex(), sg.get(i).classIndex(), "row " + i);
    }
    assertEquals(glue.get(1).field("sentence2"), sg.get(1).field("hypothesis"));
  }

  /** Reading is not the bottleneck: SST-2's 67k-row train file reads well under a second warm. */
  @Test
  void readingSst2TrainIsFast() {
    Task sst2 = TaskRegistry.get("glue/SST-2");
    sst2.readFiles(Shared.data()); // warm up the JIT
    long start = System.nanoTime();
    int rows = sst2.readFiles(Shared.data()).get("train").size();
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println(
        "SST-2 train + dev + test read in " + millis + " ms (" + rows + " train rows)");
    assertTrue(millis < 3000, "SST-2 took " + millis + " ms");
  }

  private static List<Integer> sizes(Splits s) {
    return List.of(s.train().size(), s.dev().size(), s.test().size());
  }

  /** The extra/ samples are user-task specs, found by their folder in the data directory. */
  @Test
  void extraSourcesResolveThroughTheDataDirectory() {
    Path data = Shared.data();
    for (String name : List.of("extra/mnli-sample", "extra/snli-sample", "extra/qnli-sample")) {
      Task t = TaskRegistry.get(name, data);
      assertEquals(name, t.name());
      assertTrue(t.reference().endsWith("task.yaml"), t.reference());
      assertEquals(8999, t.readFiles(data).get("train").size(), name);
    }
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> TaskRegistry.get("extra/none", data));
    assertTrue(e.getMessage().contains("data-directory folder"), e.getMessage());
  }
}
