package io.mptj.task.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.ReadResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads JSON Lines files (one JSON object per line), the format of SuperGLUE, SciTail's {@code
 * snli_format} and WinoGrande. A line may yield several examples (MultiRC: one per answer option;
 * ReCoRD: one per query). See https://jsonlines.org and the SuperGLUE data README. Anything after
 * the object on its line (a second object, stray text) is an error, as in Python's {@code
 * json.loads} that the reference loaders call per line.
 */
public final class JsonlReader {
  private JsonlReader() {}

  private static final ObjectReader JSON =
      Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Turns one line's object into examples, passed to {@code out}. */
  @FunctionalInterface
  public interface LineMapper {
    void map(JsonFields object, Consumer<Example> out);
  }

  /** Reads every line of {@code file}. */
  public static ReadResult read(Path file, LineMapper mapper) {
    List<Example> out = new ArrayList<>();
    TextLines.forEach(
        file,
        (line, number) ->
            mapper.map(
                JsonFields.of(file, number, parse(file, number, line), DataException::new),
                out::add));
    return new ReadResult(file, out, List.of(), null);
  }

  private static JsonNode parse(Path file, long number, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw DataException.at(file, number, null, "not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw DataException.at(file, number, null, "expected a JSON object on this line");
    }
    return node;
  }
}
