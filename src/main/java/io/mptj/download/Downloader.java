package io.mptj.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Fetches files over HTTP(S) only when a user asks for it: resumable (a {@code .part} file and a
 * {@code Range} request), verified (SHA-256 and size when known) and atomic (the target appears
 * only once complete and verified). Progress goes to standard error.
 */
public final class Downloader {

  private final HttpClient client;
  private final boolean progress;

  /** A downloader that shows a progress bar when {@code progress} is true. */
  public Downloader(boolean progress) {
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    this.progress = progress;
  }

  /**
   * The expected content of a file, as far as the publisher states it.
   *
   * @param sha256 hex SHA-256 of the content, or null
   * @param gitBlobSha1 hex SHA-1 of the git blob ({@code "blob <size>\0" + content}), as the
   *     Hugging Face hub reports for files not stored in LFS, or null
   * @param size content length in bytes, or -1
   */
  public record Expected(String sha256, String gitBlobSha1, long size) {
    /** Nothing known in advance. */
    public static final Expected UNKNOWN = new Expected(null, null, -1);

    /** A SHA-256 checksum (or null) and a size (or -1). */
    public Expected(String sha256, long size) {
      this(sha256, null, size);
    }
  }

  /**
   * Downloads {@code url} to {@code target} unless a verified copy is already there.
   *
   * @return the target path
   * @throws IOException on network errors, HTTP errors, or a checksum or size mismatch (the partial
   *     file is then removed so the next try starts clean)
   */
  public Path fetch(URI url, Path target, Expected expected, String label) throws IOException {
    if (Files.isRegularFile(target) && matches(target, expected)) {
      return target;
    }
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path part = target.resolveSibling(target.getFileName() + ".part");
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET();
    if (have > 0) {
      req.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + url, e);
    }
    int status = resp.statusCode();
    if (status == 416 && have > 0) {
      resp.body().close();
      Files.delete(part);
      return fetch(url, target, expected, label);
    }
    if (status != 200 && status != 206) {
      resp.body().close();
      throw new IOException("GET " + url + " answered HTTP " + status);
    }
    boolean append = status == 206;
    long start = append ? have : 0;
    long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
    long total = length < 0 ? expected.size() : start + length;
    copy(resp.body(), part, append, start, total, label);
    if (!matches(part, expected)) {
      String got = sha256(part);
      long size = Files.size(part);
      Files.delete(part);
      throw new IOException(
          "checksum mismatch for "
              + url
              + ": expected sha256 "
              + expected.sha256()
              + " ("
              + expected.size()
              + " bytes), got "
              + got
              + " ("
              + size
              + " bytes); the partial file was removed, run again to retry");
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  private void copy(
      InputStream body, Path part, boolean append, long start, long total, String label)
      throws IOException {
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (InputStream in = body;
        OutputStream out =
            Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
        ProgressBar bar = progress ? bar(label, total, start) : null) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        if (bar != null) {
          bar.stepBy(n);
        }
      }
    }
  }

  private static ProgressBar bar(String label, long total, long start) {
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(label)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(" MiB", 1 << 20)
            .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
            .showSpeed()
            .build();
    bar.stepTo(start);
    return bar;
  }

  private static String describe(Expected e) {
    String what =
        e.sha256() != null
            ? "sha256 " + e.sha256()
            : e.gitBlobSha1() != null ? "git blob " + e.gitBlobSha1() : "";
    return what + (e.size() >= 0 ? " (" + e.size() + " bytes)" : "");
  }

  private static boolean matches(Path file, Expected expected) throws IOException {
    if (expected.size() >= 0 && Files.size(file) != expected.size()) {
      return false;
    }
    if (expected.sha256() != null && !expected.sha256().equalsIgnoreCase(sha256(file))) {
      return false;
    }
    return expected.gitBlobSha1() == null
        || expected.gitBlobSha1().equalsIgnoreCase(gitBlobSha1(file));
  }

  /** Hex SHA-1 of a file as a git blob object. */
  public static String gitBlobSha1(Path file) throws IOException {
    MessageDigest md = digest("SHA-1");
    md.update(
        ("blob " + Files.size(file) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return hash(file, md);
  }

  /** Hex SHA-256 of a file. */
  public static String sha256(Path file) throws IOException {
    return hash(file, digest("SHA-256"));
  }

  private static String hash(Path file, MessageDigest md) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
