package io.mptj.task.bench;

import static io.mptj.task.read.Readers.fields;
import static io.mptj.task.read.Readers.idx;
import static io.mptj.task.read.Readers.jsonl;
import static io.mptj.task.read.Readers.jsonlMany;
import static io.mptj.task.read.Readers.parts;
import static io.mptj.task.read.Readers.texts;

import io.mptj.engine.JsonFields;
import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Metric;
import io.mptj.task.SplitRecipe;
import io.mptj.task.T5Text;
import io.mptj.task.Task;
import io.mptj.task.TaskFiles;
import io.mptj.task.TaskKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The SuperGLUE tasks (Wang et al. 2019, https://super.gluebenchmark.com), read from the JSON Lines
 * files of the v2 archives ({@code https://dl.fbaipublicfiles.com/glue/superglue/data/v2/ *.zip}:
 * {@code train.jsonl}, {@code val.jsonl}, {@code test.jsonl}). Labels follow the Hugging Face
 * {@code super_glue} loader (booleans as False/True, CB as entailment/contradiction/neutral), WSC
 * gets that loader's {@code wsc.fixed} span repairs, and templates are ATTEMPT's.
 */
final class SuperGlue {
  private SuperGlue() {}

  private static final List<String> FALSE_TRUE = List.of("False", "True");
  private static final String SRC = "SuperGLUE v2 JSONL; ATTEMPT templates";

  static List<Task> all() {
    return List.of(boolq(), cb(), copa(), multirc(), rte(), wic(), wsc(), record());
  }

  static Task boolq() {
    var read = jsonl(o -> new Example(idx(o), texts(o, "question", "passage"), bool(o)));
    return files("superglue/BoolQ", read)
        .classes("False", "True")
        .t5("superglue-boolq", parts("question:", "question", "passage:", "passage"))
        .encoderFields("question", "passage")
        .build();
  }

  static Task cb() {
    var labels = List.of("entailment", "contradiction", "neutral");
    var read = jsonl(o -> new Example(idx(o), texts(o, "premise", "hypothesis"), named(o, labels)));
    return files("superglue/CB", read)
        .classes(labels.toArray(String[]::new))
        .t5("superglue-cb", parts("premise:", "premise", "hypothesis:", "hypothesis"))
        .encoderFields("premise", "hypothesis")
        .metrics(Metric.MACRO_F1, Metric.ACCURACY)
        .score(Metric.ACCURACY)
        .build();
  }

  /** COPA: ATTEMPT's template leaves out the cause/effect question; the encoder input keeps it. */
  static Task copa() {
    var read =
        jsonl(
            o -> {
              Label label = o.has("label") ? new Label.ClassIndex(o.bit("label")) : Label.NONE;
              return new Example(
                  idx(o), texts(o, "premise", "choice1", "choice2", "question"), label);
            });
    return files("superglue/COPA", read)
        .classes("choice1", "choice2")
        .t5(
            "superglue-copa",
            parts("premise:", "premise", "choice1:", "choice1", "choice2:", "choice2"))
        .encoder(
            e ->
                new EncoderInput(
                    e.field("premise") + " What was the " + e.field("question") + "?",
                    e.field("choice1") + " or " + e.field("choice2")))
        .build();
  }

  /** MultiRC: one example per answer option, grouped by question; 348 input tokens. */
  static Task multirc() {
    var read = jsonlMany(SuperGlue::multircLine);
    return files("superglue/MultiRC", read)
        .classes("False", "True")
        .t5(
            "superglue-multirc",
            e ->
                List.of(
                    "question:", T5Text.removeMarkup(e.field("question")),
                    "answer:", T5Text.removeMarkup(e.field("answer")),
                    "paragraph:", T5Text.removeMarkup(e.field("paragraph"))))
        .encoder(
            e ->
                new EncoderInput(
                    e.field("question") + " " + e.field("answer"), e.field("paragraph")))
        .metrics(Metric.F1A, Metric.GROUP_EM)
        .maxInputLength(348)
        .build();
  }

  private static void multircLine(JsonFields o, Consumer<Example> out) {
    String p = o.node().path("idx").asText(Long.toString(o.line()));
    JsonFields passage = o.object("passage");
    String paragraph = passage.text("text");
    for (JsonFields q : passage.objects("questions")) {
      String group = p + "-" + q.node().path("idx").asText();
      String question = q.text("question");
      for (JsonFields a : q.objects("answers")) {
        Label label = a.has("label") ? new Label.ClassIndex(a.bit("label")) : Label.NONE;
        String id = group + "-" + a.node().path("idx").asText();
        var f = fields("paragraph", paragraph, "question", question, "answer", a.text("text"));
        out.accept(new Example(id, f, label, group));
      }
    }
  }

  static Task rte() {
    var labels = List.of("entailment", "not_entailment");
    var read = jsonl(o -> new Example(idx(o), texts(o, "premise", "hypothesis"), named(o, labels)));
    return files("superglue/RTE", read)
        .classes(labels.toArray(String[]::new))
        .t5("superglue-rte", parts("premise:", "premise", "hypothesis:", "hypothesis"))
        .encoderFields("premise", "hypothesis")
        .build();
  }

  static Task wic() {
    var read = jsonl(o -> new Example(idx(o), texts(o, "word", "sentence1", "sentence2"), bool(o)));
    return files("superglue/WiC", read)
        .classes("False", "True")
        .t5(
            "superglue-wic",
            parts("sentence1:", "sentence1", "sentence2:", "sentence2", "word:", "word"))
        .encoder(
            e ->
                new EncoderInput(
                    e.field("word") + ": " + e.field("sentence1"), e.field("sentence2")))
        .build();
  }

  /** WSC with T5's span marking: {@code *} around the noun, {@code #} around the pronoun. */
  static Task wsc() {
    var read = jsonl(SuperGlue::wscExample);
    Function<Example, String> marked = SuperGlue::markedWsc;
    return files("superglue/WSC", read)
        .classes("False", "True")
        .t5("superglue-wsc.fixed", e -> List.of("text:", marked.apply(e)))
        .encoder(e -> new EncoderInput(marked.apply(e), null))
        .build();
  }

  private static Example wscExample(JsonFields o) {
    JsonFields t = o.object("target");
    var f =
        fields(
            "text", o.text("text"),
            "span1_text", t.text("span1_text"),
            "span1_index", Integer.toString(t.integer("span1_index")),
            "span2_text", t.text("span2_text"),
            "span2_index", Integer.toString(t.integer("span2_index")));
    WscFix.apply(f);
    return new Example(idx(o), f, bool(o));
  }

  private static String markedWsc(Example e) {
    int i1 = Integer.parseInt(e.field("span1_index"));
    int i2 = Integer.parseInt(e.field("span2_index"));
    String text = T5Text.markSpan(e.field("text"), e.field("span1_text"), i1, "*");
    int shifted = i2 + (i1 < i2 ? 2 : 0);
    return T5Text.markSpan(text, e.field("span2_text"), shifted, "#");
  }

  /**
   * ReCoRD: one example per query, whose label is its distinct answer texts; the entities are the
   * passage's distinct entity spans, sorted (as the Hugging Face loader gives them to ATTEMPT).
   */
  static Task record() {
    var read = jsonlMany(SuperGlue::recordLine);
    return Task.builder("superglue/ReCoRD")
        .kind(TaskKind.GENERATION)
        .file("train", "train.jsonl", read)
        .file("validation", "val.jsonl", read)
        .file("test", "test.jsonl", read)
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5(
            "superglue-record",
            e ->
                List.of(
                    "record query:", e.field("query"),
                    "entities:", e.field("entities"),
                    "passage:", T5Text.recordPassage(e.field("passage"))))
        .encoderFields("query", "passage")
        .metrics(Metric.SQUAD_F1, Metric.SQUAD_EM)
        .source(SRC)
        .build();
  }

  private static void recordLine(JsonFields o, Consumer<Example> out) {
    JsonFields passage = o.object("passage");
    String text = passage.text("text");
    TreeSet<String> entities = new TreeSet<>();
    for (JsonFields span : passage.objects("entities")) {
      entities.add(slice(text, span));
    }
    for (JsonFields qa : o.objects("qas")) {
      TreeSet<String> answers = new TreeSet<>();
      if (qa.has("answers")) {
        for (JsonFields a : qa.objects("answers")) {
          answers.add(a.text("text"));
        }
      }
      String id = idx(qa);
      Label label = answers.isEmpty() ? Label.NONE : new Label.Answers(new ArrayList<>(answers));
      var f =
          fields(
              "passage", text, "query", qa.text("query"), "entities", String.join(", ", entities));
      out.accept(new Example(id, f, label, id));
    }
  }

  /** {@code text[start:end+1]} in code points, as the offsets count them (Python indexing). */
  private static String slice(String text, JsonFields span) {
    int start = span.integer("start");
    int end = span.integer("end");
    int points = text.codePointCount(0, text.length());
    if (start < 0 || end < start || end >= points) {
      throw span.error(
          "end",
          "entity span "
              + start
              + ".."
              + end
              + " is outside the passage ("
              + points
              + " characters)");
    }
    int from = text.offsetByCodePoints(0, start);
    return text.substring(from, text.offsetByCodePoints(from, end - start + 1));
  }

  private static Task.Builder files(String name, TaskFiles.FileReader read) {
    return Task.builder(name)
        .file("train", "train.jsonl", read)
        .file("validation", "val.jsonl", read)
        .file("test", "test.jsonl", read)
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .source(SRC);
  }

  private static Label bool(JsonFields o) {
    return o.has("label") ? new Label.ClassIndex(o.bool("label") ? 1 : 0) : Label.NONE;
  }

  private static Label named(JsonFields o, List<String> labels) {
    return o.has("label") ? new Label.ClassIndex(o.classOf("label", labels)) : Label.NONE;
  }

  /**
   * The Hugging Face {@code wsc.fixed} repairs of spans that are not substrings of the text ({@code
   * _fix_wst} in its {@code super_glue.py}). As there, the span's index is read before the
   * "theyscold" repair moves span 2 to word 10, so the case fix looks at the original word.
   */
  static final class WscFix {
    private WscFix() {}

    static void apply(Map<String, String> f) {
      fix(f, "span1");
      fix(f, "span2");
    }

    private static void fix(Map<String, String> f, String span) {
      String text = f.get(span + "_text");
      int index = Integer.parseInt(f.get(span + "_index"));
      String all = f.get("text");
      if (all.contains(text)
          || text.equals("Kamenev and Zinoviev")
          || text.equals("Kamenev, Zinoviev, and Stalin")) {
        return;
      }
      if (text.contains("theyscold")) {
        f.put("span2_index", "10");
      }
      text = caseOf(all.strip().split("\\s+"), index, text);
      text = text.replaceAll("\\.+$", "").replace("\n", " ");
      f.put(span + "_text", text);
    }

    /** The span with its first letter in the case of the text's word at {@code index}. */
    private static String caseOf(String[] words, int index, String text) {
      if (index >= words.length || words[index].isEmpty() || text.isEmpty()) {
        return text;
      }
      String head = text.substring(0, 1);
      boolean lower = Character.isLowerCase(words[index].charAt(0));
      head = lower ? head.toLowerCase(Locale.ROOT) : head.toUpperCase(Locale.ROOT);
      return head + text.substring(1);
    }
  }
}
