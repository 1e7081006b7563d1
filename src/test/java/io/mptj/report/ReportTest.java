package io.mptj.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mptj.method.PeftAdapter;
import io.mptj.testing.FakeRuns;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final long BACKBONE = 22_713_216;
  private static final String RTE = "glue/RTE";
  private static final String CB = "superglue/CB";
  private static final String BOOLQ = "superglue/BoolQ";

  @TempDir Path tmp;

  /** Test scores written into each run, by "method task seed". */
  private final Map<String, Double> test = new HashMap<>();

  private final List<RunRef> runs = new ArrayList<>();
  private float[] sharedRte;
  private float[] uRte;
  private float[] vRte;
  private float[][] boolq;

  @BeforeEach
  void writeRuns() {
    Random rng = new Random(7);
    for (int seed : new int[] {1, 2}) {
      add("PT", RTE, seed, 0, 50 + 40 * rng.nextDouble(), 76_800, 0);
      FakeRuns.softPrompt(dir("PT", RTE, seed), FakeRuns.random(FakeRuns.P * FakeRuns.D, seed));
      for (String task : List.of(RTE, CB, BOOLQ)) {
        add("MPT", task, seed, 0, 50 + 40 * rng.nextDouble(), 77_668, 0);
      }
    }
    // RTE and CB (seed 1) hold the same prompt, so their cosine is 1; BoolQ's differs.
    sharedRte = FakeRuns.random(FakeRuns.P * FakeRuns.D, 11);
    uRte = FakeRuns.random(FakeRuns.P, 12);
    vRte = FakeRuns.random(FakeRuns.D, 13);
    boolq =
        new float[][] {
          FakeRuns.random(FakeRuns.P * FakeRuns.D, 21),
          FakeRuns.random(FakeRuns.P, 22),
          FakeRuns.random(FakeRuns.D, 23)
        };
    for (int seed : new int[] {1, 2}) {
      FakeRuns.multitask(dir("MPT", RTE, seed), sharedRte, uRte, vRte);
      FakeRuns.multitask(dir("MPT", CB, seed), sharedRte, uRte, vRte);
      FakeRuns.multitask(dir("MPT", BOOLQ, seed), boolq[0], boolq[1], boolq[2]);
    }
  }

  private Path dir(String method, String task, int seed) {
    return tmp.resolve("runs").resolve(Formats.slug(method + "-" + task + "-" + seed));
  }

  private void add(
      String method, String task, int seed, int shots, double score, long params, long shared) {
    Path d = dir(method, task, seed);
    FakeRuns.metrics(d, task, seed, shots, score + 1, score, params, shared);
    FakeRuns.log(d, task, seed * 31L + method.length(), false);
    test.put(method + " " + task + " " + seed, score);
    runs.add(new RunRef(method, task, seed, shots, d));
  }

  private ReportInput input(List<RunRef> runs, List<StageRef> stages) {
    return new ReportInput(
        "Toy experiment",
        "toy",
        BACKBONE,
        runs,
        stages,
        "MPT",
        "tasks: [glue/RTE]\nseeds: [1, 2]\n",
        List.of("./mptj experiment spec.yaml --out out", "./mptj report out/report.json"));
  }

  private ReportInput input() {
    Path distill = tmp.resolve("runs/distill");
    FakeRuns.log(distill, "all", 99, true);
    return input(runs, List.of(new StageRef("distill", distill)));
  }

  // ---- expected values, computed here independently of the report's code ----

  /** Mean and sample std by the textbook sum-of-squares formula, formatted as the paper does. */
  private static String expectedCell(double... xs) {
    double sum = 0;
    double sq = 0;
    for (double x : xs) {
      sum += x;
      sq += x * x;
    }
    int n = xs.length;
    double mean = sum / n;
    double std = Math.sqrt((sq - n * mean * mean) / (n - 1));
    return String.format(Locale.ROOT, "%.1f ± %.2f", mean, std);
  }

  private double score(String method, String task, int seed) {
    return test.get(method + " " + task + " " + seed);
  }

  /** The rows (header first) of the first Markdown table after a heading line. */
  private static List<List<String>> tableAfter(String md, String heading) {
    List<String> lines = md.lines().toList();
    int at = lines.indexOf(heading);
    assertTrue(at >= 0, "no heading " + heading);
    List<List<String>> rows = new ArrayList<>();
    int i = at + 1;
    while (!lines.get(i).startsWith("|")) {
      i++;
    }
    for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      if (!lines.get(i).startsWith("|---")) {
        String l = lines.get(i);
        rows.add(List.of(l.substring(2, l.length() - 2).split(" \\| ", -1)));
      }
    }
    return rows;
  }

  private static String cell(List<List<String>> table, String row, String column) {
    int c = table.getFirst().indexOf(column);
    assertTrue(c >= 0, "no column " + column + " in " + table.getFirst());
    return table.stream()
        .filter(r -> r.getFirst().equals(row))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + row))
        .get(c);
  }

  // ---- tests ----

  @Test
  void writesMarkdownHtmlAndChartsThatDecode() throws IOException {
    Report.Written out = Report.write(tmp.resolve("report"), input());
    assertTrue(Files.isRegularFile(out.markdown()));
    assertTrue(Files.isRegularFile(out.html()));
    String md = Files.readString(out.markdown());
    Set<String> names = new TreeSet<>();
    for (Path png : out.charts()) {
      BufferedImage img = ImageIO.read(png.toFile());
      assertNotNull(img, png + " does not decode as an image");
      assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300, png + " is too small");
      String rel = tmp.resolve("report").relativize(png).toString();
      assertTrue(md.contains("](" + rel + ")"), rel + " is not shown in results.md");
      assertTrue(md.contains("`" + rel + "`"), rel + " is not listed under Files");
      names.add(rel);
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "loss-full-glue-RTE.png",
                "dev-full-glue-RTE.png",
                "loss-full-superglue-CB.png",
                "dev-full-superglue-CB.png",
                "loss-full-superglue-BoolQ.png",
                "dev-full-superglue-BoolQ.png",
                "stage-distill.png",
                "prompt-similarity-MPT.png")),
        names);
  }

  @Test
  void mainTableCellsAreMeanAndSampleStdOverSeeds() throws IOException {
    Report.Written out = Report.write(tmp.resolve("report"), input());
    List<List<String>> table = tableAfter(Files.readString(out.markdown()), "### Full data");
    for (String method : List.of("PT", "MPT")) {
      String expected = expectedCell(score(method, RTE, 1), score(method, RTE, 2));
      assertEquals(expected, cell(table, method, "RTE"), method + " RTE");
    }
    assertEquals(expectedCell(score("MPT", CB, 1), score("MPT", CB, 2)), cell(table, "MPT", "CB"));
    assertEquals(Summary.MISSING, cell(table, "PT", "CB"), "PT has no CB runs");
    String text = Report.mainTablesText(input());
    assertTrue(text.contains(cell(table, "MPT", "BoolQ")), text);
    assertTrue(text.contains("SG Avg (2/5)"), text);
  }

  @Test
  void benchmarkAveragesSayHowManyTasksTheyCover() throws IOException {
    Report.Written out = Report.write(tmp.resolve("report"), input());
    List<List<String>> table = tableAfter(Files.readString(out.markdown()), "### Full data");
    assertTrue(table.getFirst().contains("GLUE Avg (1/8)"), table.getFirst().toString());
    assertTrue(table.getFirst().contains("SG Avg (2/5)"), table.getFirst().toString());
    double seed1 = (score("MPT", BOOLQ, 1) + score("MPT", CB, 1)) / 2;
    double seed2 = (score("MPT", BOOLQ, 2) + score("MPT", CB, 2)) / 2;
    assertEquals(expectedCell(seed1, seed2), cell(table, "MPT", "SG Avg (2/5)"));
    assertEquals(Summary.MISSING, cell(table, "PT", "SG Avg (2/5)"));
  }

  @Test
  void paramsColumnShowsTaskParamsAndShareOfBackbone() throws IOException {
    Report.Written out = Report.write(tmp.resolve("report"), input());
    List<List<String>> table = tableAfter(Files.readString(out.markdown()), "### Full data");
    String column = "Params/task (% of backbone)";
    // 77,668 / 22,713,216 = 0.34195 %; 76,800 / 22,713,216 = 0.33813 %
    assertEquals("77.7K (0.342%)", cell(table, "MPT", column));
    assertEquals("76.8K (0.338%)", cell(table, "PT", column));
  }

  @Test
  void seedCountsAndSharedParamsShowWhenTheyDiffer() throws IOException {
    List<RunRef> some = new ArrayList<>(runs);
    some.removeIf(r -> r.method().equals("PT") && r.seed() == 2);
    Path multi = tmp.resolve("runs/mptstar-rte-1");
    FakeRuns.metrics(multi, RTE, 1, 0, 70, 69, 868, 76_800);
    some.add(new RunRef("MPT*", RTE, 1, 0, multi));
    Report.Written out = Report.write(tmp.resolve("report"), input(some, List.of()));
    List<List<String>> table = tableAfter(Files.readString(out.markdown()), "### Full data");
    assertEquals(
        String.format(Locale.ROOT, "%.1f (n=1)", score("PT", RTE, 1)), cell(table, "PT", "RTE"));
    assertEquals(
        expectedCell(score("MPT", RTE, 1), score("MPT", RTE, 2)) + " (n=2)",
        cell(table, "MPT", "RTE"));
    assertEquals(
        "868 (0.00382%) + 76.8K shared", cell(table, "MPT*", "Params/task (% of backbone)"));
  }

  @Test
  void fewShotRunsGetTheirOwnTableAfterFullData() throws IOException {
    List<RunRef> all = new ArrayList<>(runs);
    Path k16 = tmp.resolve("runs/mpt-cb-k16");
    FakeRuns.metrics(k16, CB, 1, 16, 61, 60.25, 77_668, 0);
    all.add(new RunRef("MPT", CB, 1, 16, k16));
    String md =
        Files.readString(Report.write(tmp.resolve("report"), input(all, List.of())).markdown());
    assertTrue(md.indexOf("### Full data") < md.indexOf("### 16-shot"));
    List<List<String>> table = tableAfter(md, "### 16-shot");
    assertEquals("60.3", cell(table, "MPT", "CB"));
    assertEquals(
        List.of("Method", "Params/task (% of backbone)", "CB", "SG Avg (1/5)"), table.getFirst());
  }

  @Test
  void detailTableHoldsEveryMetricOfDevAndTest() throws IOException {
    String md = Files.readString(Report.write(tmp.resolve("report"), input()).markdown());
    List<List<String>> table = tableAfter(md, "### Full data · superglue/CB");
    assertEquals(
        List.of(
            "Method",
            "seeds",
            "dev score",
            "dev accuracy",
            "test score",
            "test accuracy",
            "test f1",
            "best step",
            "train s",
            "peak RSS MiB",
            "peak − start MiB"),
        table.getFirst());
    double s1 = score("MPT", CB, 1);
    double s2 = score("MPT", CB, 2);
    assertEquals("1,2", cell(table, "MPT", "seeds"));
    assertEquals(expectedCell(s1 + 1, s2 + 1), cell(table, "MPT", "dev accuracy"));
    assertEquals(expectedCell(s1 - 1, s2 - 1), cell(table, "MPT", "test f1"));
  }

  @Test
  void paperReferenceShowsThePapersNumbersForOurMethodsAndTasks() throws IOException {
    String md = Files.readString(Report.write(tmp.resolve("report"), input()).markdown());
    String heading =
        md.lines()
            .filter(l -> l.startsWith("### Full data — paper Table 1"))
            .findFirst()
            .orElseThrow();
    List<List<String>> table = tableAfter(md, heading);
    assertEquals("79.4±1.22", cell(table, "MPT", "RTE"));
    assertEquals("54.7", cell(table, "PT", "RTE"));
    assertEquals("85.6±0.33", cell(table, "MPT", "GLUE Avg (8/8)"));
    assertFalse(table.getFirst().contains("MNLI"), "only the tasks we ran");
    assertTrue(md.contains("T5-Base"));
  }

  @Test
  void heatmapComparesFoldedPromptsOfTheFirstSeed() throws IOException {
    String md = Files.readString(Report.write(tmp.resolve("report"), input()).markdown());
    List<List<String>> m = tableAfter(md, "## Prompt similarity (MPT)");
    assertEquals(List.of("task", "RTE", "BoolQ", "CB"), m.getFirst());
    for (String t : List.of("RTE", "BoolQ", "CB")) {
      assertEquals("1.000", cell(m, t, t), "diagonal");
    }
    assertEquals("1.000", cell(m, "RTE", "CB"), "identical prompts");
    double expected = cosine(fold(sharedRte, uRte, vRte), fold(boolq[0], boolq[1], boolq[2]));
    assertEquals(String.format(Locale.ROOT, "%.3f", expected), cell(m, "RTE", "BoolQ"));
    assertEquals(cell(m, "RTE", "BoolQ"), cell(m, "BoolQ", "RTE"));
  }

  @Test
  void anUnreadableAdapterDropsTheHeatmapNotTheReport() throws IOException {
    Path boolq = dir("MPT", BOOLQ, 1);
    Files.delete(boolq.resolve(PeftAdapter.WEIGHTS));
    Report.Written out = Report.write(tmp.resolve("report"), input());
    String md = Files.readString(out.markdown());
    String section = md.substring(md.indexOf("## Prompt similarity (MPT)"), md.indexOf("## Files"));
    assertTrue(
        section.contains("No heatmap: the MPT adapter of " + BOOLQ + " (seed 1) cannot be read")
            && section.contains(boolq.resolve(PeftAdapter.WEIGHTS).toString()),
        section);
    assertFalse(section.contains("| task |"), section);
    assertTrue(
        out.charts().stream().noneMatch(p -> p.toString().contains("prompt-similarity")),
        out.charts().toString());
    assertTrue(md.contains("### Full data"), "the rest of the report is there");
  }

  @Test
  void anAllZeroPromptDropsTheHeatmapNotTheReport() throws IOException {
    float[] zeros = new float[FakeRuns.P * FakeRuns.D];
    FakeRuns.multitask(dir("MPT", BOOLQ, 1), zeros, boolq[1], boolq[2]);
    String md = Files.readString(Report.write(tmp.resolve("report"), input()).markdown());
    assertTrue(md.contains("No heatmap: the MPT prompt of BoolQ is all zeros"), md);
  }

  /** P* ∘ (u vᵀ) for rank 1, flattened. */
  private static float[] fold(float[] shared, float[] u, float[] v) {
    float[] out = new float[shared.length];
    for (int i = 0; i < u.length; i++) {
      for (int j = 0; j < v.length; j++) {
        out[i * v.length + j] = shared[i * v.length + j] * u[i] * v[j];
      }
    }
    return out;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * (double) b[i];
      na += a[i] * (double) a[i];
      nb += b[i] * (double) b[i];
    }
    return dot / Math.sqrt(na) / Math.sqrt(nb);
  }

  @Test
  void foldedPromptOfAnAdapterIsTheHadamardProduct() {
    float[] got = PromptSimilarity.prompt(dir("MPT", BOOLQ, 1));
    float[] want = fold(boolq[0], boolq[1], boolq[2]);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-5, "value " + i);
    }
  }

  @Test
  void htmlIsSelfContainedWithOnlyThePaperLink() throws IOException {
    Report.Written out = Report.write(tmp.resolve("report"), input());
    String html = Files.readString(out.html());
    Set<String> urls = new TreeSet<>();
    Matcher m = Pattern.compile("(?:https?:)?//[^\"'\\s<>)]+").matcher(html);
    while (m.find()) {
      urls.add(m.group());
    }
    assertEquals(Set.of(Report.PAPER_URL), urls);
    assertFalse(html.contains("<script"));
    assertFalse(html.contains("<link"));
    Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (src.find()) {
      assertTrue(src.group(1).startsWith(""), src.group(1));
      assertTrue(Files.isRegularFile(tmp.resolve("report").resolve(src.group(1))), src.group(1));
      images++;
    }
    assertEquals(out.charts().size(), images);
    assertTrue(html.contains("<pre><code>./mptj experiment spec.yaml --out out\n"));
  }

  @Test
  void reproduceSectionHoldsSpecAndCommandsVerbatim() throws IOException {
    String md = Files.readString(Report.write(tmp.resolve("report"), input()).markdown());
    String reproduce = md.substring(md.indexOf("## Reproduce"));
    assertTrue(reproduce.contains("```\ntasks: [glue/RTE]\nseeds: [1, 2]\n```"), reproduce);
    assertTrue(
        reproduce.contains(
            "```\n./mptj experiment spec.yaml --out out\n./mptj report out/report.json\n```"),
        reproduce);
  }

  @Test
  void missingMetricsFileNamesTheRunDirectory() throws IOException {
    Path dir = dir("MPT", CB, 2);
    Files.delete(dir.resolve(RunMetrics.FILE));
    ReportException e =
        assertThrows(ReportException.class, () -> Report.write(tmp.resolve("report"), input()));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(RunMetrics.FILE), e.getMessage());
  }

  @Test
  void malformedFilesAreNamedWithTheirField() throws IOException {
    Path metrics = dir("MPT", CB, 1).resolve(RunMetrics.FILE);
    Files.writeString(metrics, Files.readString(metrics).replace("\"score\"", "\"headline\""));
    ReportException e =
        assertThrows(ReportException.class, () -> Report.write(tmp.resolve("report"), input()));
    assertTrue(e.getMessage().contains(metrics + ": field 'dev.score'"), e.getMessage());

    FakeRuns.metrics(dir("MPT", CB, 1), BOOLQ, 1, 0, 60, 60, 1, 0);
    e = assertThrows(ReportException.class, () -> Report.mainTablesText(input()));
    assertTrue(e.getMessage().contains("field 'task' is " + BOOLQ), e.getMessage());

    FakeRuns.metrics(dir("MPT", CB, 1), CB, 1, 0, 60, 60, 1, 0);
    Path log = dir("MPT", CB, 1).resolve(TrainLog.FILE);
    Files.writeString(log, "{\"step\":10,\"loss\":0.5}\n{\"step\":\"x\",\"loss\":0.4}\n");
    e = assertThrows(ReportException.class, () -> Report.write(tmp.resolve("report"), input()));
    assertTrue(e.getMessage().contains(log + ":2: field 'step'"), e.getMessage());
  }

  @Test
  void reportInputRoundTripsThroughJsonWithRelativeRunDirs() throws IOException {
    ReportInput in = input();
    Path file = tmp.resolve("out/report.json");
    in.save(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"run_dir\" : \"../runs/"), json);
    assertEquals(in, ReportInput.fromJson(file));

    Files.writeString(file, json.replace("\"heatmap_method\"", "\"heatmap\""));
    ReportException e = assertThrows(ReportException.class, () -> ReportInput.fromJson(file));
    assertTrue(e.getMessage().contains(file + ": field 'heatmap'"), e.getMessage());

    Files.writeString(file, json.replaceFirst("\"seed\" : 1", "\"seed\" : \"one\""));
    e = assertThrows(ReportException.class, () -> ReportInput.fromJson(file));
    assertTrue(e.getMessage().contains("field 'runs[0].seed'"), e.getMessage());
  }
}
