package io.mptj.report;

import io.mptj.engine.CheckpointException;
import io.mptj.report.Curves.Series;
import io.mptj.report.TrainLog.EvalPoint;
import io.mptj.report.TrainLog.LossPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns finished run directories into the results report of an experiment: {@code results.md} and a
 * self-contained {@code results.html} with the paper-style tables (mean ± std over seeds, benchmark
 * averages, parameters), per-task metrics, the paper's T5-Base numbers for orientation, loss and
 * dev-score charts, a prompt-similarity heatmap, and the commands that reproduce it.
 */
public final class Report {

  /** The Markdown report's file name. */
  public static final String MARKDOWN = "results.md";

  /** The HTML report's file name. */
  public static final String HTML = "results.html";

  /** The paper's address, the one external link the report holds. */
  public static final String PAPER_URL = "https://arxiv.org/abs/2303.02861";

  /**
   * What {@link #write} wrote.
   *
   * @param markdown {@code results.md}
   * @param html {@code results.html}
   * @param charts the PNG charts, in the order the report shows them
   */
  public record Written(Path markdown, Path html, List<Path> charts) {

    /** Copies the list. */
    public Written {
      charts = List.copyOf(charts);
    }

    /** Every file written. */
    public List<Path> all() {
      List<Path> out = new ArrayList<>(List.of(markdown, html));
      out.addAll(charts);
      return out;
    }
  }

  /** A chart written: its path relative to the report directory and what it shows. */
  private record Chart(String path, String caption) {}

  private final Path dir;
  private final ReportInput input;
  private final Results results;
  private final List<String> methods;
  private final List<Doc.Block> blocks = new ArrayList<>();
  private final List<Chart> charts = new ArrayList<>();

  private Report(Path dir, ReportInput input, Results results) {
    this.dir = dir;
    this.input = input;
    this.results = results;
    this.methods =
        List.copyOf(new LinkedHashSet<>(input.runs().stream().map(RunRef::method).toList()));
  }

  /**
   * Writes the report into {@code reportDir} (created if needed), replacing an earlier report's
   * files of the same names.
   *
   * @throws ReportException naming the run directory or file that is missing or malformed
   */
  public static Written write(Path reportDir, ReportInput input) {
    Report r = new Report(reportDir, input, Results.load(input, true));
    Doc doc = r.document();
    Path md = reportDir.resolve(MARKDOWN);
    Path html = reportDir.resolve(HTML);
    writeText(md, Markdown.render(doc));
    writeText(html, Html.render(doc));
    return new Written(md, html, r.charts.stream().map(c -> reportDir.resolve(c.path())).toList());
  }

  /**
   * The main table of each shots setting as aligned plain text, for a terminal.
   *
   * @throws ReportException naming the run directory or file that is missing or malformed
   */
  public static String mainTablesText(ReportInput input) {
    Results results = Results.load(input, false);
    StringBuilder out = new StringBuilder();
    for (int shots : results.shotsSettings()) {
      out.append(title(shots)).append(" (test, mean ± std over seeds)\n");
      out.append(TextTable.render(ResultsTable.build(results, shots, input.backboneParams())));
      Doc.Table paired = Paired.table(results, shots);
      if (paired != null) {
        out.append("paired with ")
            .append(Paired.baseline(results, shots))
            .append(" (same seeds)\n");
        out.append(TextTable.render(paired));
      }
      out.append("\n");
    }
    return out.toString();
  }

  private Doc document() {
    intro();
    mainTables();
    paired();
    paperReference();
    details();
    curves();
    stages();
    heatmap();
    files();
    reproduce();
    return new Doc(input.title(), blocks);
  }

  private void intro() {
    para(
        String.format(
            Locale.ROOT,
            "Backbone: %s (%s parameters). %d runs of %s. Scores are test-set metrics in percent"
                + " (each task's headline metric, as the paper averages); a cell is the mean ± the"
                + " sample standard deviation (n − 1) over seeds, and shows only the mean for one"
                + " seed. The paper ([arXiv 2303.02861](%s)) reports T5-Base; its numbers are"
                + " listed separately, for orientation only.",
            input.backbone(),
            Formats.count(input.backboneParams()),
            input.runs().size(),
            String.join(", ", methods),
            PAPER_URL));
  }

  private void mainTables() {
    heading(2, "Results");
    for (int shots : results.shotsSettings()) {
      heading(3, title(shots));
      blocks.add(ResultsTable.build(results, shots, input.backboneParams()));
    }
    para(
        "A benchmark average labelled like \"GLUE Avg (3/8)\" is the mean over the tasks of that"
            + " benchmark that were run (here 3 of 8), not the paper's full average; a cell marked (2/8)"
            + " covers fewer tasks than its column. Its ±"
            + " is the spread over seeds of the per-seed average when every task has the same"
            + " seeds. (n=…) appears when cells have different numbers of seeds. Params/task counts"
            + " the parameters trained for one target task; \"shared\" ones are trained once for"
            + " several tasks.");
  }

  private void paired() {
    List<Doc.Block> tables = new ArrayList<>();
    for (int shots : results.shotsSettings()) {
      Doc.Table t = Paired.table(results, shots);
      if (t != null) {
        tables.add(
            new Doc.Heading(3, title(shots) + " — against " + Paired.baseline(results, shots)));
        tables.add(t);
      }
    }
    if (tables.isEmpty()) {
      return;
    }
    heading(2, "Paired comparisons");
    para(
        "Each method against the baseline on the same tasks and seeds (a few-shot seed is also the"
            + " same draw of training examples), then MPT against SPoT and ATTEMPT, and each MPT+X"
            + " (MPT's transfer for another method's prompt) against X alone. Δ score is the mean"
            + " test-score difference in points, per task over seeds and then over tasks; its interval is the 2.5–97.5"
            + " percentile range of "
            + Paired.RESAMPLES
            + " bootstrap resamples of the seeds within each task. Δ accuracy and its interval"
            + " come from a paired bootstrap that resamples seeds and test examples together (both"
            + " methods scored on the same resampled examples); p is its two-sided bootstrap"
            + " p-value. An interval that contains 0 means the difference is not established.");
    blocks.addAll(tables);
  }

  private void paperReference() {
    PaperReference paper = PaperReference.load();
    heading(2, "Paper reference (" + paper.backbone() + ", not this backbone)");
    para(
        "The numbers the paper reports for the same methods and tasks ("
            + paper.source()
            + ", [arXiv 2303.02861]("
            + paper.url()
            + "); "
            + paper.backbone()
            + " with the paper's budgets), as printed, where ± is the std over 3 runs. They are"
            + " for orientation, not a like-for-like comparison.");
    boolean any = false;
    for (int shots : results.shotsSettings()) {
      for (var t : paper.matching(shots, results.methods(shots), results.tasks(shots))) {
        heading(3, title(shots) + " — paper " + t.getKey());
        blocks.add(t.getValue());
        any = true;
      }
    }
    if (!any) {
      para("The paper reports none of these methods on these tasks.");
    }
  }

  private void details() {
    heading(2, "Per-task detail");
    para("Every metric of every run, dev and test, as mean ± std over seeds.");
    for (int shots : results.shotsSettings()) {
      for (String task : results.tasks(shots)) {
        heading(3, title(shots) + " · " + task);
        blocks.add(DetailTable.build(results, shots, task));
      }
    }
  }

  private void curves() {
    heading(2, "Training curves");
    para(
        "Training loss (mean over seeds, smoothed with an exponential moving average of weight "
            + Curves.LOSS_SMOOTHING
            + ") and dev score (mean over seeds) against the optimizer step, one line per method.");
    for (int shots : results.shotsSettings()) {
      for (String task : results.tasks(shots)) {
        heading(3, title(shots) + " · " + task);
        String name = Formats.shotsSlug(shots) + "-" + Formats.slug(task) + ".png";
        lossChart(shots, task, "loss-" + name);
        devChart(shots, task, "dev-" + name);
      }
    }
  }

  private void lossChart(int shots, String task, String path) {
    List<Series> lines = new ArrayList<>();
    for (String method : results.methods(shots)) {
      List<Map<Integer, Double>> runs =
          results.runs(shots, method, task).stream()
              .map(r -> byStep(r.log().losses(), LossPoint::step, LossPoint::loss))
              .toList();
      Series s = Curves.mean(method, methods.indexOf(method), runs);
      if (s.x().length > 0) {
        lines.add(Curves.smooth(s, Curves.LOSS_SMOOTHING));
      }
    }
    chart(path, task + " (" + title(shots) + "): training loss", "loss", lines);
  }

  private void devChart(int shots, String task, String path) {
    List<Series> lines = new ArrayList<>();
    for (String method : results.methods(shots)) {
      List<Map<Integer, Double>> runs =
          results.runs(shots, method, task).stream()
              .map(r -> byStep(r.log().evals(), EvalPoint::step, e -> e.scoreOf(task)))
              .toList();
      Series s = Curves.mean(method, methods.indexOf(method), runs);
      if (s.x().length > 0) {
        lines.add(s);
      }
    }
    chart(path, task + " (" + title(shots) + "): dev score", "dev score (%)", lines);
  }

  private void stages() {
    if (input.stages().isEmpty()) {
      return;
    }
    heading(2, "Stage runs");
    para("Loss curves of the extra stages (unsmoothed): total, task and distillation loss.");
    List<String> used = new ArrayList<>();
    for (StageRef stage : input.stages()) {
      heading(3, stage.label());
      String slug = Formats.slug(stage.label());
      String name = used.contains(slug) ? slug + "-" + (used.size() + 1) : slug;
      used.add(name);
      chart("stage-" + name + ".png", stage.label() + ": loss", "loss", stageLines(stage));
    }
  }

  private static List<Series> stageLines(StageRef stage) {
    List<LossPoint> points = TrainLog.read(stage.runDir()).losses();
    Map<String, ToDoubleFunction<LossPoint>> parts = new LinkedHashMap<>();
    parts.put("total", LossPoint::loss);
    parts.put("task", LossPoint::taskLoss);
    parts.put("distill", LossPoint::distillLoss);
    List<Series> out = new ArrayList<>();
    int colour = 0;
    for (var part : parts.entrySet()) {
      Series s =
          Curves.mean(
              part.getKey(),
              colour++,
              List.of(byStep(points, LossPoint::step, part.getValue()::applyAsDouble)));
      if (s.x().length > 0) {
        out.add(s);
      }
    }
    return out;
  }

  private void heatmap() {
    String method = input.heatmapMethod();
    heading(2, "Prompt similarity (" + method + ")");
    List<Run> chosen = heatmapRuns(method);
    List<String> labels = TaskOrder.shortNames(chosen.stream().map(r -> r.ref().task()).toList());
    List<float[]> prompts = new ArrayList<>();
    String why =
        chosen.size() < 2
            ? "it needs " + method + " runs on two or more tasks; found " + chosen.size()
            : readPrompts(method, chosen, prompts);
    why = why != null ? why : unusable(method, labels, prompts);
    if (why != null) {
      para("No heatmap: " + why + (why.endsWith(".") ? "" : "."));
      return;
    }
    para(
        "Cosine similarity between the adapted task prompts of "
            + method
            + " ("
            + title(chosen.getFirst().ref().shots())
            + ", first seed of each task), each flattened from (P, d); for MPT the folded P* ∘ u vᵀ."
            + " The paper's Figure 4 (right) shows the same for T5-Base.");
    drawHeatmap(method, labels, PromptSimilarity.matrix(prompts));
  }

  private void drawHeatmap(String method, List<String> labels, double[][] cos) {
    String path = "prompt-similarity-" + Formats.slug(method) + ".png";
    String title = method + ": cosine similarity of task prompts";
    Charts.heatmap(dir.resolve(path), title, labels, cos);
    charts.add(new Chart(path, "cosine similarity of the adapted " + method + " task prompts"));
    blocks.add(new Doc.Image(path, title));
    blocks.add(matrixTable(labels, cos));
  }

  /**
   * Reads the flattened prompt of each run into {@code out}; returns why not when a run's adapter
   * cannot be read (one unreadable adapter drops the heatmap, not the report), else null.
   */
  private static String readPrompts(String method, List<Run> chosen, List<float[]> out) {
    for (Run r : chosen) {
      try {
        out.add(PromptSimilarity.prompt(r.ref().runDir()));
      } catch (CheckpointException e) {
        return "the "
            + method
            + " adapter of "
            + r.ref().task()
            + " (seed "
            + r.ref().seed()
            + ") cannot be read: "
            + e.getMessage();
      }
    }
    return null;
  }

  /** Why the prompts cannot be compared by cosine (sizes differ, one is all zeros), or null. */
  private static String unusable(String method, List<String> labels, List<float[]> prompts) {
    if (prompts.stream().mapToInt(p -> p.length).distinct().count() > 1) {
      return "the " + method + " prompts differ in size (P·d): " + sizes(labels, prompts);
    }
    for (int i = 0; i < prompts.size(); i++) {
      if (allZero(prompts.get(i))) {
        return "the "
            + method
            + " prompt of "
            + labels.get(i)
            + " is all zeros, so its cosine with the others is undefined";
      }
    }
    return null;
  }

  private static boolean allZero(float[] prompt) {
    for (float v : prompt) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  private static String sizes(List<String> labels, List<float[]> prompts) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      out.add(labels.get(i) + " " + prompts.get(i).length);
    }
    return String.join(", ", out);
  }

  /** The first-seed run of each task of a method, in the lowest shots setting it has runs in. */
  private List<Run> heatmapRuns(String method) {
    for (int shots : results.shotsSettings()) {
      List<Run> out = new ArrayList<>();
      for (String task : results.tasks(shots)) {
        results.runs(shots, method, task).stream().findFirst().ifPresent(out::add);
      }
      if (!out.isEmpty()) {
        return out;
      }
    }
    return List.of();
  }

  private static Doc.Table matrixTable(List<String> labels, double[][] m) {
    List<String> header = new ArrayList<>(List.of("task"));
    header.addAll(labels);
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      List<String> row = new ArrayList<>(List.of(labels.get(i)));
      for (double v : m[i]) {
        row.add(String.format(Locale.ROOT, "%.3f", v));
      }
      rows.add(row);
    }
    return new Doc.Table(header, rows);
  }

  private void files() {
    heading(2, "Files");
    List<String> items =
        new ArrayList<>(List.of("`" + MARKDOWN + "`, `" + HTML + "`: this report"));
    charts.forEach(c -> items.add("`" + c.path() + "`: " + c.caption()));
    blocks.add(new Doc.Bullets(items));
  }

  private void reproduce() {
    heading(2, "Reproduce");
    if (!input.spec().isBlank()) {
      heading(3, "Spec");
      blocks.add(new Doc.Code(input.spec()));
    }
    heading(3, "Commands");
    blocks.add(
        new Doc.Code(
            input.commands().isEmpty() ? "(none recorded)" : String.join("\n", input.commands())));
  }

  /** Writes a line chart and shows it, or says why there is none. */
  private void chart(String path, String title, String yLabel, List<Series> lines) {
    if (lines.isEmpty()) {
      para("No " + yLabel + " logged for: " + title + ".");
      return;
    }
    Charts.lines(dir.resolve(path), title, yLabel, lines);
    charts.add(new Chart(path, title));
    blocks.add(new Doc.Image(path, title));
  }

  private static <T> Map<Integer, Double> byStep(
      List<T> points, java.util.function.ToIntFunction<T> step, ToDoubleFunction<T> value) {
    return points.stream()
        .collect(
            Collectors.toMap(
                step::applyAsInt, value::applyAsDouble, (a, b) -> b, LinkedHashMap::new));
  }

  private static String title(int shots) {
    return shots == 0 ? "Full data" : shots + "-shot";
  }

  private void heading(int level, String text) {
    blocks.add(new Doc.Heading(level, text));
  }

  private void para(String text) {
    blocks.add(new Doc.Para(text));
  }

  private static void writeText(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new ReportException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
