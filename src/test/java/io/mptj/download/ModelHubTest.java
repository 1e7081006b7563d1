package io.mptj.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model download against a loopback server that speaks the Hugging Face hub API. */
class ModelHubTest {

  @TempDir Path cache;
  private HttpServer server;
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, String> lfs = new LinkedHashMap<>();
  private final List<String> ranges = new CopyOnWriteArrayList<>();
  private boolean corruptChecksum;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    byte[] body;
    int status = 200;
    if (path.startsWith("/api/models/org/tiny/revision/main")) {
      body = siblings().getBytes(StandardCharsets.UTF_8);
    } else if (path.startsWith("/org/tiny/resolve/main/")
        && files.containsKey(path.substring(23))) {
      body = files.get(path.substring(23));
      String range = ex.getRequestHeaders().getFirst("Range");
      if (range != null) {
        ranges.add(range);
        int from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        body = java.util.Arrays.copyOfRange(body, from, body.length);
        status = 206;
      }
    } else {
      body = "not found".getBytes(StandardCharsets.UTF_8);
      status = 404;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private String siblings() {
    StringBuilder sb = new StringBuilder("{\"id\":\"org/tiny\",\"siblings\":[");
    String sep = "";
    for (var e : files.entrySet()) {
      byte[] b = e.getValue();
      sb.append(sep)
          .append("{\"rfilename\":\"")
          .append(e.getKey())
          .append("\",\"size\":")
          .append(b.length);
      if (lfs.containsKey(e.getKey())) {
        String sha = corruptChecksum ? "0".repeat(64) : sha256(b);
        sb.append(",\"lfs\":{\"sha256\":\"")
            .append(sha)
            .append("\",\"size\":")
            .append(b.length)
            .append("}");
      } else {
        sb.append(",\"blobId\":\"").append(gitSha1(b)).append("\"");
      }
      sb.append("}");
      sep = ",";
    }
    return sb.append("]}").toString();
  }

  private void addFile(String name, byte[] content, boolean inLfs) {
    files.put(name, content);
    if (inLfs) {
      lfs.put(name, name);
    }
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void downloadsVerifiedFilesIntoTheCache() throws IOException {
    addFile("config.json", "{\"model_type\":\"t5\"}".getBytes(StandardCharsets.UTF_8), false);
    addFile("tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    addFile("model.safetensors", random(300_000, 1), true);
    addFile("pytorch_model.bin", random(10, 2), true);
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    Path dir = hub.download("org/tiny", "main");
    assertTrue(hub.isCached("org/tiny"));
    assertArrayEquals(
        files.get("model.safetensors"), Files.readAllBytes(dir.resolve("model.safetensors")));
    assertArrayEquals(files.get("config.json"), Files.readAllBytes(dir.resolve("config.json")));
    assertFalse(
        Files.exists(dir.resolve("pytorch_model.bin")), "only safetensors weights are fetched");
  }

  @Test
  void resumesAnInterruptedDownloadWithARangeRequest() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    byte[] weights = random(200_000, 3);
    addFile("model.safetensors", weights, true);
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    Path dir = hub.localDir("org/tiny");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.safetensors.part"), java.util.Arrays.copyOf(weights, 70_000));
    hub.download("org/tiny", "main");
    assertEquals(List.of("bytes=70000-"), ranges);
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
  }

  @Test
  void checksumMismatchFailsAndLeavesNoFileBehind() {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    addFile("model.safetensors", random(1000, 4), true);
    corruptChecksum = true;
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    IOException e = assertThrows(IOException.class, () -> hub.download("org/tiny", "main"));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Path dir = hub.localDir("org/tiny");
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
    assertFalse(Files.exists(dir.resolve("model.safetensors.part")));
    assertFalse(hub.isCached("org/tiny"));
  }

  @Test
  void fetchesEveryShardNamedByTheIndex() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    addFile("model-00001-of-00002.safetensors", random(5000, 5), true);
    addFile("model-00002-of-00002.safetensors", random(6000, 6), true);
    String index =
        "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
            + "\"b\":\"model-00002-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"}}";
    addFile("model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8), false);
    Path dir = new ModelHub(base(), cache, new Downloader(false)).download("org/tiny", "main");
    assertArrayEquals(
        files.get("model-00002-of-00002.safetensors"),
        Files.readAllBytes(dir.resolve("model-00002-of-00002.safetensors")));
    assertTrue(Files.exists(dir.resolve("model-00001-of-00002.safetensors")));
  }

  @Test
  void rejectsIdsThatAreNotModelIds() {
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    assertThrows(IllegalArgumentException.class, () -> hub.download("../etc/passwd", "main"));
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String gitSha1(byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(md.digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
