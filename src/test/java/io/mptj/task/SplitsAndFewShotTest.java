package io.mptj.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.bench.TaskRegistry;
import io.mptj.testing.Shared;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paper's splits and few-shot samples are deterministic, disjoint and seed-dependent. */
class SplitsAndFewShotTest {

  private static List<String> ids(List<Example> l) {
    return l.stream().map(Example::id).toList();
  }

  @Test
  void halvedValidationIsADisjointCoverAndReproducible() {
    Task rte = TaskRegistry.get("glue/RTE");
    Splits a = rte.splits(Shared.data());
    Splits b = rte.splits(Shared.data());
    assertEquals(ids(a.dev()), ids(b.dev()));
    assertEquals(ids(a.test()), ids(b.test()));
    Set<String> dev = new HashSet<>(ids(a.dev()));
    assertTrue(a.test().stream().noneMatch(e -> dev.contains(e.id())));
    Set<String> all = new HashSet<>(dev);
    all.addAll(ids(a.test()));
    assertEquals(277, all.size());
    // the order is torch.randperm(277) with seed 42, as in ATTEMPT
    int[] perm = TorchPermutation.of(277, 42);
    assertEquals("validation-" + perm[0], a.dev().getFirst().id());
    assertEquals("validation-" + perm[138], a.test().getFirst().id());
    Splits other = rte.splits(Shared.data(), 7);
    assertNotEquals(ids(a.dev()), ids(other.dev()));
  }

  @Test
  void carvedDevComesFromTrainAndTheValidationSetIsTest() {
    Task sst2 = TaskRegistry.get("glue/SST-2");
    Splits s = sst2.splits(Shared.data());
    Set<String> dev = new HashSet<>(ids(s.dev()));
    assertEquals(1000, dev.size());
    assertTrue(dev.stream().allMatch(id -> id.startsWith("train-")));
    assertTrue(s.train().stream().noneMatch(e -> dev.contains(e.id())));
    assertTrue(s.test().stream().allMatch(e -> e.id().startsWith("validation-")));
  }

  @Test
  void fewShotIsKPerClassAndDeterministic() {
    List<Example> train = TaskRegistry.get("superglue/CB").readFiles(Shared.data()).get("train");
    List<Example> a = FewShot.sample(train, 4, 1);
    assertEquals(ids(a), ids(FewShot.sample(train, 4, 1)));
    Map<Integer, Integer> perClass = new HashMap<>();
    a.forEach(e -> perClass.merge(e.classIndex(), 1, Integer::sum));
    assertEquals(Map.of(0, 4, 1, 4, 2, 4), perClass);
    assertNotEquals(ids(a), ids(FewShot.sample(train, 4, 2)));
    // a smaller k with the same seed is a subset of a larger one
    assertTrue(ids(FewShot.sample(train, 16, 1)).containsAll(ids(a)));
    // CB has 16 neutral train examples: k = 32 gives all 16 of them
    long neutral = FewShot.sample(train, 32, 3).stream().filter(e -> e.classIndex() == 2).count();
    assertEquals(16, neutral);
  }

  @Test
  void fewShotForRegressionCountsInTotal() {
    List<Example> train =
        IntStream.range(0, 50)
            .mapToObj(i -> new Example("t" + i, Map.of("s", "x"), new Label.Score(i / 10.0)))
            .toList();
    List<Example> s = FewShot.sample(train, 8, 5);
    assertEquals(8, s.size());
    int[] perm = TorchPermutation.of(50, 5);
    assertEquals("t" + perm[0], s.getFirst().id());
  }

  @Test
  void splitsOfAnUnlabelledFileAreRefused(@TempDir Path data) { // names the folder, reads nothing
    var unlabelled = List.of(new Example("a", Map.of("s", "x"), Label.NONE));
    var labelled = List.of(new Example("b", Map.of("s", "x"), new Label.ClassIndex(0)));
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DataException.class,
            () ->
                TaskRegistry.get("others/paws")
                    .splitsOf(
                        Map.of("train", labelled, "validation", labelled, "test", unlabelled),
                        42,
                        data));
    assertTrue(e.getMessage().contains("unlabelled"), e.getMessage());
  }
}
