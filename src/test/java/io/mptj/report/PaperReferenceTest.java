package io.mptj.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.task.bench.Benchmarks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaperReferenceTest {

  private static double mean(String printed) {
    return Double.parseDouble(printed.split("±")[0]);
  }

  /** Catches transcription slips: each printed average must match its tasks' printed scores. */
  @Test
  void everyPaperAverageMatchesTheMeanOfItsTranscribedTasks() {
    Map<String, String> prefix =
        Map.of(
            "avg:GLUE", "glue/",
            "avg:SUPERGLUE", "superglue/",
            "avg:OTHERS", "others/",
            "avg:MRQA", "mrqa/");
    int checked = 0;
    for (PaperReference.PaperTable t : PaperReference.load().tables()) {
      for (PaperReference.PaperRow r : t.rows()) {
        for (var avg : prefix.entrySet()) {
          int a = t.columns().indexOf(avg.getKey());
          if (a < 0 || r.values().get(a).equals(Summary.MISSING)) {
            continue;
          }
          double sum = 0;
          int n = 0;
          for (int i = 0; i < t.columns().size(); i++) {
            if (t.columns().get(i).startsWith(avg.getValue())) {
              sum += mean(r.values().get(i));
              n++;
            }
          }
          if (n == 0) {
            continue; // a table of averages only (the successors'): nothing to add up
          }
          // the paper rounds each task and the average to 0.1 (MPT*'s SG Avg is 76.16 -> 76.1)
          assertEquals(
              mean(r.values().get(a)), sum / n, 0.1, t.table() + " " + r.method() + " " + avg);
          checked++;
        }
      }
    }
    assertEquals(48, checked, "averages checked");
  }

  @Test
  void paperColumnsAreMptjTaskNamesInTheBenchmarksOrder() {
    PaperReference.PaperTable table1 = PaperReference.load().tables().getFirst();
    assertEquals("Table 1", table1.table());
    List<String> tasks = table1.columns().stream().filter(c -> !c.startsWith("avg:")).toList();
    List<String> expected = new java.util.ArrayList<>(Benchmarks.GLUE.tasks());
    expected.addAll(Benchmarks.SUPERGLUE.tasks());
    assertEquals(expected, tasks);
    PaperReference.PaperTable table2 = PaperReference.load().tables().get(1);
    assertTrue(table2.columns().containsAll(Benchmarks.OTHERS.tasks()));
  }

  @Test
  void fewShotTablesArePickedByShotsAndMethod() {
    var tables =
        PaperReference.load().matching(16, List.of("MPT"), List.of("superglue/CB", "glue/RTE"));
    assertEquals(2, tables.size(), "Table 3 (CB) and Table 4 (RTE, CB)");
    Doc.Table t3 = tables.getFirst().getValue();
    assertEquals(List.of("Method (paper)", "Params/task", "CB"), t3.header());
    assertEquals(List.of(List.of("MPT", "77.6K", "78.6")), t3.rows());
    Doc.Table t4 = tables.get(1).getValue();
    assertEquals(
        List.of("Method (paper)", "Params/task", "RTE", "GLUE Avg (8/8)", "CB", "SG Avg (5/5)"),
        t4.header());
    assertEquals(List.of("MPT", "77.6K", "64.8", "69.5", "78.6", "64.7"), t4.rows().getFirst());
  }

  @Test
  void parameterCountsAreFormattedLikeThePaper() {
    assertEquals("868", Formats.count(868));
    assertEquals("77.7K", Formats.count(77_668));
    assertEquals("280K", Formats.count(280_000));
    assertEquals("1.9M", Formats.count(1_900_000));
    assertEquals("220M", Formats.count(220_000_000));
    assertEquals("1M", Formats.count(999_999));
    assertEquals("0.0353%", Formats.percent(77_668, 220_000_000));
  }
}
