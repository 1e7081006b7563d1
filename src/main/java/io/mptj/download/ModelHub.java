package io.mptj.download;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mptj.engine.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fetches a model repository from a Hugging Face hub (or any server with the same API) into the
 * local model cache, only when the user asks ({@code mptj model download ID}).
 *
 * <p>It asks {@code GET {base}/api/models/{id}/revision/{rev}?blobs=true} for the file list with
 * sizes and checksums (LFS files carry a SHA-256; other files a git blob SHA-1), then fetches
 * {@code {base}/{id}/resolve/{rev}/{file}} for the config, the tokenizer and the safetensors
 * weights (one file, or the shard index and every shard it names), each resumable and verified. A
 * {@code .complete} marker, written last, names the revision the folder holds.
 */
public final class ModelHub {

  /** Default hub origin; overridden by {@code --base-url} or {@code MPTJ_HUB_URL}. */
  public static final String DEFAULT_BASE = "https://huggingface.co";

  private static final Pattern REPO_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final List<String> WANTED =
      List.of(
          "config.json",
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");
  private static final ObjectMapper JSON = Json.MAPPER;

  private final URI base;
  private final Path cacheRoot;
  private final Downloader downloader;

  /**
   * @param base hub origin, e.g. {@code https://huggingface.co} or a loopback test server
   * @param cacheRoot directory under which each model gets its own folder
   */
  public ModelHub(URI base, Path cacheRoot, Downloader downloader) {
    this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
    this.cacheRoot = cacheRoot;
    this.downloader = downloader;
  }

  /**
   * A hub from the user's settings: {@code baseUrl} if given, else {@code $MPTJ_HUB_URL}, else the
   * default.
   */
  public static ModelHub fromSettings(String baseUrl, boolean progress) {
    String env = System.getenv("MPTJ_HUB_URL");
    String b = baseUrl != null ? baseUrl : env != null && !env.isBlank() ? env : DEFAULT_BASE;
    return new ModelHub(
        URI.create(b), Locations.cacheDir().resolve("models"), new Downloader(progress));
  }

  /** Whether a backbone spec looks like a hub id ({@code org/name} or {@code name}). */
  public static boolean isRepoId(String spec) {
    return REPO_ID.matcher(spec).matches();
  }

  /** The local folder a model id is (or would be) cached in. */
  public Path localDir(String repoId) {
    return cacheRoot.resolve(repoId.replace("/", "--"));
  }

  /** The revision a plain hub id means, as on the hub. */
  public static final String DEFAULT_REVISION = "main";

  private static final String MARKER = ".complete";

  /** Whether revision {@link #DEFAULT_REVISION} of the model is fully downloaded. */
  public boolean isCached(String repoId) {
    return isCached(repoId, DEFAULT_REVISION);
  }

  /**
   * Whether this revision of the model is fully downloaded: the completion marker, written last,
   * names it (a model folder holds one revision at a time).
   */
  public boolean isCached(String repoId, String revision) {
    Path marker = localDir(repoId).resolve(MARKER);
    try {
      return Files.isRegularFile(marker)
          && Files.readString(marker).strip().equals(markerText(repoId, revision));
    } catch (IOException e) {
      return false;
    }
  }

  private static String markerText(String repoId, String revision) {
    return repoId + "@" + revision;
  }

  /**
   * Downloads the files a backbone needs. The folder's completion marker is removed first and
   * written last, naming {@code revision}, so an interrupted download of another revision leaves no
   * revision marked complete.
   *
   * @return the local HF-layout directory
   * @throws IOException naming the URL on network, HTTP or checksum errors; files already complete
   *     stay
   */
  public Path download(String repoId, String revision) throws IOException {
    if (!isRepoId(repoId)) {
      throw new IllegalArgumentException(
          "not a model id: '" + repoId + "' (expected e.g. google-t5/t5-base)");
    }
    Map<String, Downloader.Expected> files = listFiles(repoId, revision);
    Path dir = localDir(repoId);
    Files.deleteIfExists(dir.resolve(MARKER));
    for (String f : choose(files.keySet(), repoId)) {
      fetch(repoId, revision, f, files.get(f), dir);
    }
    if (files.containsKey("model.safetensors.index.json")
        && !files.containsKey("model.safetensors")) {
      for (String shard : shardsOf(dir.resolve("model.safetensors.index.json"))) {
        if (!SAFE_NAME.matcher(shard).matches()) {
          throw new IOException(
              repoId + ": the shard index names an unsafe file name '" + shard + "'");
        }
        if (!files.containsKey(shard)) {
          throw new IOException(
              repoId + ": the shard index names " + shard + ", which the repository lacks");
        }
        fetch(repoId, revision, shard, files.get(shard), dir);
      }
    }
    Files.writeString(dir.resolve(MARKER), markerText(repoId, revision) + "\n");
    return dir;
  }

  private void fetch(
      String repoId, String revision, String file, Downloader.Expected expected, Path dir)
      throws IOException {
    URI url = base.resolve(repoId + "/resolve/" + enc(revision) + "/" + file);
    downloader.fetch(url, dir.resolve(file), expected, repoId + "/" + file);
  }

  private static List<String> choose(java.util.Set<String> available, String repoId)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (String f : WANTED) {
      if (available.contains(f)) {
        out.add(f);
      }
    }
    if (!available.contains("config.json")) {
      throw new IOException(repoId + " has no config.json");
    }
    if (available.contains("model.safetensors")) {
      out.add("model.safetensors");
    } else if (available.contains("model.safetensors.index.json")) {
      out.add("model.safetensors.index.json");
    } else {
      throw new IOException(
          repoId
              + " has no safetensors weights (model.safetensors or model.safetensors.index.json);"
              + " mptj reads only safetensors");
    }
    return out;
  }

  private Map<String, Downloader.Expected> listFiles(String repoId, String revision)
      throws IOException {
    URI api = base.resolve("api/models/" + repoId + "/revision/" + enc(revision) + "?blobs=true");
    Path tmp = Files.createTempFile("mptj-hub", ".json");
    try {
      Files.delete(tmp);
      downloader.fetch(api, tmp, Downloader.Expected.UNKNOWN, "file list");
      JsonNode siblings = JSON.readTree(Files.readString(tmp)).path("siblings");
      if (!siblings.isArray()) {
        throw new IOException(api + " did not return a file list (no \"siblings\")");
      }
      Map<String, Downloader.Expected> files = new LinkedHashMap<>();
      for (JsonNode s : siblings) {
        files.put(s.path("rfilename").asText(), expected(s));
      }
      return files;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Downloader.Expected expected(JsonNode sibling) {
    JsonNode lfs = sibling.get("lfs");
    if (lfs != null && lfs.hasNonNull("sha256")) {
      return new Downloader.Expected(lfs.get("sha256").asText(), null, lfs.path("size").asLong(-1));
    }
    String blob = sibling.hasNonNull("blobId") ? sibling.get("blobId").asText() : null;
    return new Downloader.Expected(null, blob, sibling.path("size").asLong(-1));
  }

  private static List<String> shardsOf(Path index) throws IOException {
    JsonNode map = JSON.readTree(Files.readString(index)).path("weight_map");
    List<String> shards = new ArrayList<>();
    map.forEach(
        n -> {
          if (!shards.contains(n.asText())) {
            shards.add(n.asText());
          }
        });
    return shards;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
