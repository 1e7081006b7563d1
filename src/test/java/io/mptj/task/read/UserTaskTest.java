package io.mptj.task.read;

import static io.mptj.testing.DataFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.DataException;
import io.mptj.task.EncoderInput;
import io.mptj.task.Example;
import io.mptj.task.Metric;
import io.mptj.task.SplitRecipe;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.task.bench.TaskRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User tasks from YAML / JSON specs over CSV, TSV and JSONL files, and their errors. */
class UserTaskTest {
  @TempDir Path dir;

  @Test
  void yamlSpecOverCsvWithLabelNamesOrIndices() {
    write(
        dir,
        "train.csv",
        "\uFEFFreview,stars", // a byte-order mark, as spreadsheet exports write
        "\"Great, really\",positive",
        "Awful,0",
        "Fine,1",
        "Meh,negative");
    write(dir, "dev.csv", "review,stars", "Good,positive", "Bad,negative");
    Path spec =
        write(
            dir,
            "sentiment.yaml",
            "name: my/sentiment",
            "files: {train: train.csv, validation: dev.csv}",
            "text: review",
            "label: stars",
            "labels: [negative, positive]",
            "metrics: [accuracy, macro_f1]",
            "template: \"sentiment review: {review}\"");
    Task t = TaskRegistry.get(spec.toString());
    assertEquals("my/sentiment", t.name());
    List<Example> train = t.readFiles(Path.of("/unused")).get("train");
    assertEquals(List.of(1, 0, 1, 0), train.stream().map(Example::classIndex).toList());
    assertEquals("sentiment review: Great, really", t.t5Source(train.getFirst()));
    assertEquals(List.of("accuracy", "macro_f1", "avg"), t.metricNames());
    assertEquals(
        List.of(4, 1, 1),
        List.of(
            t.splits(dir).train().size(), t.splits(dir).dev().size(), t.splits(dir).test().size()));
  }

  @Test
  void jsonSpecOverJsonlRegressionWithDefaultTemplate() {
    write(
        dir,
        "data/train.jsonl",
        "{\"a\": \"x\", \"b\": \"y\", \"sim\": 4.2}",
        "{\"a\": \"p\", \"b\": \"q\", \"sim\": 1}");
    write(dir, "data/test.jsonl", "{\"a\": \"x\", \"b\": \"y\"}");
    write(dir, "data/dev.jsonl", "{\"a\": \"x\", \"b\": \"y\", \"sim\": \"2.0\"}");
    Path spec =
        write(
            dir,
            "sim.json",
            "{\"files\": {\"train\": \"data/train.jsonl\", \"validation\": \"data/dev.jsonl\", \"test\": \"data/test.jsonl\"}, \"text\": \"a\", \"pair\": \"b\", \"label\": \"sim\", \"regression\": true, \"splits\": \"halve-validation\"}");
    Task t = TaskRegistry.get(spec.toString());
    assertEquals("sim", t.name());
    assertEquals(TaskKind.REGRESSION, t.kind());
    Map<String, List<Example>> f = t.readFiles(dir);
    assertEquals(4.2, f.get("train").getFirst().score());
    assertEquals("sim a: x b: y", t.t5Source(f.get("train").getFirst()));
    assertEquals(new EncoderInput("x", "y"), t.encoderInput(f.get("train").getFirst()));
    assertTrue(!f.get("test").getFirst().labelled());
    assertEquals(List.of("pearson", "spearman", "avg"), t.metricNames());
  }

  @Test
  void tsvWithoutHeaderNeedsColumns() {
    write(dir, "train.tsv", "hello\t1", "bye\t0");
    Path spec =
        write(
            dir,
            "t.yaml",
            "files: {train: train.tsv}",
            "header: false",
            "columns: [s, y]",
            "text: s",
            "label: y",
            "labels: [no, yes]");
    Task t = TaskRegistry.get(spec.toString());
    assertEquals(
        List.of(1, 0), t.readFiles(dir).get("train").stream().map(Example::classIndex).toList());
  }

  @Test
  void csvRowsAreAsWideAsTheRawHeaderEvenWithRepeatedNames() {
    write(dir, "train.csv", "s,note,note,y", "hello,n1,n2,b", "bye,,,a");
    Path spec =
        write(dir, "t.yaml", "files: {train: train.csv}", "text: s", "label: y", "labels: [a, b]");
    List<Example> train = TaskRegistry.get(spec.toString()).readFiles(dir).get("train");
    assertEquals(List.of(1, 0), train.stream().map(Example::classIndex).toList());
    write(dir, "train.csv", "s,note,note,y", "hello,n1,b");
    String m =
        assertThrows(DataException.class, () -> TaskRegistry.get(spec.toString()).readFiles(dir))
            .getMessage();
    assertTrue(m.contains("train.csv:2:") && m.contains("expected 4") && m.contains("got 3"), m);
  }

  private String specError(String... lines) {
    Path spec = write(dir, "bad.yaml", lines);
    return assertThrows(DataException.class, () -> TaskRegistry.get(spec.toString())).getMessage();
  }

  @Test
  void specErrorsNameTheFileLineAndField() {
    String unknown =
        specError(
            "files: {train: a.csv}", "text: s", "label: y", "labels: [a, b]", "lables: [a, b]");
    assertTrue(
        unknown.contains("bad.yaml:5:")
            && unknown.contains("'lables'")
            && unknown.contains("unknown key"),
        unknown);
    String nullLabel =
        specError("files: {train: a.csv}", "text: s", "label: y", "labels: [a, null, b]");
    assertTrue(nullLabel.contains("'labels'") && nullLabel.contains("non-empty"), nullLabel);
    String neither = specError("files: {train: a.csv}", "text: s", "label: y");
    assertTrue(neither.contains("bad.yaml") && neither.contains("'labels'"), neither);
    String template =
        specError(
            "files: {train: a.csv}",
            "text: s",
            "label: y",
            "labels: [a, b]",
            "template: \"x {z}\"");
    assertTrue(template.contains("'template'") && template.contains("{z}"), template);
    String metric =
        specError(
            "files: {train: a.csv}", "text: s", "label: y", "labels: [a, b]", "metrics: [pearson]");
    assertTrue(metric.contains("'metrics'") && metric.contains("pearson"), metric);
  }

  @Test
  void binaryMetricsNeedTwoLabelsAndTheScoreMustBeAMetric() {
    String f1 =
        specError(
            "files: {train: a.csv}",
            "text: s",
            "label: y",
            "labels: [a, b, c]",
            "metrics: [accuracy, f1]");
    assertTrue(f1.contains("bad.yaml:5: field 'metrics'") && f1.contains("2 labels"), f1);
    String mcc =
        specError(
            "files: {train: a.csv}", "text: s", "label: y", "labels: [a]", "metrics: [matthews]");
    assertTrue(mcc.contains("'labels'"), mcc);
    String score =
        specError(
            "files: {train: a.csv}",
            "text: s",
            "label: y",
            "labels: [a, b, c]",
            "metrics: [accuracy]",
            "score: macro_f1");
    assertTrue(
        score.contains("bad.yaml:6: field 'score'") && score.contains("not one of the metrics"),
        score);
    Path ok =
        write(
            dir,
            "ok.yaml",
            "files: {train: a.csv}",
            "text: s",
            "label: y",
            "labels: [a, b]",
            "metrics: [accuracy, matthews]",
            "score: matthews");
    assertEquals(Metric.MATTHEWS, TaskRegistry.get(ok.toString()).scoreMetric());
  }

  @Test
  void digitLabelNamesAreNeverReadAsIndices() {
    write(dir, "train.csv", "s,y", "one,1", "two,2");
    Path spec =
        write(dir, "t.yaml", "files: {train: train.csv}", "text: s", "label: y", "labels: [1, 2]");
    Task t = TaskRegistry.get(spec.toString());
    List<Example> train = t.readFiles(dir).get("train");
    assertEquals(List.of(0, 1), train.stream().map(Example::classIndex).toList());
    write(dir, "train.csv", "s,y", "one,1", "zero,0");
    String m = assertThrows(DataException.class, () -> t.readFiles(dir)).getMessage();
    assertTrue(m.contains("train.csv:3:") && m.contains("'0'") && !m.contains("index"), m);
  }

  @Test
  void trainAndTestFilesCarveDevOutOfTrain() {
    String[] rows = new String[1011];
    rows[0] = "s,y";
    for (int i = 1; i < rows.length; i++) {
      rows[i] = "text " + i + "," + (i % 2 == 0 ? "a" : "b");
    }
    write(dir, "train.csv", rows);
    write(dir, "test.csv", "s,y", "x,a", "z,b");
    Path spec =
        write(
            dir,
            "t.yaml",
            "files: {train: train.csv, test: test.csv}",
            "text: s",
            "label: y",
            "labels: [a, b]");
    Task t = TaskRegistry.get(spec.toString());
    assertEquals(SplitRecipe.CARVE_TRAIN, t.splitRecipe());
    Splits s = t.splits(dir);
    assertEquals(List.of(10, 1000, 2), List.of(s.train().size(), s.dev().size(), s.test().size()));
    assertEquals("x", s.test().getFirst().field("s"));
  }

  @Test
  void missingUserFilesNameTheSpecEntryNotTheDownloader() {
    write(dir, "train.csv", "s,y", "one,a");
    Path spec =
        write(
            dir,
            "t.yaml",
            "files:",
            "  train: train.csv",
            "  test: data/test.csv",
            "text: s",
            "label: y",
            "labels: [a, b]");
    Task t = TaskRegistry.get(spec.toString());
    String m = assertThrows(DataException.class, () -> t.readFiles(dir)).getMessage();
    assertTrue(
        m.contains("t.yaml:1: field 'files.test'")
            && m.contains("data/test.csv")
            && m.contains(dir.resolve("data/test.csv").toString())
            && !m.contains("download"),
        m);
    write(dir, "data/test.csv", "s,y", "two,b");
    Path original =
        write(
            dir,
            "o.yaml",
            "files: {train: train.csv, test: data/test.csv}",
            "splits: original",
            "text: s",
            "label: y",
            "labels: [a, b]");
    String split =
        assertThrows(DataException.class, () -> TaskRegistry.get(original.toString()).splits(dir))
            .getMessage();
    assertTrue(
        split.contains("o.yaml:1: field 'files'")
            && split.contains("validation")
            && !split.contains("download"),
        split);
  }

  @Test
  void badLabelInAUserFileNamesLineAndField() {
    write(dir, "train.csv", "s,y", "ok,a", "bad,c");
    Path spec =
        write(dir, "t.yaml", "files: {train: train.csv}", "text: s", "label: y", "labels: [a, b]");
    Task t = TaskRegistry.get(spec.toString());
    String m = assertThrows(DataException.class, () -> t.readFiles(dir)).getMessage();
    assertTrue(m.contains("train.csv:3:") && m.contains("field 'y'") && m.contains("'c'"), m);
  }
}
