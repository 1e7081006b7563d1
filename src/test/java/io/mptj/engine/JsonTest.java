package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared JSON helper: atomic pretty writes and strict field reads that name file and field. */
class JsonTest {
  @TempDir Path dir;

  /** A caller-chosen exception type, as task/ (DataException) and report/ choose theirs. */
  static final class Bad extends RuntimeException {
    Bad(String message) {
      super(message);
    }
  }

  private static JsonFields fields(String json, long line) throws Exception {
    JsonNode node = Json.MAPPER.readTree(json);
    return JsonFields.of(Path.of("in.jsonl"), line, node, Bad::new);
  }

  @Test
  void writeAtomicWritesIndentedJsonAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("sub/out.json");
    Json.writeAtomic(file, Map.of("a", 1));
    Json.writeAtomic(file, Map.of("a", 2));
    assertEquals("{\n  \"a\" : 2\n}", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("sub/out.json.tmp")));
  }

  @Test
  void writeAtomicNamesTheFileOnFailure() throws Exception {
    Path blocker = Files.writeString(dir.resolve("file"), "x");
    var e =
        assertThrows(
            java.io.UncheckedIOException.class,
            () -> Json.writeAtomic(blocker.resolve("out.json"), Map.of()));
    assertTrue(
        e.getMessage().startsWith("cannot write " + blocker.resolve("out.json")), e.getMessage());
  }

  @Test
  void lineIsOneLine() {
    assertEquals("{\"k\":[1,2]}", Json.line(Map.of("k", List.of(1, 2))));
  }

  @Test
  void fieldErrorsNameFileLineAndPathWithTheCallersType() throws Exception {
    JsonFields f = fields("{\"a\": {\"b\": [{\"c\": 2}], \"d\": [3]}, \"s\": 1, \"x\": {}}", 12);
    Bad e = assertThrows(Bad.class, () -> f.object("a").objects("b").getFirst().bit("c"));
    assertEquals("in.jsonl:12: field 'a.b[0].c': expected 0 or 1, got 2", e.getMessage());
    e = assertThrows(Bad.class, () -> f.object("a").objects("d"));
    assertEquals("in.jsonl:12: field 'a.d[0]': expected an object", e.getMessage());
    e = assertThrows(Bad.class, () -> f.text("s"));
    assertEquals("in.jsonl:12: field 's': expected a string, got 1", e.getMessage());
    e = assertThrows(Bad.class, () -> f.text("x"));
    assertEquals("in.jsonl:12: field 'x': expected a string, got object", e.getMessage());
    e = assertThrows(Bad.class, () -> f.text("missing"));
    assertEquals("in.jsonl:12: field 'missing': missing", e.getMessage());
    e = assertThrows(Bad.class, () -> f.allowOnly(Set.of("a", "s")));
    assertEquals("in.jsonl:12: field 'x': unknown field (known: [a, s])", e.getMessage());
  }

  @Test
  void aWholeFileHasNoLineAndNonFiniteNumbersAreReadWhereAllowed() throws Exception {
    JsonNode node = Json.LENIENT.readTree("{\"loss\": NaN, \"n\": 3}");
    JsonFields f = JsonFields.of(Path.of("m.json"), 0, node, Bad::new);
    assertTrue(Double.isNaN(f.real("loss", 0)));
    assertEquals(3, f.count("n"));
    Bad e = assertThrows(Bad.class, () -> f.number("loss"));
    assertEquals("m.json: field 'loss': expected a number, got \"NaN\"", e.getMessage());
  }
}
