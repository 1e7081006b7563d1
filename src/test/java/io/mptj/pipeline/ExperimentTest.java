package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.testing.ToyTasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny experiment spec end to end: every stage, the report files and the table's numbers. */
class ExperimentTest {

  @TempDir Path work;

  @Test
  void runsEveryStageWritesTheReportAndSkipsFinishedRunsWhenRerun() throws IOException {
    Path data = work.resolve("data");
    String a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1).reference();
    String b = ToyTasks.task(data, "toy/b", ToyTasks.SPORT, ToyTasks.FOOD, 2).reference();
    String c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    String d = ToyTasks.task(data, "toy/d", ToyTasks.FOOD, ToyTasks.SPORT, 4).reference();
    Path spec = work.resolve("spec.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "title: tiny",
            "backbone: " + TinyBert.writeRandom(work.resolve("bert"), 5),
            "seeds: [1, 2]",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 5, lr: 0.05, lr_head: 0.05}",
            "source: {tasks: [" + a + ", " + b + "], hyper: {steps: 10}}",
            "distill: {hyper: {steps: 10}}",
            "targets: {tasks: ["
                + c
                + ", "
                + d
                + "], methods: [pt, spot, mpt], multi_target: true, hyper: {steps: 10}}",
            "spot_source: " + b,
            "few_shot: {tasks: [" + c + "], shots: [4], methods: [pt, mpt], hyper: {steps: 5}}",
            ""));
    Path out = work.resolve("exp");
    ExperimentSpec parsed = ExperimentSpec.read(spec);
    Path report;
    try (Context ctx = new Context(Backbones.load(parsed.backbone()), data, false)) {
      report =
          Experiment.run(parsed, Files.readString(spec), out, ctx, "./mptj experiment spec.yaml");
    }
    for (String f :
        List.of(
            "results.md",
            "results.html",
            "report.json",
            "prompt-similarity-MPT.png",
            "stage-distill.png",
            "loss-full-toy-c.png",
            "dev-full-toy-c.png")) {
      assertTrue(Files.isRegularFile(report.resolve(f)), "report lacks " + f);
    }
    String md = Files.readString(report.resolve("results.md"));
    for (String method : List.of("| PT ", "| SPoT ", "| MPT ", "| MPT* ")) {
      assertTrue(md.contains(method), "results.md lacks the row " + method);
    }
    String cell = meanStd(out, "mpt", "toy-c");
    assertTrue(md.contains(cell), "results.md shows MPT on toy/c as " + cell + ":\n" + md);
    assertTrue(
        md.contains("./mptj experiment spec.yaml")
            && md.contains("./mptj distill --backbone")
            && md.contains("--method spot --from " + out.resolve("source")),
        "the reproduce section lists the commands");
    assertTrue(Files.isRegularFile(out.resolve("runs/k4/mpt/toy-c/seed-2/metrics.json")));
    long before =
        Files.getLastModifiedTime(out.resolve("runs/full/pt/toy-d/seed-1/metrics.json")).toMillis();
    try (Context ctx = new Context(Backbones.load(parsed.backbone()), data, false)) {
      Experiment.run(parsed, Files.readString(spec), out, ctx, "./mptj experiment spec.yaml");
    }
    assertEquals(
        before,
        Files.getLastModifiedTime(out.resolve("runs/full/pt/toy-d/seed-1/metrics.json")).toMillis(),
        "a rerun skips finished runs");
    Files.delete(out.resolve("runs/full/pt/toy-d/seed-2/metrics.json"));
    try (Context ctx = new Context(Backbones.load(parsed.backbone()), data, false)) {
      Experiment.reportOnly(
          parsed, Files.readString(spec), out, ctx, "./mptj experiment spec.yaml --report-only");
    }
    assertTrue(
        !Files.exists(out.resolve("runs/full/pt/toy-d/seed-2/metrics.json")),
        "report-only trains nothing");
    assertTrue(
        Files.readString(report.resolve("results.md")).contains("(n="),
        "the unfinished run is left out");
  }

  /**
   * "mean ± std" of the test score over the seeds of one method and task, computed here from the
   * runs.
   */
  static String meanStd(Path out, String method, String task) throws IOException {
    List<Double> scores = new ArrayList<>();
    try (Stream<Path> seeds = Files.list(out.resolve("runs/full").resolve(method).resolve(task))) {
      for (Path s : seeds.sorted().toList()) {
        scores.add(
            new ObjectMapper()
                .readTree(s.resolve("metrics.json").toFile())
                .get("test")
                .get("score")
                .asDouble());
      }
    }
    double mean = scores.stream().mapToDouble(x -> x).average().orElseThrow();
    double var =
        scores.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (scores.size() - 1);
    return String.format(Locale.ROOT, "%.1f ± %.2f", mean, Math.sqrt(var));
  }

  /**
   * A grid per block: each method runs the combinations of the keys it reads, the best dev score is
   * reported, and the choice is written beside the runs; paired comparisons join the report.
   */
  @Test
  void aGridIsSearchedPerMethodAndChosenOnDev() throws IOException {
    Path data = work.resolve("data");
    String a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1).reference();
    String c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    Path spec =
        spec(
            "grid",
            "seeds: [1, 2]",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 5, lr_head: 0.05}",
            "source: {tasks: [" + a + "], hyper: {steps: 6}}",
            "distill: {hyper: {steps: 6}}",
            "few_shot: {tasks: [" + c + "], shots: [4], methods: [pt, mpt], hyper: {steps: 5},",
            "           grid: {lr: [0.01, 0.05], lr_task: [0.05, 0.2]}}");
    Path out = work.resolve("grid");
    Path report = run(spec, data, out, "grid");
    Path pt = out.resolve("runs/k4/pt/toy-c/seed-1");
    Path mpt = out.resolve("runs/k4/mpt/toy-c/seed-1");
    try (Stream<Path> s = Files.list(pt)) {
      assertEquals(3, s.count(), "two lr points and selection.json (PT reads no lr_task)");
    }
    for (String dir : List.of("lr-0.01_lr_task-0.05", "lr-0.05_lr_task-0.2")) {
      assertTrue(RunDir.finished(mpt.resolve(dir)), dir);
    }
    var sel = new ObjectMapper().readTree(mpt.resolve(GridSearch.SELECTION).toFile());
    assertEquals(4, sel.get("points").size());
    double best = -1;
    String bestDir = null;
    for (var p : sel.get("points")) {
      if (p.get("dev").asDouble() > best) {
        best = p.get("dev").asDouble();
        bestDir = p.get("dir").asText();
      }
    }
    assertEquals(bestDir, sel.get("chosen").asText());
    assertTrue(
        reportedRuns(report).contains(mpt.resolve(bestDir).toAbsolutePath().normalize()),
        "the chosen run is reported");
    assertTrue(
        reportedRuns(report).stream()
                .filter(r -> r.startsWith(mpt.toAbsolutePath().normalize()))
                .count()
            == 1,
        "one MPT point is reported for the seed, the chosen one");
    String md = Files.readString(report.resolve("results.md"));
    assertTrue(md.contains("## Paired comparisons") && md.contains("MPT − PT"), md);
  }

  /** A spec of methods that start from nothing trains no source prompts and still reports. */
  @Test
  void aBaselinesOnlySpecRunsNoSourceStage() throws IOException {
    Path data = work.resolve("data");
    String c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    Path spec =
        spec(
            "baselines",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 5}",
            "few_shot: {tasks: [" + c + "], shots: [4], methods: [pt, lora], hyper: {steps: 5}}");
    Path out = work.resolve("baselines");
    Path report = run(spec, data, out, "baselines");
    assertTrue(!Files.exists(out.resolve("source")), "no source stage");
    for (String m : List.of("pt", "lora")) {
      assertTrue(RunDir.finished(out.resolve("runs/k4/" + m + "/toy-c/seed-1")), m);
    }
    String md = Files.readString(report.resolve("results.md"));
    assertTrue(md.contains("LoRA") && !md.contains("./mptj source"), md);
  }

  /**
   * {@code --only-tasks}: a study run a task at a time into one output directory trains only the
   * selected task's runs, reports every finished run of the spec, and refuses a task the spec does
   * not adapt to.
   */
  @Test
  void onlyTasksTrainsTheSelectedTasksAndReportsEveryFinishedRun() throws IOException {
    Path data = work.resolve("data");
    String c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    String d = ToyTasks.task(data, "toy/d", ToyTasks.FOOD, ToyTasks.SPORT, 4).reference();
    String a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1).reference();
    Path spec =
        spec(
            "chunks",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 5}",
            "few_shot: {tasks: ["
                + c
                + ", "
                + d
                + "], shots: [4], methods: [pt], hyper: {steps: 5}}");
    Path out = work.resolve("chunks");
    ExperimentSpec parsed = ExperimentSpec.read(spec);
    String text = Files.readString(spec);
    Path cRun = out.resolve("runs/k4/pt/toy-c/seed-1");
    Path dRun = out.resolve("runs/k4/pt/toy-d/seed-1");
    try (Context ctx = new Context(Backbones.load(parsed.backbone()), data, false)) {
      Experiment.run(parsed, text, out, ctx, "first", java.util.Set.of(c));
      assertTrue(RunDir.finished(cRun) && !Files.exists(dRun), "only toy/c trained");
      Path report = Experiment.run(parsed, text, out, ctx, "second", java.util.Set.of(d));
      assertTrue(RunDir.finished(dRun), "toy/d trained by the second chunk");
      assertEquals(
          java.util.Set.of(cRun.toAbsolutePath().normalize(), dRun.toAbsolutePath().normalize()),
          reportedRuns(report),
          "the second chunk's report covers the first chunk's run too");
      var e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> Experiment.run(parsed, text, out, ctx, "bad", java.util.Set.of(a)));
      assertTrue(e.getMessage().contains("--only-tasks: " + a), e.getMessage());
    }
  }

  /**
   * One spec naming every registered method runs end to end on the tiny model: each method trains
   * on the same data, steps and seed, a method's own learning-rate grid is searched on dev, and the
   * report has a row per method with its parameter count, training time and peak memory.
   */
  @Test
  void aSpecNamingEveryMethodRunsEndToEnd() throws IOException {
    Path data = work.resolve("data");
    String a = ToyTasks.task(data, "toy/a", ToyTasks.POS, ToyTasks.NEG, 1).reference();
    String b = ToyTasks.task(data, "toy/b", ToyTasks.SPORT, ToyTasks.FOOD, 2).reference();
    String c = ToyTasks.task(data, "toy/c", ToyTasks.POS, ToyTasks.NEG, 3).reference();
    List<String> methods =
        io.mptj.method.MethodRegistry.names().stream().filter(m -> !m.equals("toy")).toList();
    Path spec =
        spec(
            "all",
            "seeds: [1]",
            "hyper: {prompt_length: 4, batch_size: 8, max_length: 24, eval_every: 4, lr_head: 0.05}",
            "source: {tasks: [" + a + ", " + b + "], hyper: {steps: 4}}",
            "distill: {hyper: {steps: 4}}",
            "spot_source: " + b,
            "few_shot: {tasks: ["
                + c
                + "], shots: [4], methods: ["
                + String.join(", ", methods)
                + "], hyper: {steps: 4},",
            "           grid: {lr_lora: [0.001, 0.01]}}");
    Path out = work.resolve("all");
    Path report = run(spec, data, out, "all");
    String md = Files.readString(report.resolve("results.md"));
    for (String m : methods) {
      String label = io.mptj.method.MethodRegistry.get(m).label();
      assertTrue(md.contains("| " + label + " "), label + " has a row:\n" + md);
    }
    assertTrue(md.contains("peak RSS MiB") && md.contains("peak − start MiB"), md);
    Path lora = out.resolve("runs/k4/lora/toy-c/seed-1");
    assertTrue(
        Files.isRegularFile(lora.resolve(GridSearch.SELECTION)), "LoRA's grid chosen on dev");
    var metrics =
        new ObjectMapper().readTree(out.resolve("runs/k4/ft/toy-c/seed-1/metrics.json").toFile());
    assertTrue(
        metrics.get("params").get("task_specific").asLong() > 990_000,
        "FT counts the whole tiny model (996K)");
    if (metrics.has("peak_rss_mb")) { // Linux
      assertTrue(
          metrics.get("start_rss_mb").asDouble() > 0
              && metrics.get("start_rss_mb").asDouble() <= metrics.get("peak_rss_mb").asDouble(),
          "the resident size at the start of training is recorded, under the peak: " + metrics);
    }
  }

  /** The run directories a written report lists. */
  private static java.util.Set<Path> reportedRuns(Path report) {
    return io.mptj.report.ReportInput.fromJson(report.resolve("report.json")).runs().stream()
        .map(r -> r.runDir().toAbsolutePath().normalize())
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Runs the spec file end to end on the data directory and returns its report directory. */
  private static Path run(Path spec, Path data, Path out, String command) throws IOException {
    ExperimentSpec parsed = ExperimentSpec.read(spec);
    try (Context ctx = new Context(Backbones.load(parsed.backbone()), data, false)) {
      return Experiment.run(parsed, Files.readString(spec), out, ctx, command);
    }
  }

  /** Writes {@code name.yaml}: a tiny random BERT backbone and the given lines. */
  private Path spec(String name, String... lines) throws IOException {
    Path f = work.resolve(name + ".yaml");
    String backbone = "backbone: " + TinyBert.writeRandom(work.resolve("bert"), 5);
    Files.writeString(f, backbone + "\n" + String.join("\n", lines) + "\n");
    return f;
  }
}
