package io.mptj.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.backbone.TextTokenizer;
import io.mptj.download.Downloader;
import io.mptj.download.Locations;
import io.mptj.engine.Json;
import io.mptj.task.DataException;
import io.mptj.task.Task;
import io.mptj.task.bench.TaskRegistry;
import io.mptj.task.data.DataDir;
import io.mptj.task.data.DataDownload;
import io.mptj.task.data.DataSources;
import io.mptj.task.data.DataSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./mptj data}: lists the tasks, describes one ({@code --task T}, one JSON line), checks the
 * files ({@code data check}), and fetches official files ({@code data download}).
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "Lists tasks, or with --task describes one task's data as one JSON line.",
      "The data directory holds <benchmark>/<TASK>/<original files>; see README 'Tasks and data'."
    },
    subcommands = {DataCommand.Check.class, DataCommand.Download.class})
public final class DataCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = Json.MAPPER;

  @Spec CommandSpec spec;
  @Mixin DataDirOption dir;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      description = "a task name (e.g. glue/RTE) or a task spec file")
  String task;

  /** The {@code --data-dir} option every data command takes. */
  static final class DataDirOption {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description =
            "data directory (default: $MPTJ_DATA_DIR, ../shared/data, ~/.cache/mptj/data)")
    Path dataDir;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    return guarded(spec, () -> task == null ? list(out) : describe(out));
  }

  private int list(PrintWriter out) throws JsonProcessingException {
    Path data = DataDir.resolve(dir.dataDir);
    List<String> present = new ArrayList<>();
    for (Task t : TaskRegistry.all()) {
      boolean here = Files.isDirectory(t.folder(data));
      if (here) {
        present.add(t.name());
      }
      out.printf(
          "%-22s %-15s %-17s %s%n",
          t.name(),
          t.kind().name().toLowerCase(),
          t.splitRecipe().name().toLowerCase(),
          here ? "present" : "missing (./mptj data download " + t.name() + ")");
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("data_dir", data.toString());
    summary.put("tasks", TaskRegistry.all().stream().map(Task::name).toList());
    summary.put("present", present);
    out.println(JSON.writeValueAsString(summary));
    return 0;
  }

  private int describe(PrintWriter out) throws IOException {
    Path data = DataDir.resolve(dir.dataDir);
    Task t = TaskRegistry.get(task);
    try (var in = DataCommand.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
        TextTokenizer tok = TextTokenizer.fromStream(in, "all-MiniLM-L6-v2")) {
      Map<String, Object> d =
          DataSummary.describe(t, data, e -> tok.encode(e.text(), e.pair(), 0).length());
      @SuppressWarnings("unchecked")
      Map<String, Object> lengths = (Map<String, Object>) d.get("token_lengths");
      lengths.put("tokenizer", "all-MiniLM-L6-v2");
      d.put("data_dir", data.toString());
      out.println(JSON.writeValueAsString(d));
    }
    return 0;
  }

  /** {@code ./mptj data check}: reads every file found and stops at the first bad one. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Validates every task file found in the data directory; exits 1 on the first bad one.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDirOption dir;

    @Option(names = "--task", paramLabel = "TASK", description = "check only this task")
    String task;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      return guarded(
          spec,
          () -> {
            Path data = DataDir.resolve(dir.dataDir);
            List<String> lines =
                DataSummary.check(data, task == null ? null : TaskRegistry.get(task));
            lines.forEach(l -> out.println("ok\t" + l));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("data_dir", data.toString());
            summary.put("files_checked", lines.size());
            summary.put("ok", true);
            out.println(JSON.writeValueAsString(summary));
            return 0;
          });
    }
  }

  /** {@code ./mptj data download TASK...}: fetches, verifies and unpacks official files. */
  @Command(
      name = "download",
      mixinStandardHelpOptions = true,
      description = {
        "Downloads tasks' official files (verified by SHA-256) into <data-dir>/<benchmark>/<TASK>/.",
        "TASK may be a task (glue/RTE) or a benchmark (glue, superglue, others)."
      })
  static final class Download implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDirOption dir;

    @Parameters(arity = "1..*", paramLabel = "TASK")
    List<String> tasks;

    @Option(names = "--force", description = "replace files that are already there")
    boolean force;

    @Option(
        names = "--base-url",
        paramLabel = "URL",
        description =
            "replaces the origin of every official URL, e.g. a mirror (default: $MPTJ_DATA_BASE_URL)")
    String baseUrl;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      return guarded(
          spec,
          () -> {
            String base = baseUrl != null ? baseUrl : System.getenv("MPTJ_DATA_BASE_URL");
            Path data = DataDir.forDownload(dir.dataDir);
            var dl =
                new DataDownload(
                    base == null || base.isBlank() ? null : URI.create(base),
                    Locations.cacheDir().resolve("archives"),
                    new Downloader(true),
                    DataSources.ALL);
            List<Map<String, Object>> done = new ArrayList<>();
            for (String arg : tasks) {
              for (String t : dl.expand(arg)) {
                DataDownload.Result r = dl.download(t, data, force);
                r.sha256().forEach(s -> err.println("sha256 " + s));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("task", r.task());
                m.put("folder", r.folder().toString());
                m.put("files", r.files());
                m.put("sha256", r.sha256());
                done.add(m);
              }
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("data_dir", data.toString());
            summary.put("downloaded", done);
            if (!data.equals(DataDir.resolveOrNull(null))) {
              summary.put(
                  "hint", "set MPTJ_DATA_DIR=" + data + " (or --data-dir) to read these files");
            }
            out.println(JSON.writeValueAsString(summary));
            return 0;
          });
    }
  }

  /** A command body that may fail with a user-facing error. */
  @FunctionalInterface
  interface Body {
    int run() throws Exception;
  }

  /** Runs a body; data and argument errors print one line to stderr and exit 1 (2 for usage). */
  static int guarded(CommandSpec spec, Body body) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return body.run();
    } catch (DataException e) {
      err.println(
          "mptj " + spec.qualifiedName(" ").replaceFirst("^mptj ", "") + ": " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("mptj: " + e.getMessage());
      return 2;
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("mptj: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }
}
