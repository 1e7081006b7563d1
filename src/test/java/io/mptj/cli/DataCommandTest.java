package io.mptj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.engine.Json;
import io.mptj.testing.Shared;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ./mptj data, in-process: the JSON summary, data check on good and bad files, error exits. */
class DataCommandTest {
  @TempDir Path tmp;

  private record Run(int rc, String out, String err) {
    JsonNode lastJson() throws Exception {
      String[] lines = out.strip().split("\n");
      return Json.MAPPER.readTree(lines[lines.length - 1]);
    }
  }

  private static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int rc = cli.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  @Test
  void taskSummaryHasFilesSplitsLabelsAndTokenLengths() throws Exception {
    Run r = run("data", "--task", "glue/RTE", "--data-dir", Shared.data().toString());
    assertEquals(0, r.rc(), r.err());
    JsonNode j = r.lastJson();
    assertEquals(2490, j.at("/files/train").asInt());
    assertEquals(277, j.at("/files/validation").asInt());
    assertEquals(138, j.at("/splits/dev").asInt());
    assertEquals(139, j.at("/splits/test").asInt());
    assertEquals(1249, j.at("/label_distribution/train/entailment").asInt());
    JsonNode t = j.get("token_lengths");
    assertEquals(2767, t.get("examples").asInt());
    assertTrue(
        t.get("p50").asInt() > 10
            && t.get("p50").asInt() <= t.get("p90").asInt()
            && t.get("p99").asInt() <= t.get("max").asInt(),
        t.toString());
  }

  @Test
  void checkPassesOnSharedDataAndNamesABadFile() throws Exception {
    Run ok = run("data", "check", "--data-dir", Shared.data().toString());
    assertEquals(0, ok.rc(), ok.err());
    assertTrue(ok.lastJson().get("files_checked").asInt() >= 20);

    Path rte = Files.createDirectories(tmp.resolve("glue/RTE"));
    for (String f : new String[] {"train.tsv", "dev.tsv"}) {
      Files.copy(Shared.data().resolve("glue/RTE").resolve(f), rte.resolve(f));
    }
    Files.writeString(rte.resolve("dev.tsv"), "oops\n", StandardOpenOption.APPEND);
    Run bad = run("data", "check", "--data-dir", tmp.toString());
    assertEquals(1, bad.rc());
    assertTrue(bad.err().contains(rte.resolve("dev.tsv") + ":279:"), bad.err());
  }

  @Test
  void missingDataAndUnknownTasksExitWithAMessage() {
    Run missing = run("data", "--data-dir", tmp.resolve("none").toString());
    assertEquals(1, missing.rc());
    assertTrue(missing.err().contains("MPTJ_DATA_DIR"), missing.err());
    Run unknown = run("data", "--task", "glue/NOPE", "--data-dir", Shared.data().toString());
    assertEquals(2, unknown.rc());
    assertTrue(unknown.err().contains("glue/RTE"), unknown.err());
  }

  @Test
  void listShowsEveryTaskAndWhichArePresent() throws Exception {
    Run r = run("data", "--data-dir", Shared.data().toString());
    assertEquals(0, r.rc(), r.err());
    JsonNode j = r.lastJson();
    assertEquals(21, j.get("tasks").size());
    assertTrue(j.get("present").toString().contains("glue/RTE"));
    assertTrue(r.out().contains("glue/MNLI") && r.out().contains("missing"));
  }
}
