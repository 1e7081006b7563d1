package io.mptj.task.bench;

import static io.mptj.task.read.Readers.UNLABELLED;
import static io.mptj.task.read.Readers.classColumn;
import static io.mptj.task.read.Readers.fields;
import static io.mptj.task.read.Readers.parts;
import static io.mptj.task.read.Readers.scoreColumn;
import static io.mptj.task.read.Readers.tsv;

import io.mptj.task.Metric;
import io.mptj.task.SplitRecipe;
import io.mptj.task.Task;
import io.mptj.task.TaskFiles;
import io.mptj.task.TaskKind;
import io.mptj.task.read.TsvReader.Format;
import java.util.List;

/**
 * The eight GLUE tasks of the paper (Wang et al. 2019, https://gluebenchmark.com), read from the
 * files of GLUE's archives ({@code https://dl.fbaipublicfiles.com/glue/data/*.zip}; MRPC rebuilt
 * from the MSR files by GLUE's recipe, see {@link io.mptj.task.data.DataSources}). Label names and
 * orders are those of the Hugging Face {@code glue} loader, which ATTEMPT reads; templates are
 * ATTEMPT's.
 */
final class Glue {
  private Glue() {}

  private static final List<String> BINARY = List.of("0", "1");
  private static final String SRC = "GLUE TSV; ATTEMPT templates";

  static List<Task> all() {
    return List.of(mnli(), qqp(), qnli(), sst2(), stsb(), mrpc(), rte(), cola());
  }

  static Task mnli() {
    var labels = List.of("entailment", "neutral", "contradiction");
    var cols = fields("premise", "sentence1", "hypothesis", "sentence2");
    var labelled =
        tsv(
            Format.withHeader("sentence1", "sentence2", "gold_label"),
            cols,
            classColumn("gold_label", labels));
    var test = tsv(Format.withHeader("sentence1", "sentence2"), cols, UNLABELLED);
    return Task.builder("glue/MNLI")
        .classes(labels.toArray(String[]::new))
        .file("train", "train.tsv", labelled)
        .file("validation_matched", "dev_matched.tsv", labelled)
        .file("validation_mismatched", "dev_mismatched.tsv", labelled)
        .file("test_matched", "test_matched.tsv", test)
        .file("test_mismatched", "test_mismatched.tsv", test)
        .recipe(SplitRecipe.MNLI)
        .t5("mnli", parts("premise:", "premise", "hypothesis:", "hypothesis"))
        .encoderFields("premise", "hypothesis")
        .source(SRC)
        .build();
  }

  static Task qqp() {
    var cols = fields("question1", "question1", "question2", "question2");
    String quirk = "GLUE's QQP file has rows whose tab separator is broken, too few fields";
    var labelled =
        tsv(
            Format.withHeader("question1", "question2", "is_duplicate").skippingShortRows(quirk),
            cols,
            classColumn("is_duplicate", BINARY));
    return pairTask(
            "glue/QQP",
            labelled,
            tsv(Format.withHeader("question1", "question2"), cols, UNLABELLED))
        .classes("not_duplicate", "duplicate")
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5("qqp", parts("question1:", "question1", "question2:", "question2"))
        .encoderFields("question1", "question2")
        .metrics(Metric.F1, Metric.ACCURACY)
        .score(Metric.ACCURACY)
        .build();
  }

  static Task qnli() {
    var labels = List.of("entailment", "not_entailment");
    var cols = fields("question", "question", "sentence", "sentence");
    var labelled =
        tsv(Format.withHeader("question", "sentence", "label"), cols, classColumn("label", labels));
    return pairTask(
            "glue/QNLI", labelled, tsv(Format.withHeader("question", "sentence"), cols, UNLABELLED))
        .classes(labels.toArray(String[]::new))
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5("qnli", parts("question:", "question", "sentence:", "sentence"))
        .encoderFields("question", "sentence")
        .build();
  }

  static Task sst2() {
    var cols = fields("sentence", "sentence");
    var labelled = tsv(Format.withHeader("sentence", "label"), cols, classColumn("label", BINARY));
    return pairTask("glue/SST-2", labelled, tsv(Format.withHeader("sentence"), cols, UNLABELLED))
        .classes("negative", "positive")
        .recipe(SplitRecipe.CARVE_TRAIN)
        .t5("sst2", parts("sentence:", "sentence"))
        .encoderFields("sentence", null)
        .build();
  }

  static Task stsb() {
    var cols = fields("sentence1", "sentence1", "sentence2", "sentence2");
    var labelled =
        tsv(Format.withHeader("sentence1", "sentence2", "score"), cols, scoreColumn("score"));
    return pairTask(
            "glue/STS-B",
            labelled,
            tsv(Format.withHeader("sentence1", "sentence2"), cols, UNLABELLED))
        .kind(TaskKind.REGRESSION)
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .t5("stsb", parts("sentence1:", "sentence1", "sentence2:", "sentence2"))
        .encoderFields("sentence1", "sentence2")
        .metrics(Metric.PEARSON, Metric.SPEARMAN)
        .score(Metric.PEARSON)
        .build();
  }

  static Task mrpc() {
    var cols = fields("sentence1", "#1 String", "sentence2", "#2 String");
    var labelled =
        tsv(
            Format.withHeader("Quality", "#1 String", "#2 String"),
            cols,
            classColumn("Quality", BINARY));
    var test = tsv(Format.withHeader("#1 String", "#2 String"), cols, UNLABELLED);
    return pairTask("glue/MRPC", labelled, test)
        .classes("not_equivalent", "equivalent")
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .t5("mrpc", parts("sentence1:", "sentence1", "sentence2:", "sentence2"))
        .encoderFields("sentence1", "sentence2")
        .metrics(Metric.F1, Metric.ACCURACY)
        .score(Metric.ACCURACY)
        .build();
  }

  static Task rte() {
    var labels = List.of("entailment", "not_entailment");
    var cols = fields("sentence1", "sentence1", "sentence2", "sentence2");
    var labelled =
        tsv(
            Format.withHeader("sentence1", "sentence2", "label"),
            cols,
            classColumn("label", labels));
    return pairTask(
            "glue/RTE",
            labelled,
            tsv(Format.withHeader("sentence1", "sentence2"), cols, UNLABELLED))
        .classes(labels.toArray(String[]::new))
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .t5("rte", parts("sentence1:", "sentence1", "sentence2:", "sentence2"))
        .encoderFields("sentence1", "sentence2")
        .build();
  }

  /** CoLA: train and dev have no header (source, label, original label, sentence). */
  static Task cola() {
    var cols = fields("sentence", "sentence");
    var labelled =
        tsv(
            Format.headerless("source", "label", "original_label", "sentence"),
            cols,
            classColumn("label", BINARY));
    return pairTask("glue/CoLA", labelled, tsv(Format.withHeader("sentence"), cols, UNLABELLED))
        .classes("unacceptable", "acceptable")
        .recipe(SplitRecipe.HALVE_VALIDATION)
        .t5("cola", parts("sentence:", "sentence"))
        .encoderFields("sentence", null)
        .metrics(Metric.MATTHEWS)
        .build();
  }

  private static Task.Builder pairTask(
      String name, TaskFiles.FileReader labelled, TaskFiles.FileReader test) {
    return Task.builder(name)
        .file("train", "train.tsv", labelled)
        .file("validation", "dev.tsv", labelled)
        .file("test", "test.tsv", test)
        .source(SRC);
  }
}
