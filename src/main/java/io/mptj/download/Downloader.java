package io.mptj.download;

import io.mptj.engine.Reporter;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches files over HTTP(S) only when a user asks for it: resumable (a {@code .part} file and a
 * {@code Range} request, whose {@code 206} answer must start where the part file ends, RFC 9110
 * §14.4), verified (SHA-256 or git blob SHA-1, and size, when known) and atomic (the target appears
 * only once complete and verified). Progress goes to standard error.
 */
public final class Downloader {

  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final HttpClient client;
  private final boolean progress;

  /** A downloader that shows a progress bar when {@code progress} is true. */
  public Downloader(boolean progress) {
    this(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build(),
        progress);
  }

  /** A downloader over a given HTTP client (its proxy, timeouts and redirects apply). */
  Downloader(HttpClient client, boolean progress) {
    this.client = client;
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
   * Downloads {@code url} to {@code target} unless a verified copy is already there. A {@code
   * .part} file left by an interrupted download is resumed; one that already has the expected size
   * is verified without a request.
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
    if (!completePart(part, expected)) {
      download(url, part, Files.isRegularFile(part) ? Files.size(part) : 0, expected, label);
      verify(url, part, expected);
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  /**
   * Whether the part file is already the whole, verified file; a part file of the expected size or
   * larger that does not verify is removed, so the download starts over.
   */
  private static boolean completePart(Path part, Expected expected) throws IOException {
    if (expected.size() < 0 || !Files.isRegularFile(part) || Files.size(part) < expected.size()) {
      return false;
    }
    if (matches(part, expected)) {
      return true;
    }
    Files.delete(part);
    return false;
  }

  /**
   * Fetches the bytes after the first {@code have} into the part file, or all of them when the
   * server cannot resume there.
   */
  private void download(URI url, Path part, long have, Expected expected, String label)
      throws IOException {
    HttpResponse<InputStream> resp = send(url, have);
    int status = resp.statusCode();
    long start = status == 206 ? rangeStart(resp) : 0;
    if (have > 0 && (status == 416 || status == 206 && start != have)) {
      resp.body().close();
      Files.deleteIfExists(part);
      download(url, part, 0, expected, label);
      return;
    }
    if (status != 200 && (status != 206 || start != have)) {
      resp.body().close();
      throw new IOException("GET " + url + " answered HTTP " + status + rangeNote(resp));
    }
    long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
    long total = length < 0 ? expected.size() : start + length;
    copy(resp.body(), part, status == 206, start, total, label);
  }

  private HttpResponse<InputStream> send(URI url, long have) throws IOException {
    HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET();
    if (have > 0) {
      req.header("Range", "bytes=" + have + "-");
    }
    try {
      return client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + url, e);
    }
  }

  /** The first byte a 206 answer holds, from {@code Content-Range: bytes S-E/T}, or -1. */
  static long rangeStart(HttpResponse<?> resp) {
    return resp.headers()
        .firstValue("Content-Range")
        .map(v -> CONTENT_RANGE.matcher(v.strip()))
        .filter(Matcher::matches)
        .map(m -> Long.parseLong(m.group(1)))
        .orElse(-1L);
  }

  private static String rangeNote(HttpResponse<?> resp) {
    return resp.statusCode() == 206
        ? " with Content-Range " + resp.headers().firstValue("Content-Range").orElse("(none)")
        : "";
  }

  /** Checks the downloaded file; on a mismatch it is removed and the error says what differed. */
  private static void verify(URI url, Path part, Expected expected) throws IOException {
    if (matches(part, expected)) {
      return;
    }
    Expected got = actual(part, expected);
    Files.delete(part);
    throw new IOException(
        "checksum mismatch for "
            + url
            + ": expected "
            + describe(expected)
            + ", got "
            + describe(got)
            + "; the partial file was removed, run again to retry");
  }

  /** The file's size and the hash of the kind {@code expected} names. */
  private static Expected actual(Path file, Expected expected) throws IOException {
    String sha256 = expected.sha256() != null ? sha256(file) : null;
    String blob = sha256 == null && expected.gitBlobSha1() != null ? gitBlobSha1(file) : null;
    return new Expected(sha256, blob, Files.size(file));
  }

  private void copy(
      InputStream body, Path part, boolean append, long start, long total, String label)
      throws IOException {
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (InputStream in = body;
        OutputStream out =
            Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
        Reporter.Progress bar =
            progress
                ? Reporter.current().progress(label, total, start, " MiB", 1 << 20)
                : Reporter.NO_PROGRESS) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        bar.stepBy(n);
      }
    }
  }

  /** E.g. {@code "sha256 ab12… (1024 bytes)"}, {@code "git blob cd34…"}, {@code "1024 bytes"}. */
  private static String describe(Expected e) {
    String what =
        e.sha256() != null
            ? "sha256 " + e.sha256()
            : e.gitBlobSha1() != null ? "git blob " + e.gitBlobSha1() : "";
    String size = e.size() >= 0 ? e.size() + " bytes" : "";
    if (what.isEmpty() || size.isEmpty()) {
      return what.isEmpty() && size.isEmpty() ? "anything" : what + size;
    }
    return what + " (" + size + ")";
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
