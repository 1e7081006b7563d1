package io.mptj.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.backbone.BackboneFamily.VocabRange;
import io.mptj.backbone.bert.BertFamily;
import io.mptj.backbone.t5.T5Family;
import io.mptj.engine.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackboneFamiliesTest {

  @Test
  void registryFindsBothFamiliesByNameAndModelType() {
    assertInstanceOf(BertFamily.class, BackboneFamilies.named("bert"));
    assertInstanceOf(T5Family.class, BackboneFamilies.named("t5"));
    assertInstanceOf(BertFamily.class, BackboneFamilies.forModelType("bert", "x"));
    assertInstanceOf(T5Family.class, BackboneFamilies.forModelType("t5", "x"));
    assertInstanceOf(T5Family.class, BackboneFamilies.forModelType("mt5", "x"));
    assertEquals(100, BackboneFamilies.named("t5").stageDefaults("adapt").get("prompt_length"));
    assertEquals(java.util.Map.of(), BackboneFamilies.named("bert").stageDefaults("adapt"));
  }

  @Test
  void unknownModelTypeNamesTheFileAndTheSupportedTypes() {
    CheckpointException e =
        assertThrows(
            CheckpointException.class, () -> BackboneFamilies.forModelType("gpt2", "dir/x.json"));
    assertTrue(e.getMessage().contains("dir/x.json"), e.getMessage());
    assertTrue(e.getMessage().contains("'gpt2'"), e.getMessage());
    for (String type : java.util.List.of("bert", "mt5", "t5")) {
      assertTrue(e.getMessage().matches("(?s).*\\(.*\\b" + type + "\\b.*\\).*"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> BackboneFamilies.named("llama"));
  }

  @Test
  void bundledIdsBelongToTheirFamily() {
    assertTrue(BackboneFamilies.bundledIds().contains(Backbones.DEFAULT));
    assertInstanceOf(BertFamily.class, BackboneFamilies.bundling(Backbones.DEFAULT));
    assertNull(BackboneFamilies.bundling("no-such-model"));
  }

  @Test
  void promptInitRangesFollowTheFamily() {
    BackboneFamily bert = BackboneFamilies.named("bert");
    BackboneFamily t5 = BackboneFamilies.named("t5");
    assertEquals(new VocabRange(1996, 6996), bert.promptInitRange(30522));
    assertEquals(new VocabRange(0, 7000), bert.promptInitRange(7000));
    assertEquals(new VocabRange(0, 5000), t5.promptInitRange(32128));
    assertEquals(new VocabRange(0, 300), t5.promptInitRange(300));
  }

  @Test
  void clashingFamiliesAreRejectedNamingBoth() {
    BackboneFamily a = stub("a", Set.of("x"));
    BackboneFamily b = stub("b", Set.of("y", "x"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> BackboneFamilies.checkDistinct(List.of(a, b)));
    assertTrue(e.getMessage().contains("model_type x"), e.getMessage());
    BackboneFamilies.checkDistinct(List.of(a, stub("c", Set.of("z"))));
  }

  @Test
  void loadingADirectoryOfAnUnknownTypeNamesItsConfig(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> Backbones.load(dir.toString()));
    assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'gpt2'"), e.getMessage());
  }

  private static BackboneFamily stub(String name, Set<String> types) {
    return new BackboneFamily() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<String> modelTypes() {
        return types;
      }

      @Override
      public Backbone load(Path dir, String id) {
        throw new UnsupportedOperationException();
      }

      @Override
      public VocabRange promptInitRange(int vocabSize) {
        return new VocabRange(0, vocabSize);
      }
    };
  }
}
