package io.mptj.task.read;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.engine.JsonFields;
import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.ReadResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads SQuAD v1.1 files ({@code train-v1.1.json}, {@code dev-v1.1.json}): one JSON document {@code
 * {"version", "data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers":
 * [{"text", "answer_start"}]}]}]}]}}. Each question becomes one example whose label is its answer
 * texts (all of them; the dev file has several per question). Format: Rajpurkar et al. 2016,
 * https://rajpurkar.github.io/SQuAD-explorer/ and its official evaluate-v1.1.py.
 */
public final class SquadReader {
  private SquadReader() {}

  /** Reads every question of {@code file}. */
  public static ReadResult read(Path file) {
    JsonFields top = JsonFields.of(file, 0, parse(file), DataException::new);
    List<Example> out = new ArrayList<>();
    for (JsonFields article : top.objects("data")) {
      String title = article.has("title") ? article.text("title") : "";
      for (JsonFields paragraph : article.objects("paragraphs")) {
        String context = paragraph.text("context");
        for (JsonFields qa : paragraph.objects("qas")) {
          out.add(example(qa, title, context));
        }
      }
    }
    if (out.isEmpty()) {
      throw DataException.inFile(file, "has no questions");
    }
    return new ReadResult(file, out, List.of(), null);
  }

  private static Example example(JsonFields qa, String title, String context) {
    List<String> answers = new ArrayList<>();
    for (JsonFields a : qa.objects("answers")) {
      answers.add(a.text("text"));
    }
    if (answers.isEmpty()) {
      throw qa.error("answers", "SQuAD v1.1 questions have at least one answer");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("title", title);
    fields.put("context", context);
    fields.put("question", qa.text("question"));
    String id = qa.text("id");
    return new Example(id, fields, new Label.Answers(answers), id);
  }

  private static JsonNode parse(Path file) {
    try (BufferedReader in = TextLines.open(file)) {
      JsonNode node = Json.MAPPER.readTree(in);
      if (node == null || node.isMissingNode()) {
        throw DataException.inFile(file, "file is empty");
      }
      if (!node.isObject()) {
        throw DataException.inFile(file, "expected a JSON object with a 'data' array");
      }
      return node;
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      long line = at == null ? 0 : at.getLineNr();
      throw DataException.at(file, line, null, "not valid JSON: " + e.getOriginalMessage());
    } catch (CharacterCodingException e) {
      throw DataException.inFile(file, "not valid UTF-8 text (" + e + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
