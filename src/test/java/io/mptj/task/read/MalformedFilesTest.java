package io.mptj.task.read;

import static io.mptj.testing.DataFiles.write;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.DataException;
import io.mptj.task.ReadResult;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.testing.DataFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each reader family stops on a malformed file with an error naming the file, line and field. */
class MalformedFilesTest {
  @TempDir Path data;

  private String error(String task) {
    return assertThrows(DataException.class, () -> TaskRegistry.get(task).readFiles(data))
        .getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + p + "' not in: " + message);
    }
  }

  private void rteTrain(String... rows) {
    String[] lines = new String[rows.length + 1];
    lines[0] = "index\tsentence1\tsentence2\tlabel";
    System.arraycopy(rows, 0, lines, 1, rows.length);
    write(data, "glue/RTE/train.tsv", lines);
  }

  @Test
  void tsvWithTooFewColumns() {
    rteTrain("0\tA\tB\tentailment", "oops");
    assertMentions(error("glue/RTE"), "train.tsv:3:", "expected 4 tab-separated fields", "got 1");
  }

  @Test
  void tsvWithAnUnknownLabel() {
    rteTrain("0\tA\tB\tmaybe");
    assertMentions(error("glue/RTE"), "train.tsv:2:", "field 'label'", "'maybe'");
  }

  @Test
  void tsvHeaderWithoutTheLabelColumn() {
    write(data, "glue/RTE/train.tsv", "index\tsentence1\tsentence2", "0\tA\tB");
    assertMentions(error("glue/RTE"), "train.tsv:1:", "field 'label'", "header lacks");
  }

  @Test
  void emptyAndHeaderOnlyFiles() {
    write(data, "glue/RTE/train.tsv", "");
    assertMentions(error("glue/RTE"), "train.tsv", "empty");
    write(data, "glue/RTE/train.tsv", "index\tsentence1\tsentence2\tlabel");
    assertMentions(error("glue/RTE"), "train.tsv", "no data rows");
  }

  @Test
  void wrongEncoding() {
    DataFiles.bytes(
        data,
        "glue/SST-2/dev.tsv",
        new byte[] {
          's',
          'e',
          'n',
          't',
          'e',
          'n',
          'c',
          'e',
          '\t',
          'l',
          'a',
          'b',
          'e',
          'l',
          '\n',
          'c',
          'a',
          'f',
          (byte) 0xE9,
          '\t',
          '1',
          '\n'
        });
    assertMentions(error("glue/SST-2"), "dev.tsv:2:", "not valid UTF-8");
  }

  @Test
  void qqpShortRowsAreAQuirkButOtherTasksShortRowsAreErrors() {
    DataFiles.qqpWithAShortRow(data);
    ReadResult r = TaskRegistry.get("glue/QQP").read(data).get("train");
    assertTrue(r.examples().size() == 1 && r.warning().contains("train.tsv:2"), r.warning());
    write(
        data,
        "glue/QQP/train.tsv",
        "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
        "1\t2\t3\tA?\tB?\t0\textra");
    assertMentions(error("glue/QQP"), "train.tsv:2:", "got 7");
  }

  @Test
  void jsonlWithBadJson() {
    write(
        data,
        "superglue/CB/train.jsonl",
        "{\"premise\": \"A\", \"hypothesis\": \"B\", \"label\": \"neutral\", \"idx\": 0}",
        "{\"premise\": \"A\",");
    assertMentions(error("superglue/CB"), "train.jsonl:2:", "not valid JSON");
  }

  @Test
  void jsonlWithTrailingContentAfterTheObject() {
    String cb = "{\"premise\": \"A\", \"hypothesis\": \"B\", \"label\": \"neutral\", \"idx\": 0}";
    write(data, "superglue/CB/train.jsonl", cb, cb + " {\"idx\": 1}");
    assertMentions(error("superglue/CB"), "train.jsonl:2:", "not valid JSON", "Trailing token");
    write(data, "superglue/CB/train.jsonl", cb + " 7", cb);
    assertMentions(error("superglue/CB"), "train.jsonl:1:", "not valid JSON");
  }

  @Test
  void jsonlWithAMissingOrMistypedField() {
    write(
        data,
        "superglue/CB/train.jsonl",
        "{\"premise\": \"A\", \"label\": \"neutral\", \"idx\": 0}");
    assertMentions(error("superglue/CB"), "train.jsonl:1:", "field 'hypothesis'", "missing");
    write(
        data,
        "superglue/BoolQ/val.jsonl",
        "{\"question\": \"q\", \"passage\": \"p\", \"label\": \"yes\", \"idx\": 0}");
    assertMentions(error("superglue/BoolQ"), "val.jsonl:1:", "field 'label'", "true or false");
  }

  @Test
  void nestedMultircFieldsAreNamedByPath() {
    write(
        data,
        "superglue/MultiRC/val.jsonl",
        "{\"idx\": 0, \"passage\": {\"text\": \"T\", \"questions\": [{\"question\": \"Q\", \"idx\": 0, \"answers\": [{\"text\": \"a\", \"idx\": 0, \"label\": 3}]}]}}");
    assertMentions(
        error("superglue/MultiRC"),
        "val.jsonl:1:",
        "passage.questions[0].answers[0].label",
        "0 or 1");
  }

  @Test
  void csvWithAnUnclosedQuoteOrWrongFields() {
    write(data, "others/yelp_polarity/train.csv", "\"1\",\"fine\"", "\"2\",\"never closed");
    assertMentions(error("others/yelp_polarity"), "train.csv:2:", "not closed");
    write(data, "others/yelp_polarity/train.csv", "\"1\",\"fine\",\"extra\"");
    assertMentions(
        error("others/yelp_polarity"), "train.csv:1:", "expected 2 comma-separated fields");
    write(data, "others/yelp_polarity/train.csv", "\"3\",\"fine\"");
    assertMentions(error("others/yelp_polarity"), "train.csv:1:", "field 'label'", "'3'");
  }

  @Test
  void csvEncodingErrorsNameTheLineOfTheBadByte() {
    byte[] head = "\"1\",\"fine\"\n\"2\",\"two\nlines\"\n\"1\",\"caf".getBytes(UTF_8);
    byte[] tail = "\"\n".getBytes(UTF_8);
    DataFiles.bytes(data, "others/yelp_polarity/train.csv", concat(head, (byte) 0xE9, tail));
    assertMentions(error("others/yelp_polarity"), "train.csv:4:", "not valid UTF-8");
    byte[] inQuotes = "\"1\",\"fine\"\n\"2\",\"two\nlin".getBytes(UTF_8);
    DataFiles.bytes(data, "others/yelp_polarity/train.csv", concat(inQuotes, (byte) 0xFF, tail));
    assertMentions(error("others/yelp_polarity"), "train.csv:3:", "not valid UTF-8");
  }

  private static byte[] concat(byte[] a, byte b, byte[] c) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + 1 + c.length);
    out[a.length] = b;
    System.arraycopy(c, 0, out, a.length + 1, c.length);
    return out;
  }

  @Test
  void squadJsonWithAMissingQuestionOrBadSyntax() {
    write(
        data,
        "others/squad/train-v1.1.json",
        "{\"data\": [{\"title\": \"t\", \"paragraphs\": [{\"context\": \"c\", \"qas\": [{\"id\": \"1\", \"answers\": [{\"text\": \"a\", \"answer_start\": 0}]}]}]}]}");
    assertMentions(
        error("others/squad"),
        "train-v1.1.json",
        "data[0].paragraphs[0].qas[0].question",
        "missing");
    write(data, "others/squad/train-v1.1.json", "{\"data\": [", "  {\"title\": }");
    assertMentions(error("others/squad"), "train-v1.1.json:2:", "not valid JSON");
  }

  @Test
  void missingTaskFolderSaysWhereAndHow() {
    assertMentions(
        error("glue/MNLI"),
        data.resolve("glue/MNLI").toString(),
        "data download glue/MNLI",
        "MPTJ_DATA_DIR");
  }
}
