package io.mptj.cli;

import io.mptj.download.ModelHub;
import io.mptj.engine.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mptj model ...}: fetch and list backbones. */
@Command(
    name = "model",
    description = "Download and list backbone checkpoints.",
    subcommands = {ModelCommand.Download.class, ModelCommand.ListCached.class})
public final class ModelCommand {

  /** {@code mptj model download ID}. */
  @Command(
      name = "download",
      description =
          "Fetch config, tokenizer and safetensors weights of a Hugging Face model into the cache.")
  static final class Download implements Callable<Integer> {
    @Parameters(
        paramLabel = "ID",
        description = "model id, e.g. google-t5/t5-base or google/flan-t5-base")
    String id;

    @Option(
        names = "--revision",
        defaultValue = "main",
        description = "branch, tag or commit (default: ${DEFAULT-VALUE})")
    String revision;

    @Option(
        names = "--base-url",
        description = "hub origin (default: $MPTJ_HUB_URL or " + ModelHub.DEFAULT_BASE + ")")
    String baseUrl;

    @Override
    public Integer call() throws Exception {
      ModelHub hub = ModelHub.fromSettings(baseUrl, true);
      Path dir = hub.download(id, revision);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", id);
      out.put("revision", revision);
      out.put("dir", dir.toString());
      try (Stream<Path> files = Files.list(dir)) {
        out.put("bytes", files.filter(Files::isRegularFile).mapToLong(ModelCommand::size).sum());
      }
      System.out.println(Json.line(out));
      return 0;
    }
  }

  /** {@code mptj model list}. */
  @Command(name = "list", description = "List downloaded models.")
  static final class ListCached implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      Path root = ModelHub.fromSettings(null, false).localDir("x").getParent();
      Map<String, Object> models = new LinkedHashMap<>();
      if (Files.isDirectory(root)) {
        try (Stream<Path> dirs = Files.list(root)) {
          dirs.filter(d -> Files.isRegularFile(d.resolve(".complete")))
              .sorted()
              .forEach(
                  d -> models.put(d.getFileName().toString().replace("--", "/"), d.toString()));
        }
      }
      models.forEach((id, dir) -> System.out.println(id + "\t" + dir));
      System.out.println(Json.line(Map.of("cache", root.toString(), "models", models)));
      return 0;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
