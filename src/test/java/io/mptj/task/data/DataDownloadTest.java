package io.mptj.task.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mptj.download.Downloader;
import io.mptj.task.DataException;
import io.mptj.task.Example;
import io.mptj.task.bench.TaskRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data download against archives built here and served from a loopback HTTP server. */
class DataDownloadTest {
  @TempDir Path tmp;
  private HttpServer server;
  private final Map<String, byte[]> served = new LinkedHashMap<>();
  private final List<String> requested = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          requested.add(ex.getRequestURI().getPath());
          byte[] body = served.get(ex.getRequestURI().getPath());
          if (body == null) {
            ex.sendResponseHeaders(404, -1);
          } else {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private DataDownload downloader(List<DataSources.Source> catalog) {
    return new DataDownload(base(), tmp.resolve("archives"), new Downloader(false), catalog);
  }

  private static DataSources.Source source(
      String task, DataSources.Unpack how, String url, byte[] content) {
    return new DataSources.Source(
        task, how, List.of(new DataSources.Remote(url, content.length, sha256(content))));
  }

  @Test
  void fetchesVerifiesAndUnpacksAGlueZipIntoTheLayout() throws IOException {
    byte[] zip =
        zip(
            Map.of(
                "RTE/train.tsv",
                    "index\tsentence1\tsentence2\tlabel\n0\tA\tB\tentailment\n1\tC\tD\tnot_entailment\n",
                "RTE/dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tE\tF\tentailment\n",
                "__MACOSX/RTE/._train.tsv", "junk"));
    served.put("/glue/data/RTE.zip", zip);
    var catalog =
        List.of(
            source(
                "glue/RTE",
                DataSources.Unpack.ARCHIVE,
                "https://dl.fbaipublicfiles.com/glue/data/RTE.zip",
                zip));
    Path data = tmp.resolve("data");
    DataDownload.Result r = downloader(catalog).download("glue/RTE", data, false);
    assertEquals(List.of("/glue/data/RTE.zip"), requested);
    assertEquals(List.of("dev.tsv", "train.tsv"), r.files());
    assertEquals("RTE.zip " + sha256(zip), r.sha256().getFirst());
    assertEquals(
        Map.of("train", 2, "validation", 1), counts(TaskRegistry.get("glue/RTE").readFiles(data)));
    assertFalse(Files.exists(data.resolve("glue/RTE/__MACOSX")));

    var again =
        assertThrows(
            DataException.class, () -> downloader(catalog).download("glue/RTE", data, false));
    assertTrue(
        again.getMessage().contains("already exists") && again.getMessage().contains("--force"),
        again.getMessage());
    downloader(catalog).download("glue/RTE", data, true);
    try (var s = Files.list(data.resolve("glue"))) {
      assertEquals(
          List.of("RTE"), s.map(p -> p.getFileName().toString()).toList()); // no staging left
    }
  }

  @Test
  void ensureFetchesOnlyTheTasksTheDataDirectoryLacks() throws IOException {
    byte[] rte =
        zip(Map.of("RTE/train.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA\tB\tentailment\n"));
    byte[] cb = zip(Map.of("CB/train.jsonl", "{}\n"));
    served.put("/glue/data/RTE.zip", rte);
    served.put("/superglue/CB.zip", cb);
    var catalog =
        List.of(
            source("glue/RTE", DataSources.Unpack.ARCHIVE, "https://x.org/glue/data/RTE.zip", rte),
            source(
                "superglue/CB", DataSources.Unpack.ARCHIVE, "https://x.org/superglue/CB.zip", cb));
    Path data = tmp.resolve("data");
    Files.createDirectories(data.resolve("superglue/CB"));
    List<String> tasks = List.of("glue/RTE", "superglue/CB");
    assertEquals(List.of("glue/RTE"), DataDownload.missing(data, tasks));
    assertEquals(rte.length + cb.length, downloader(catalog).bytes(tasks));

    List<DataDownload.Result> got = downloader(catalog).ensure(tasks, data);
    assertEquals(List.of("glue/RTE"), got.stream().map(DataDownload.Result::task).toList());
    assertEquals(List.of("/glue/data/RTE.zip"), requested, "the present task is not fetched");
    assertTrue(Files.isRegularFile(data.resolve("glue/RTE/train.tsv")));
    assertEquals(List.of(), downloader(catalog).ensure(tasks, data), "nothing left to fetch");
    assertEquals(1, requested.size());
  }

  @Test
  void aChecksumMismatchIsRefusedAndNothingIsInstalled() throws IOException {
    byte[] fake = zip(Map.of("CB/train.jsonl", "{}\n"));
    served.put("/glue/superglue/data/v2/CB.zip", fake);
    Path data = tmp.resolve("data");
    var e =
        assertThrows(
            IOException.class,
            () -> downloader(DataSources.ALL).download("superglue/CB", data, false));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    assertFalse(Files.exists(data.resolve("superglue/CB")));
  }

  @Test
  void anArchiveThatEscapesItsFolderIsRefused() throws IOException {
    byte[] evil = zip(Map.of("../../evil.txt", "x"));
    served.put("/glue/data/RTE.zip", evil);
    var catalog =
        List.of(
            source(
                "glue/RTE",
                DataSources.Unpack.ARCHIVE,
                "https://dl.fbaipublicfiles.com/glue/data/RTE.zip",
                evil));
    var e =
        assertThrows(
            IOException.class,
            () -> downloader(catalog).download("glue/RTE", tmp.resolve("data"), false));
    assertTrue(e.getMessage().contains("unsafe entry"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("evil.txt")));
  }

  @Test
  void unpacksTarGzLikePaws() throws IOException {
    String tsv = "id\tsentence1\tsentence2\tlabel\n1\tA\tB\t1\n";
    byte[] tgz = tarGz(Map.of("final/train.tsv", tsv, "final/dev.tsv", tsv, "final/test.tsv", tsv));
    served.put("/paws/english/paws_wiki_labeled_final.tar.gz", tgz);
    var catalog =
        List.of(
            source(
                "others/paws",
                DataSources.Unpack.ARCHIVE,
                "https://storage.googleapis.com/paws/english/paws_wiki_labeled_final.tar.gz",
                tgz));
    Path data = tmp.resolve("data");
    downloader(catalog).download("others/paws", data, false);
    assertEquals(
        Map.of("train", 1, "validation", 1, "test", 1),
        counts(TaskRegistry.get("others/paws").readFiles(data)));
  }

  @Test
  void rebuildsMrpcByGluesRecipe() throws IOException {
    String header = "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n";
    byte[] train =
        (header + "1\t11\t12\tA\tB\r\n0\t21\t22\tC\tD\r\n1\t31\t32\tE\tF\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] test = (header + "1\t41\t42\tG\tH\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] ids = "21\t22\n".getBytes(StandardCharsets.UTF_8);
    served.put("/senteval/senteval_data/msr_paraphrase_train.txt", train);
    served.put("/senteval/senteval_data/msr_paraphrase_test.txt", test);
    served.put("/glue/data/mrpc_dev_ids.tsv", ids);
    var remote = new ArrayList<DataSources.Remote>();
    for (String[] u :
        new String[][] {
          {"https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_train.txt", "t"},
          {"https://dl.fbaipublicfiles.com/senteval/senteval_data/msr_paraphrase_test.txt", "s"},
          {"https://dl.fbaipublicfiles.com/glue/data/mrpc_dev_ids.tsv", "i"}
        }) {
      byte[] b = served.get(URI.create(u[0]).getPath());
      remote.add(new DataSources.Remote(u[0], b.length, sha256(b)));
    }
    var catalog =
        List.of(new DataSources.Source("glue/MRPC", DataSources.Unpack.MRPC_RECIPE, remote));
    Path data = tmp.resolve("data");
    downloader(catalog).download("glue/MRPC", data, false);
    Map<String, List<Example>> f = TaskRegistry.get("glue/MRPC").readFiles(data);
    assertEquals(Map.of("train", 2, "validation", 1, "test", 1), counts(f));
    assertEquals("C", f.get("validation").getFirst().field("sentence1"));
    assertEquals(
        "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t41\t42\tG\tH\n",
        Files.readString(data.resolve("glue/MRPC/test.tsv")));
  }

  @Test
  void baseUrlReplacesTheOriginAndKeepsThePath() {
    var d =
        new DataDownload(
            URI.create("http://127.0.0.1:9/mirror/"), tmp, new Downloader(false), DataSources.ALL);
    assertEquals(
        "http://127.0.0.1:9/mirror/glue/data/RTE.zip",
        d.url("https://dl.fbaipublicfiles.com/glue/data/RTE.zip").toString());
    assertEquals(
        List.of(
            "superglue/BoolQ",
            "superglue/CB",
            "superglue/COPA",
            "superglue/MultiRC",
            "superglue/RTE",
            "superglue/WiC",
            "superglue/WSC",
            "superglue/ReCoRD"),
        d.expand("superglue"));
    for (DataSources.Source s : DataSources.ALL) {
      TaskRegistry.get(s.task()); // every source is a registry task
      s.files().forEach(f -> assertEquals(64, f.sha256().length(), s.task()));
    }
    assertEquals(TaskRegistry.all().size(), DataSources.ALL.size());
  }

  private static Map<String, Integer> counts(Map<String, List<Example>> f) {
    Map<String, Integer> out = new LinkedHashMap<>();
    f.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  private static byte[] zip(Map<String, String> files) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(bytes)) {
      for (var e : new java.util.TreeMap<>(files).entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A POSIX ustar archive, gzipped. */
  private static byte[] tarGz(Map<String, String> files) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(bytes)) {
      for (var e : new java.util.TreeMap<>(files).entrySet()) {
        byte[] body = e.getValue().getBytes(StandardCharsets.UTF_8);
        byte[] h = new byte[512];
        put(h, 0, e.getKey());
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", body.length));
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
          sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        gz.write(h);
        gz.write(body);
        gz.write(new byte[(512 - body.length % 512) % 512]);
      }
      gz.write(new byte[1024]);
    }
    return bytes.toByteArray();
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
