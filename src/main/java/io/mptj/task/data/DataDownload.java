package io.mptj.task.data;

import io.mptj.download.Downloader;
import io.mptj.download.Unpacker;
import io.mptj.task.DataException;
import io.mptj.task.bench.TaskRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Fetches a task's official files when a user asks ({@code ./mptj data download TASK}): each file
 * is downloaded into an archive folder (resumable, size- and SHA-256-verified by {@link
 * Downloader}), unpacked safely into a staging folder, and then moved into {@code
 * <data-dir>/<benchmark>/<TASK>/}. Existing files are never replaced unless asked ({@code force});
 * the check happens before anything is moved. A base URL, when set, replaces the origin of every
 * official URL (scheme, host and port; its own path is prepended), so a mirror or a test server on
 * loopback can serve {@code /glue/data/RTE.zip}.
 */
public final class DataDownload {
  private final URI baseUrl;
  private final Path archiveDir;
  private final Downloader downloader;
  private final List<DataSources.Source> catalog;

  /**
   * @param baseUrl replaces the origin of official URLs, or {@code null} for the official hosts
   * @param archiveDir where downloaded files are kept
   * @param downloader the HTTP fetcher
   * @param catalog the sources to choose from, normally {@link DataSources#ALL}
   */
  public DataDownload(
      URI baseUrl, Path archiveDir, Downloader downloader, List<DataSources.Source> catalog) {
    this.baseUrl = baseUrl;
    this.archiveDir = archiveDir;
    this.downloader = downloader;
    this.catalog = List.copyOf(catalog);
  }

  /**
   * What one download wrote.
   *
   * @param task the task
   * @param folder the task folder the files went to
   * @param files the files written there, relative to the folder
   * @param sha256 each downloaded file's name and SHA-256
   */
  public record Result(String task, Path folder, List<String> files, List<String> sha256) {}

  /**
   * The task names a user argument stands for: a task, or a benchmark ({@code glue}) for all of
   * its.
   */
  public List<String> expand(String arg) {
    List<String> out = new ArrayList<>();
    for (DataSources.Source s : catalog) {
      if (s.task().equalsIgnoreCase(arg)
          || s.task().toLowerCase(Locale.ROOT).startsWith(arg.toLowerCase(Locale.ROOT) + "/")) {
        out.add(s.task());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "nothing to download for '"
              + arg
              + "'; known: glue, superglue, others, or one of "
              + catalog.stream().map(DataSources.Source::task).toList());
    }
    return out;
  }

  /** Downloads, verifies and unpacks one task's files into {@code dataDir}. */
  public Result download(String task, Path dataDir, boolean force) throws IOException {
    DataSources.Source source = source(task);
    Path folder = dataDir.resolve(task);
    Files.createDirectories(folder.getParent());
    Path staging =
        Files.createTempDirectory(folder.getParent(), "." + folder.getFileName() + ".partial-");
    try {
      List<String> sums = new ArrayList<>();
      List<Path> fetched = new ArrayList<>();
      for (DataSources.Remote r : source.files()) {
        Path file = fetch(r, task);
        fetched.add(file);
        sums.add(r.fileName() + " " + Downloader.sha256(file));
      }
      stage(source.unpack(), fetched, staging);
      Path root = singleTopFolder(staging);
      List<String> files = relativeFiles(root);
      install(root, folder, files, force);
      return new Result(task, folder, files, sums);
    } finally {
      deleteTree(staging);
    }
  }

  /**
   * Downloads the official files of each of {@code tasks} whose folder {@code dataDir} lacks (the
   * quickstart's fallback when no data directory has its tasks); present tasks are left alone.
   *
   * @return what each download wrote, in the order of {@code tasks}
   */
  public List<Result> ensure(Collection<String> tasks, Path dataDir) throws IOException {
    List<Result> out = new ArrayList<>();
    for (String t : missing(dataDir, tasks)) {
      out.add(download(t, dataDir, false));
    }
    return out;
  }

  /**
   * The tasks among {@code tasks} whose folder is absent from {@code dataDir} (all when it is
   * null).
   */
  public static List<String> missing(Path dataDir, Collection<String> tasks) {
    return tasks.stream()
        .filter(t -> dataDir == null || !Files.isDirectory(TaskRegistry.get(t).folder(dataDir)))
        .toList();
  }

  /** The bytes the official files of {@code tasks} take to download. */
  public long bytes(Collection<String> tasks) {
    return tasks.stream()
        .map(this::source)
        .flatMap(s -> s.files().stream())
        .mapToLong(DataSources.Remote::size)
        .sum();
  }

  private DataSources.Source source(String task) {
    return catalog.stream()
        .filter(s -> s.task().equals(task))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no official download known for " + task));
  }

  private Path fetch(DataSources.Remote r, String task) throws IOException {
    URI url = url(r.url());
    Path target = archiveDir.resolve(task).resolve(r.fileName());
    var expected = new Downloader.Expected(r.sha256(), r.size());
    return downloader.fetch(url, target, expected, task + " " + r.fileName());
  }

  /** The official URL, or the same path under the base URL. */
  URI url(String official) {
    URI u = URI.create(official);
    if (baseUrl == null) {
      return u;
    }
    String base = baseUrl.toString().replaceAll("/+$", "");
    return URI.create(base + u.getRawPath());
  }

  private static void stage(DataSources.Unpack how, List<Path> fetched, Path staging)
      throws IOException {
    switch (how) {
      case ARCHIVE -> Unpacker.unpack(fetched.getFirst(), staging);
      case FILE -> {
        for (Path f : fetched) {
          Files.copy(f, staging.resolve(f.getFileName().toString()));
        }
      }
      case MRPC_RECIPE -> MrpcRecipe.build(fetched.get(0), fetched.get(1), fetched.get(2), staging);
    }
  }

  private static Path singleTopFolder(Path staging) throws IOException {
    try (Stream<Path> s = Files.list(staging)) {
      List<Path> top = s.toList();
      return top.size() == 1 && Files.isDirectory(top.getFirst()) ? top.getFirst() : staging;
    }
  }

  private static List<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static void install(Path root, Path folder, List<String> files, boolean force)
      throws IOException {
    if (!force) {
      for (String f : files) {
        if (Files.exists(folder.resolve(f))) {
          throw new DataException(
              folder.resolve(f)
                  + " already exists; not replacing it (pass --force to replace the files of this task)");
        }
      }
    }
    for (String f : files) {
      Path to = folder.resolve(f);
      Files.createDirectories(to.getParent());
      Files.move(root.resolve(f), to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  /** GLUE's recipe for MRPC ({@code download_glue_data.py}, {@code format_mrpc}). */
  static final class MrpcRecipe {
    private MrpcRecipe() {}

    /**
     * Writes train.tsv and dev.tsv (the MSR train file split by GLUE's dev ids, header kept) and
     * test.tsv (the MSR test file with an index column) into {@code out}.
     */
    static void build(Path msrTrain, Path msrTest, Path devIds, Path out) throws IOException {
      Set<String> dev = new HashSet<>();
      for (String line : Files.readAllLines(devIds, StandardCharsets.UTF_8)) {
        String[] ids = line.strip().split("\t");
        if (ids.length >= 2) {
          dev.add(ids[0] + "\t" + ids[1]);
        }
      }
      List<String> train = Files.readAllLines(msrTrain, StandardCharsets.UTF_8);
      try (BufferedWriter t = writer(out.resolve("train.tsv"));
          BufferedWriter d = writer(out.resolve("dev.tsv"))) {
        t.write(train.getFirst() + "\n");
        d.write(train.getFirst() + "\n");
        for (String row : train.subList(1, train.size())) {
          String[] f = fields(row, msrTrain);
          (dev.contains(f[1] + "\t" + f[2]) ? d : t).write(String.join("\t", f) + "\n");
        }
      }
      List<String> test = Files.readAllLines(msrTest, StandardCharsets.UTF_8);
      try (BufferedWriter w = writer(out.resolve("test.tsv"))) {
        w.write("index\t#1 ID\t#2 ID\t#1 String\t#2 String\n");
        for (int i = 1; i < test.size(); i++) {
          String[] f = fields(test.get(i), msrTest);
          w.write((i - 1) + "\t" + f[1] + "\t" + f[2] + "\t" + f[3] + "\t" + f[4] + "\n");
        }
      }
    }

    private static String[] fields(String row, Path file) {
      String[] f = row.strip().split("\t", -1);
      if (f.length != 5) {
        throw new DataException(file + ": expected 5 tab-separated fields in '" + row + "'");
      }
      return f;
    }

    private static BufferedWriter writer(Path p) throws IOException {
      return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }
  }
}
