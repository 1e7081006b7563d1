package io.mptj.cli;

import io.mptj.download.Downloader;
import io.mptj.download.Locations;
import io.mptj.pipeline.ExperimentSpec;
import io.mptj.task.data.DataDir;
import io.mptj.task.data.DataDownload;
import io.mptj.task.data.DataSources;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mptj quickstart}: the README's first command — a small MPT experiment on the bundled
 * MiniLM with its report. Uses {@code --data-dir}, {@code $MPTJ_DATA_DIR}, {@code ../shared/data},
 * or the data cache, fetching the few official files it needs into the cache (saying which and how
 * large) when none has them.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "A small multitask prompt tuning experiment on the bundled all-MiniLM-L6-v2 (about ten minutes on",
      "two cores): source prompts, distillation, MPT vs PT vs SPoT on two targets, then the results table and report."
    })
final class QuickstartCommand implements Callable<Integer> {

  static final String SPEC = "io/mptj/pipeline/quickstart.yaml";

  @Option(
      names = "--out",
      defaultValue = "runs/quickstart",
      description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--data-dir", description = "data directory")
  Path dataDir;

  @Option(
      names = "--base-url",
      description = "mirror for the official data files (default: $MPTJ_DATA_BASE_URL)")
  String baseUrl;

  @Option(names = "--no-progress", description = "no progress bars")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    long start = System.nanoTime();
    String text = resource();
    Path tmp = Files.createTempFile("mptj-quickstart", ".yaml");
    ExperimentSpec spec;
    try {
      Files.writeString(tmp, text);
      spec = ExperimentSpec.read(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
    Path data = dataFor(spec);
    Path report =
        ExperimentCommand.run(
            spec, text, out, data, !noProgress, "./mptj quickstart --out " + out, Set.of());
    System.err.printf(
        "mptj quickstart: finished in %.1f minutes%n", (System.nanoTime() - start) / 6e10);
    return ExperimentCommand.finish(report, start);
  }

  private static String resource() throws IOException {
    try (InputStream in = QuickstartCommand.class.getClassLoader().getResourceAsStream(SPEC)) {
      if (in == null) {
        throw new IOException("the quickstart spec " + SPEC + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * A data directory holding every task of the spec, downloading what is missing into the cache.
   */
  private Path dataFor(ExperimentSpec spec) throws IOException {
    Set<String> needed = new LinkedHashSet<>(spec.source().tasks());
    needed.addAll(spec.targets().tasks());
    Path existing = DataDir.resolveOrNull(dataDir);
    if (existing != null && DataDownload.missing(existing, needed).isEmpty()) {
      return existing;
    }
    if (dataDir != null || System.getenv(DataDir.ENV) != null) {
      throw new IOException(
          "the data directory "
              + existing
              + " lacks "
              + DataDownload.missing(existing, needed)
              + "; fetch them with ./mptj data download "
              + String.join(" ", DataDownload.missing(existing, needed)));
    }
    Path target = DataDir.forDownload(null);
    String base = baseUrl != null ? baseUrl : System.getenv("MPTJ_DATA_BASE_URL");
    DataDownload dl =
        new DataDownload(
            base == null || base.isBlank() ? null : URI.create(base),
            Locations.cacheDir().resolve("archives"),
            new Downloader(!noProgress),
            DataSources.ALL);
    List<String> fetch = DataDownload.missing(target, needed);
    System.err.printf(
        "mptj quickstart: no data directory has %s; downloading the official files of %s (%.1f MB) into %s%n",
        needed, fetch, dl.bytes(fetch) / 1e6, target);
    dl.ensure(fetch, target);
    return target;
  }
}
