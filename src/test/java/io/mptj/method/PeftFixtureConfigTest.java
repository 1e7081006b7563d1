package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mptj's {@code adapter_config.json} has exactly the keys PEFT's own code writes for the same type,
 * for every adapter folder in {@code ../shared/fixtures/peft} (PEFT 0.7.1, prompt tuning and MPT).
 */
class PeftFixtureConfigTest {

  static Stream<Named<Path>> fixtures() throws IOException {
    Path root = Shared.optionalFixture("peft");
    if (root == null) { // one invocation that reports the skip
      return Stream.of(Named.of("no shared PEFT fixtures", null));
    }
    List<Named<Path>> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 3)) {
      s.filter(p -> p.getFileName().toString().equals("adapter_config.json"))
          .sorted()
          .forEach(
              p -> out.add(Named.of(root.relativize(p.getParent()).toString(), p.getParent())));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void mptjWritesExactlyPeftsKeys(Path fixture, @org.junit.jupiter.api.io.TempDir Path tmp)
      throws IOException {
    assumeTrue(fixture != null, "shared fixtures not found beside the project");
    JsonNode peft = new ObjectMapper().readTree(fixture.resolve("adapter_config.json").toFile());
    AdapterConfig theirs = PeftAdapter.readConfig(fixture);
    AdapterConfig ours =
        AdapterConfig.of(
            theirs.peftType(),
            new PeftAdapter.Target(
                theirs.baseModel(),
                theirs.taskType(),
                theirs.numAttentionHeads(),
                theirs.numLayers()),
            theirs.numVirtualTokens(),
            theirs.tokenDim(),
            theirs.numRanks(),
            theirs.numTasks(),
            theirs.promptTuningInitTask());
    io.mptj.engine.Json.writeAtomic(tmp.resolve("adapter_config.json"), ours.peftJson());
    JsonNode written = new ObjectMapper().readTree(tmp.resolve("adapter_config.json").toFile());
    TreeSet<String> want = new TreeSet<>();
    peft.fieldNames().forEachRemaining(want::add);
    List<String> got = new ArrayList<>();
    written.fieldNames().forEachRemaining(got::add);
    assertEquals(List.copyOf(want), got, fixture + ": the same keys, in PEFT's order");
    for (String k : want) {
      if (!k.equals("num_transformer_submodules")) { // mptj writes encoder-side prompts: 1
        assertEquals(peft.get(k), written.get(k), fixture + ": " + k);
      }
    }
  }
}
