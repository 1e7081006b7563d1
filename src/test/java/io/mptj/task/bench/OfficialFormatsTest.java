package io.mptj.task.bench;

import static io.mptj.testing.DataFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.Example;
import io.mptj.task.Splits;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers of the tasks that ../shared/data lacks, on small files written exactly in each dataset's
 * documented distribution format (column layouts from GLUE's archives, SuperGLUE's JSONL, the
 * SciTail / PAWS / WinoGrande / Yelp / SQuAD releases), and their ATTEMPT templates.
 */
class OfficialFormatsTest {
  @TempDir Path data;

  @Test
  void mnliReadsByHeaderNameWithoutQuoting() {
    String h12 =
        "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse"
            + "\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label";
    write(
        data,
        "glue/MNLI/train.tsv",
        h12,
        "0\t31193\t31193n\tgovernment\t(\t(\t(\t(\t\"Conceptually cream skimming\tProduct and geography\tneutral\tneutral");
    String h15 =
        h12.replace("label1\tgold_label", "label1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label");
    write(
        data,
        "glue/MNLI/dev_matched.tsv",
        h15,
        "0\t1\t1e\tfiction\t(\t(\t(\t(\tA\tB\te\te\te\te\te\tentailment");
    write(
        data,
        "glue/MNLI/dev_mismatched.tsv",
        h15,
        "0\t1\t1c\tletters\t(\t(\t(\t(\tC\tD\tc\tc\tc\tc\tc\tcontradiction");
    String h10 =
        "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";
    write(data, "glue/MNLI/test_matched.tsv", h10, "0\t1\t1\tfiction\t(\t(\t(\t(\tE\tF");
    Task t = TaskRegistry.get("glue/MNLI");
    Map<String, List<Example>> f = t.readFiles(data);
    assertEquals(
        List.of("train", "validation_matched", "validation_mismatched", "test_matched"),
        List.copyOf(f.keySet()));
    Example e = f.get("train").getFirst();
    assertEquals("\"Conceptually cream skimming", e.field("premise"));
    assertEquals(1, e.classIndex());
    assertEquals(
        "mnli premise: \"Conceptually cream skimming hypothesis: Product and geography",
        t.t5Source(e));
    assertEquals("1", t.t5Target(e));
    Splits s = t.splits(data);
    assertEquals("D", s.dev().getFirst().field("hypothesis"));
    assertEquals("B", s.test().getFirst().field("hypothesis"));
    assertTrue(!f.get("test_matched").getFirst().labelled());
  }

  @Test
  void colaTrainAndDevHaveNoHeaderButTestHasOne() {
    write(
        data,
        "glue/CoLA/train.tsv",
        "gj04\t1\t\tOur friends won't buy this analysis.",
        "gj04\t0\t*\tOne more pseudo generalization.");
    write(
        data,
        "glue/CoLA/dev.tsv",
        "gj04\t1\t\tA.",
        "gj04\t0\t*\tB.",
        "gj04\t1\t\tC.",
        "gj04\t1\t\tD.");
    write(data, "glue/CoLA/test.tsv", "index\tsentence", "0\tBill whistled past the house.");
    Task t = TaskRegistry.get("glue/CoLA");
    Map<String, List<Example>> f = t.readFiles(data);
    assertEquals(2, f.get("train").size());
    assertEquals(List.of(1, 0), f.get("train").stream().map(Example::classIndex).toList());
    assertEquals(
        "cola sentence: Our friends won't buy this analysis.",
        t.t5Source(f.get("train").getFirst()));
    assertEquals(1, f.get("test").size());
    assertEquals(List.of(2, 2, 2), sizes(t.splits(data)));
  }

  @Test
  void stsbScoresAreFloatsAndTargetsRoundToPointTwo() {
    String h =
        "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore";
    write(
        data,
        "glue/STS-B/train.tsv",
        h,
        "0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\tAn air plane is taking off.\t5.000");
    write(
        data,
        "glue/STS-B/dev.tsv",
        h,
        "0\tmain-captions\tMSRvid\t2012test\t0000\tnone\tnone\tA man.\tA man.\t3.300",
        "1\tmain-news\tx\t2012\t1\tnone\tnone\tB\tC\t2.5");
    write(
        data,
        "glue/STS-B/test.tsv",
        h.replace("\tscore", ""),
        "0\tmain-captions\tMSRvid\t2012test\t0024\tnone\tnone\tA girl.\tA boy.");
    Task t = TaskRegistry.get("glue/STS-B");
    Map<String, List<Example>> f = t.readFiles(data);
    assertEquals(TaskKind.REGRESSION, t.kind());
    assertEquals(5.0, f.get("train").getFirst().score());
    assertEquals("3.2", t.t5Target(f.get("validation").get(0))); // np.round(16.5) = 16
    assertEquals("2.4", t.t5Target(f.get("validation").get(1))); // 12.5 rounds half to even
    assertEquals(
        "stsb sentence1: A man. sentence2: A man.", t.t5Source(f.get("validation").get(0)));
    assertEquals(26, t.t5LabelStrings().size());
    assertEquals("0.2", t.t5LabelStrings().get(1));
    assertEquals("5.0", t.t5LabelStrings().getLast());
  }

  @Test
  void copaLabelsAreChoiceIndices() {
    write(
        data,
        "superglue/COPA/train.jsonl",
        "{\"premise\": \"My body cast a shadow over the grass.\", \"choice1\": \"The sun was rising.\", \"choice2\": \"The grass was cut.\", \"question\": \"cause\", \"label\": 0, \"idx\": 0}");
    write(
        data,
        "superglue/COPA/val.jsonl",
        "{\"premise\": \"P\", \"choice1\": \"A\", \"choice2\": \"B\", \"question\": \"effect\", \"label\": 1, \"idx\": 0}",
        "{\"premise\": \"Q\", \"choice1\": \"C\", \"choice2\": \"D\", \"question\": \"cause\", \"label\": 0, \"idx\": 1}");
    write(
        data,
        "superglue/COPA/test.jsonl",
        "{\"premise\": \"R\", \"choice1\": \"E\", \"choice2\": \"F\", \"question\": \"cause\", \"idx\": 0}");
    Task t = TaskRegistry.get("superglue/COPA");
    Map<String, List<Example>> f = t.readFiles(data);
    Example e = f.get("train").getFirst();
    assertEquals(0, e.classIndex());
    assertEquals(
        "superglue-copa premise: My body cast a shadow over the grass. choice1: The sun was rising. choice2: The grass was cut.",
        t.t5Source(e));
    assertEquals(
        "My body cast a shadow over the grass. What was the cause?", t.encoderInput(e).text());
    assertTrue(!f.get("test").getFirst().labelled());
  }

  @Test
  void recordHasOneExamplePerQueryWithSortedEntitiesAndAnswers() {
    String passage =
        "Tracy Morgan hit by truck.\\n@highlight\\nMorgan is in Walmart care\\n@highlight\\nMore";
    write(
        data,
        "superglue/ReCoRD/train.jsonl",
        "{\"source\": \"Daily mail\", \"passage\": {\"text\": \""
            + passage
            + "\", \"entities\": [{\"start\": 6, \"end\": 11}, {\"start\": 0, \"end\": 11}, {\"start\": 51, \"end\": 57}]},"
            + " \"qas\": [{\"query\": \"@placeholder is hurt\", \"answers\": [{\"start\": 6, \"end\": 11, \"text\": \"Morgan\"}, {\"start\": 0, \"end\": 11, \"text\": \"Tracy Morgan\"}, {\"start\": 6, \"end\": 11, \"text\": \"Morgan\"}], \"idx\": 7}], \"idx\": 3}");
    Task t = TaskRegistry.get("superglue/ReCoRD");
    Example e = t.readFiles(data).get("train").getFirst();
    assertEquals(List.of("Morgan", "Tracy Morgan"), e.answers());
    assertEquals("Morgan, Tracy Morgan, Walmart", e.field("entities"));
    assertEquals(
        "superglue-record record query: @placeholder is hurt entities: Morgan, Tracy Morgan, Walmart"
            + " passage: Tracy Morgan hit by truck. Morgan is in Walmart care. More",
        t.t5Source(e));
    assertEquals("Morgan", t.t5Target(e));
    assertEquals(TaskKind.GENERATION, t.kind());
  }

  @Test
  void scitailSnliFormatIsFoundUnderTheArchivesTopFolder() {
    String line =
        "{\"annotator_labels\": [\"neutral\"], \"captionID\": \"x\", \"gold_label\": \"%s\", \"pairID\": \"p\", \"sentence1\": \"%s\", \"sentence1_binary_parse\": \"\", \"sentence1_parse\": \"\", \"sentence2\": \"%s\", \"sentence2_binary_parse\": \"\", \"sentence2_parse\": \"\"}";
    write(
        data,
        "others/scitail/SciTailV1.1/snli_format/scitail_1.0_train.txt",
        line.formatted("neutral", "Pluto rotates.", "Earth rotates."),
        line.formatted("entailment", "A", "B"));
    write(
        data,
        "others/scitail/SciTailV1.1/snli_format/scitail_1.0_dev.txt",
        line.formatted("entailment", "C", "D"),
        line.formatted("neutral", "E", "F"));
    Task t = TaskRegistry.get("others/scitail");
    List<Example> train = t.readFiles(data).get("train");
    assertEquals(List.of(1, 0), train.stream().map(Example::classIndex).toList());
    assertEquals(
        "scitail premise: Pluto rotates. hypothesis: Earth rotates.", t.t5Source(train.getFirst()));
    assertEquals(List.of(2, 1, 1), sizes(t.splits(data)));
  }

  @Test
  void pawsKeepsQuotesAsText() {
    String h = "id\tsentence1\tsentence2\tlabel";
    write(
        data,
        "others/paws/final/train.tsv",
        h,
        "1\t\"The Bad Seed\" is a 1956 film .\tIn 1956 \" The Bad Seed \" was filmed .\t1",
        "2\tA\tB\t0");
    write(data, "others/paws/final/dev.tsv", h, "1\tC\tD\t0");
    write(data, "others/paws/final/test.tsv", h, "1\tE\tF\t1");
    Task t = TaskRegistry.get("others/paws");
    Map<String, List<Example>> f = t.readFiles(data);
    assertEquals(2, f.get("train").size());
    assertEquals("\"The Bad Seed\" is a 1956 film .", f.get("train").getFirst().field("sentence1"));
    assertEquals(List.of(2, 1, 1), sizes(t.splits(data)));
  }

  @Test
  void winograndeAnswersOneOrTwo() {
    write(
        data,
        "others/winogrande/winogrande_1.1/train_xl.jsonl",
        "{\"qID\": \"3QHITW-1\", \"sentence\": \"Ian ate Dennis's menudo because _ despised it.\", \"option1\": \"Ian\", \"option2\": \"Dennis\", \"answer\": \"2\"}");
    write(
        data,
        "others/winogrande/winogrande_1.1/test.jsonl",
        "{\"qID\": \"T-1\", \"sentence\": \"S _\", \"option1\": \"A\", \"option2\": \"B\"}");
    Task t = TaskRegistry.get("others/winogrande");
    Map<String, List<Example>> f = t.readFiles(data);
    Example e = f.get("train").getFirst();
    assertEquals(1, e.classIndex());
    assertEquals(
        "winogrande sentence: Ian ate Dennis's menudo because _ despised it. option0: Ian option1: Dennis",
        t.t5Source(e));
    assertTrue(!f.get("test").getFirst().labelled());
  }

  @Test
  void yelpCsvUnquotesAndUsesTheTestFileAsTest() {
    write(
        data,
        "others/yelp_polarity/train.csv",
        "\"2\",\"Great \"\"tacos\"\".\\nWill return.\"",
        "\"1\",\"Cold, slow.\"");
    write(data, "others/yelp_polarity/test.csv", "\"1\",\"Bad.\"");
    Task t = TaskRegistry.get("others/yelp_polarity");
    Map<String, List<Example>> f = t.readFiles(data);
    Example e = f.get("train").getFirst();
    assertEquals("Great \"tacos\".\nWill return.", e.field("text"));
    assertEquals(1, e.classIndex());
    assertEquals("Cold, slow.", f.get("train").get(1).field("text"));
    assertEquals(List.of(0, 2, 1), sizes(t.splits(data)));
    assertEquals(100_000, t.trainCap());
  }

  @Test
  void squadQuestionsCarryAllAnswersAndPaddedTemplates() {
    write(
        data,
        "others/squad/dev-v1.1.json",
        "{\"version\": \"1.1\", \"data\": [{\"title\": \"Super_Bowl_50\", \"paragraphs\": [{\"context\": \"Denver (AFC) won.\", \"qas\": [{\"id\": \"q1\", \"question\": \"Who won?\", \"answers\": [{\"answer_start\": 0, \"text\": \"Denver\"}, {\"answer_start\": 0, \"text\": \"Denver (AFC)\"}]}]}]}]}");
    Task t = TaskRegistry.get("others/squad");
    Example e = t.readFiles(data).get("validation").getFirst();
    assertEquals(List.of("Denver", "Denver (AFC)"), e.answers());
    // ATTEMPT pads punctuation, then joins with spaces: "Who won ? " + " " + "context:" (two
    // spaces)
    assertEquals("squad question: Who won ?  context: Denver ( AFC ) won . ", t.t5Source(e));
  }

  private static List<Integer> sizes(Splits s) {
    return List.of(s.train().size(), s.dev().size(), s.test().size());
  }
}
