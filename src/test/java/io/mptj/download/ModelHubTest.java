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
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private boolean corruptChecksum;
  private boolean corruptBlob;
  private boolean rangeFromZero;

  private static final Pattern API = Pattern.compile("/api/models/org/tiny/revision/[^/]+");
  private static final Pattern FILE = Pattern.compile("/org/tiny/resolve/[^/]+/(.+)");

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
    String range = ex.getRequestHeaders().getFirst("Range");
    requests.add(path + (range == null ? "" : " " + range));
    Matcher file = FILE.matcher(path);
    byte[] body;
    int status = 200;
    if (API.matcher(path).matches()) {
      body = siblings().getBytes(StandardCharsets.UTF_8);
    } else if (file.matches() && files.containsKey(file.group(1))) {
      body = files.get(file.group(1));
      if (range != null) {
        ranges.add(range);
        int size = body.length;
        int from = rangeFromZero ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        body = java.util.Arrays.copyOfRange(body, from, size);
        ex.getResponseHeaders()
            .add("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
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
        String blob = corruptBlob ? "0".repeat(40) : gitSha1(b);
        sb.append(",\"blobId\":\"").append(blob).append("\"");
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
  void aRangeAnswerThatStartsElsewhereRestartsFromZero() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    byte[] weights = random(200_000, 3);
    addFile("model.safetensors", weights, true);
    rangeFromZero = true;
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    Path dir = hub.localDir("org/tiny");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.safetensors.part"), java.util.Arrays.copyOf(weights, 70_000));
    hub.download("org/tiny", "main");
    assertEquals(
        List.of(
            "/org/tiny/resolve/main/model.safetensors bytes=70000-",
            "/org/tiny/resolve/main/model.safetensors"),
        weightRequests());
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
  }

  @Test
  void aPartFileOfTheExpectedSizeIsVerifiedWithoutARequest() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    byte[] weights = random(200_000, 3);
    addFile("model.safetensors", weights, true);
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    Path dir = hub.localDir("org/tiny");
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.safetensors.part"), weights);
    hub.download("org/tiny", "main");
    assertEquals(List.of(), weightRequests());
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));

    byte[] corrupt = weights.clone();
    corrupt[5] ^= 1;
    Files.delete(dir.resolve("model.safetensors"));
    Files.write(dir.resolve("model.safetensors.part"), corrupt);
    hub.download("org/tiny", "main");
    assertEquals(List.of("/org/tiny/resolve/main/model.safetensors"), weightRequests());
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("model.safetensors")));
  }

  private List<String> weightRequests() {
    List<String> out = requests.stream().filter(r -> r.contains("model.safetensors")).toList();
    requests.clear();
    return out;
  }

  @Test
  void gitBlobMismatchNamesBothBlobHashes() throws IOException {
    byte[] config = "{\"model_type\":\"t5\"}".getBytes(StandardCharsets.UTF_8);
    addFile("config.json", config, false);
    addFile("model.safetensors", random(1000, 4), true);
    corruptBlob = true;
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    IOException e = assertThrows(IOException.class, () -> hub.download("org/tiny", "main"));
    String m = e.getMessage();
    assertTrue(
        m.contains("expected git blob " + "0".repeat(40) + " (" + config.length + " bytes)")
            && m.contains("got git blob " + gitSha1(config) + " (" + config.length + " bytes)")
            && !m.contains("null"),
        m);
  }

  @Test
  void aModelIsCachedOnlyForTheRevisionItWasDownloadedAt() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    addFile("model.safetensors", random(1000, 7), true);
    ModelHub hub = new ModelHub(base(), cache, new Downloader(false));
    hub.download("org/tiny", "main");
    assertTrue(hub.isCached("org/tiny") && hub.isCached("org/tiny", "main"));
    assertFalse(hub.isCached("org/tiny", "v2"));
    hub.download("org/tiny", "v2");
    assertTrue(hub.isCached("org/tiny", "v2"));
    assertFalse(hub.isCached("org/tiny"), "the folder now holds v2, not main");
    assertTrue(requests.contains("/api/models/org/tiny/revision/v2"), requests.toString());
  }

  @Test
  void theFileListComesThroughTheGivenDownloader() throws IOException {
    addFile("config.json", "{}".getBytes(StandardCharsets.UTF_8), false);
    addFile("model.safetensors", random(1000, 8), true);
    // a hub reachable only through a proxy: the test server, which serves any host
    HttpClient viaProxy =
        HttpClient.newBuilder().proxy(ProxySelector.of(server.getAddress())).build();
    ModelHub hub =
        new ModelHub(URI.create("http://hub.invalid"), cache, new Downloader(viaProxy, false));
    hub.download("org/tiny", "main");
    assertTrue(hub.isCached("org/tiny"));
    assertEquals("/api/models/org/tiny/revision/main", requests.getFirst());
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
