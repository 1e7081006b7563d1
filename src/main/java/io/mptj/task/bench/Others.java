package io.mptj.task.bench;

import static io.mptj.task.read.Readers.classColumn;
import static io.mptj.task.read.Readers.fields;
import static io.mptj.task.read.Readers.idx;
import static io.mptj.task.read.Readers.jsonl;
import static io.mptj.task.read.Readers.parts;
import static io.mptj.task.read.Readers.tsv;

import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.task.Metric;
import io.mptj.task.SplitRecipe;
import io.mptj.task.T5Text;
import io.mptj.task.Task;
import io.mptj.task.TaskFiles;
import io.mptj.task.TaskKind;
import io.mptj.task.read.CsvReader;
import io.mptj.task.read.SquadReader;
import io.mptj.task.read.TsvReader.Format;
import java.util.List;

/**
 * The paper's "others" (Table 2: WinoGrande, Yelp-2, SciTail, PAWS-Wiki) and its QA source task
 * SQuAD, each read from its authors' distribution: SciTail v1.1 {@code snli_format} (AI2),
 * PAWS-Wiki labeled final (Google), WinoGrande 1.1 XL (AI2), Yelp review polarity CSV (Zhang et al.
 * 2015), SQuAD v1.1 JSON (Rajpurkar et al. 2016). Templates are ATTEMPT's.
 */
final class Others {
  private Others() {}

  static List<Task> all() {
    return List.of(scitail(), paws(), winogrande(), yelp(), squad());
  }

  /** SciTail as ATTEMPT loads it: the {@code snli_format} JSON Lines, labels entailment/neutral. */
  static Task scitail() {
    var labels = List.of("entailment", "neutral");
    var read =
        jsonl(
            o ->
                new Example(
                    "line-" + o.line(),
                    fields("premise", o.text("sentence1"), "hypothesis", o.text("sentence2")),
                    new Label.ClassIndex(o.classOf("gold_label", labels))));
    return Task.builder("others/scitail")
        .classes(labels.toArray(String[]::new))
        .file("train", "snli_format/scitail_1.0_train.txt", read)
        .file("validation", "snli_format/scitail_1.0_dev.txt", read)
        .file("test", "snli_format/scitail_1.0_test.txt", read)
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .t5("scitail", parts("premise:", "premise", "hypothesis:", "hypothesis"))
        .encoderFields("premise", "hypothesis")
        .source("SciTail v1.1 snli_format; ATTEMPT template")
        .build();
  }

  /** PAWS-Wiki labeled (final): TSV with a header, no quoting, all three splits labelled. */
  static Task paws() {
    var read =
        tsv(
            Format.withHeader("id", "sentence1", "sentence2", "label"),
            fields("sentence1", "sentence1", "sentence2", "sentence2"),
            classColumn("label", List.of("0", "1")));
    return Task.builder("others/paws")
        .classes("not_paraphrase", "paraphrase")
        .file("train", "train.tsv", read)
        .file("validation", "dev.tsv", read)
        .file("test", "test.tsv", read)
        .recipe(SplitRecipe.ORIGINAL)
        .t5("paws", parts("sentence1:", "sentence1", "sentence2:", "sentence2"))
        .encoderFields("sentence1", "sentence2")
        .source("PAWS-Wiki labeled final TSV; ATTEMPT template")
        .build();
  }

  /**
   * WinoGrande 1.1 with the XL train set. ATTEMPT's template writes option1 under both "option0:"
   * and "option1:" (a slip); mptj writes option1 and option2.
   */
  static Task winogrande() {
    var read =
        jsonl(
            o -> {
              Label label = Label.NONE;
              if (o.has("answer") && !o.text("answer").isEmpty()) {
                label = new Label.ClassIndex(o.classOf("answer", List.of("1", "2")));
              }
              String id = o.has("qID") ? o.text("qID") : idx(o);
              return new Example(
                  id,
                  fields(
                      "sentence",
                      o.text("sentence"),
                      "option1",
                      o.text("option1"),
                      "option2",
                      o.text("option2")),
                  label);
            });
    return Task.builder("others/winogrande")
        .classes("option1", "option2")
        .file("train", "train_xl.jsonl", read)
        .file("validation", "dev.jsonl", read)
        .file("test", "test.jsonl", read)
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5(
            "winogrande",
            parts("sentence:", "sentence", "option0:", "option1", "option1:", "option2"))
        .encoder(
            e ->
                new EncoderInput(
                    e.field("sentence"), e.field("option1") + " or " + e.field("option2")))
        .source("WinoGrande 1.1 JSONL (train_xl); ATTEMPT template")
        .build();
  }

  /**
   * Yelp review polarity: header-less CSV (class 1 = negative, 2 = positive; "\n" written as a
   * backslash and n). No validation file: 1,000 train examples are dev and the test file is test;
   * training is capped at 100,000 examples (MPT paper, p.16).
   *
   * <p>The text is decoded as the readme describes the file: RFC 4180 unquoting ({@code ""} is one
   * quote) and {@code \n} turned into a line break. This differs from the Hugging Face {@code
   * yelp_polarity} loader that ATTEMPT uses, which keeps the raw {@code line[5:-2].strip()}:
   * doubled quotes stay doubled, {@code \n} stays a backslash and an n, and surrounding spaces are
   * stripped. mptj keeps the decoded text on purpose, so that the input reads as the reviewer wrote
   * it; the two agree on every review without quotes, line breaks or edge spaces.
   */
  static Task yelp() {
    // RFC 4180 decoding and "\n" -> line break; HF keeps line[5:-2].strip() raw (see above)
    TaskFiles.FileReader read =
        (file, split) ->
            CsvReader.read(
                file,
                List.of("label", "text"),
                false,
                (row, i) ->
                    new Example(
                        split + "-" + i,
                        fields("text", row.get("text").replace("\\n", "\n")),
                        new Label.ClassIndex(row.classOf("label", List.of("1", "2")))));
    return Task.builder("others/yelp_polarity")
        .classes("negative", "positive")
        .file("train", "train.csv", read)
        .file("test", "test.csv", read)
        .recipe(SplitRecipe.CARVE_TRAIN)
        .heldOut("test")
        .trainCap(100_000)
        .t5("yelp_polarity", parts("sentence:", "text"))
        .encoderFields("text", null)
        .source("Yelp review polarity CSV (Zhang et al. 2015); ATTEMPT template")
        .build();
  }

  /** SQuAD v1.1, a QA source task: text-to-text only; punctuation padded as ATTEMPT does. */
  static Task squad() {
    TaskFiles.FileReader read = (file, split) -> SquadReader.read(file);
    return Task.builder("others/squad")
        .kind(TaskKind.GENERATION)
        .file("train", "train-v1.1.json", read)
        .file("validation", "dev-v1.1.json", read)
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5(
            "squad",
            e ->
                List.of(
                    "question:", T5Text.padPunctuation(e.field("question")),
                    "context:", T5Text.padPunctuation(e.field("context"))))
        .answerText(T5Text::padPunctuation)
        .encoderFields("question", "context")
        .metrics(Metric.SQUAD_EM, Metric.SQUAD_F1)
        .score(Metric.SQUAD_F1)
        .source("SQuAD v1.1 JSON; ATTEMPT template")
        .build();
  }
}
