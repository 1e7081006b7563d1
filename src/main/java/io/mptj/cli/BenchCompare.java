package io.mptj.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.Backbone;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.ForwardBench;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.bert.BertEncoder;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.Devices;
import io.mptj.engine.Json;
import io.mptj.engine.MatmulPrecision;
import io.mptj.engine.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mptj bench compare}: the prompted training step of {@code bench forward}, timed in the
 * same session by mptj and by PyTorch eager ({@code bench/torch_eager.py}, on the same weights,
 * with a parity check of its output against mptj's first), and the ratios.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "The prompted step of `bench forward` run by mptj and, in the same session on the same weights and",
      "shapes, by PyTorch eager (bench/torch_eager.py; Debian's python3-torch), with the ratios."
    })
final class BenchCompare implements Callable<Integer> {

  @Option(
      names = "--backbone",
      defaultValue = Backbones.DEFAULT,
      description = "a BERT-family backbone (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(names = "--batch", defaultValue = "32", description = "B (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--seq", defaultValue = "128", description = "T (default: ${DEFAULT-VALUE})")
  int seq;

  @Option(
      names = "--prompt-length",
      defaultValue = "100",
      description = "P (default: ${DEFAULT-VALUE})")
  int promptLength;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "timed rounds, median kept (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "the Python with torch: Debian's python3-torch (default: ${DEFAULT-VALUE})")
  String python;

  @Option(
      names = "--script",
      defaultValue = "bench/torch_eager.py",
      description = "the reference (default: ${DEFAULT-VALUE})")
  Path script;

  @Option(
      names = "--record",
      defaultValue = "bench/results",
      description = "folder whose compare.jsonl gets the line ('' : none)")
  String record;

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("mptj-compare-");
    try (Backbone b = Backbones.load(backbone)) {
      if (!(b instanceof BertEncoder bert) || bert.config().hiddenAct() != Activation.GELU) {
        throw new IllegalArgumentException(
            "--backbone "
                + backbone
                + ": bench compare's reference is a BERT encoder with exact GELU");
      }
      Path weights = dir.resolve("weights.safetensors");
      writeWeightsAndCheck(bert, weights);
      Map<String, Object> mptj =
          ForwardBench.run(b, new ForwardBench.Settings(batch, seq, promptLength, 4, repeats));
      JsonNode torch = runReference(weights);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("bench", "compare");
      line.put("backbone", b.id());
      line.put("batch", batch);
      line.put("seq", seq);
      line.put("prompt_length", promptLength);
      line.put("mptj", mptj);
      line.put("pytorch", Json.MAPPER.convertValue(torch, Map.class));
      line.put(
          "forward_ratio",
          ratio(mptj.get("forward_tokens_per_s"), torch.get("forward_tokens_per_s")));
      line.put(
          "forward_backward_ratio",
          ratio(
              mptj.get("forward_backward_tokens_per_s"),
              torch.get("forward_backward_tokens_per_s")));
      BenchRecord.print("compare", line, record);
      return 0;
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double ratio(Object mptj, JsonNode torch) {
    return Math.round(((Number) mptj).doubleValue() / torch.asDouble() * 1000) / 1000.0;
  }

  /**
   * The backbone's weights, and a parity input with mptj's output on it: a (1, 4, d) prompt before
   * (2, 12) token ids, all positions real; the output computed in exact fp32 whatever {@code
   * --matmul} says.
   */
  private static void writeWeightsAndCheck(BertEncoder bert, Path file) {
    int d = bert.hiddenSize();
    try (NDManager m = Devices.newManager()) {
      Map<String, NDArray> out = new LinkedHashMap<>(bert.weights());
      NDArray prompt = m.randomNormal(0, 0.05f, new Shape(1, 4, d), DataType.FLOAT32); // (1, 4, d)
      long[] ids = new long[24];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1000 + 37L * i;
      }
      NDArray tokens = m.create(ids, new Shape(2, 12)); // (2, 12)
      NDArray x = PromptInput.prependEmbeddings(prompt.broadcast(2, 4, d), bert.embed(tokens));
      // exact fp32 also under --matmul bf16: the check is of the reference's math, not its rounding
      NDArray states =
          MatmulPrecision.with(
              MatmulPrecision.FP32,
              () -> bert.encode(x, null, m.ones(new Shape(2, 16), DataType.INT64))); // (2, 16, d)
      out.put("__check_prompt", prompt);
      out.put("__check_ids", tokens.toType(DataType.FLOAT32, false));
      out.put("__check_out", states);
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("layers", String.valueOf(bert.numLayers()));
      meta.put("heads", String.valueOf(bert.numHeads()));
      meta.put("eps", String.valueOf(bert.config().layerNormEps()));
      Safetensors.write(file, out, meta);
    }
  }

  /** Runs the reference with its ordinary settings: no preloads, OpenBLAS choosing its kernel. */
  private JsonNode runReference(Path weights) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(python, script.toString(), "--weights", weights.toString()));
    cmd.addAll(
        List.of("--batch", "" + batch, "--seq", "" + seq, "--prompt-length", "" + promptLength));
    cmd.addAll(List.of("--repeats", "" + repeats));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment()
        .keySet()
        .removeAll(
            List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LD_PRELOAD", "MALLOC_ARENA_MAX"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int rc = p.waitFor();
    String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
    if (rc == 3) {
      throw new IllegalStateException("the reference's output differs from mptj's: " + last);
    }
    if (rc != 0 || last.isEmpty()) {
      throw new IllegalStateException(
          String.join(" ", cmd.subList(0, 2))
              + " failed (exit "
              + rc
              + "); is python3-torch installed? "
              + last);
    }
    try {
      return Json.MAPPER.readTree(last);
    } catch (IOException e) {
      throw new UncheckedIOException("the reference printed no JSON line: " + last, e);
    }
  }
}
