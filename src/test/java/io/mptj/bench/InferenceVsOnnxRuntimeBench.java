package io.mptj.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.bert.BertEncoder;
import io.mptj.backbone.bert.BundledEncoder;
import io.mptj.engine.Devices;
import io.mptj.engine.Json;
import io.mptj.engine.Timing;
import io.mptj.testing.Bench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Inference on the bundled MiniLM: mptj's prompted forward (P prompt vectors before T tokens, no
 * gradients) against ONNX Runtime on the very same ONNX file with P + T token ids (2 intra-op
 * threads, all graph optimisations), both at batch B = 64, every position counted as a token, the
 * two interleaved in one process. Prints one JSON line and appends it to {@code
 * bench/results/infer.jsonl}. Run with {@code ./mptj test -Pbench
 * -Dtest=InferenceVsOnnxRuntimeBench} (add {@code -Dbench.matmul=bf16} for mptj's bf16 matmuls).
 */
@Bench
class InferenceVsOnnxRuntimeBench {

  static final int B = Integer.getInteger("bench.batch", 64);
  static final int T = Integer.getInteger("bench.seq", 128);
  static final int P = Integer.getInteger("bench.prompt", 20);
  static final int ROUNDS = Integer.getInteger("bench.rounds", 5);

  /** mptj's matmul precision: {@code -Dbench.matmul=bf16} (default fp32). */
  static final String MATMUL = System.getProperty("bench.matmul", "fp32");

  @Test
  void mptjAgainstOnnxRuntime() throws Exception {
    io.mptj.engine.NativeMemory.retainFreedMemory(); // as the CLI's main does for predict and serve
    io.mptj.engine.MatmulPrecision.use(
        io.mptj.engine.MatmulPrecision.parse(MATMUL, "-Dbench.matmul"));
    try {
      measure();
    } finally {
      io.mptj.engine.MatmulPrecision.use(io.mptj.engine.MatmulPrecision.FP32);
    }
  }

  private void measure() throws Exception {
    int len = P + T;
    long[][] ids = new long[B][len];
    Random rng = new Random(7);
    for (long[] row : ids) {
      for (int j = 0; j < len; j++) {
        row[j] = 1000 + rng.nextInt(19000);
      }
    }
    long[][] ones = new long[B][len];
    for (long[] row : ones) {
      java.util.Arrays.fill(row, 1);
    }
    List<Double> mptj = new ArrayList<>();
    List<Double> ort = new ArrayList<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    try (BertEncoder enc = (BertEncoder) Backbones.load(BundledEncoder.MINILM.id());
        OrtSession session = env.createSession(BundledEncoder.MINILM.readModel(), opts);
        NDManager root = Devices.newManager();
        OnnxTensor in = OnnxTensor.createTensor(env, ids);
        OnnxTensor mask = OnnxTensor.createTensor(env, ones);
        OnnxTensor types = OnnxTensor.createTensor(env, new long[B][len])) {
      NDArray prompt =
          root.randomNormal(0, 0.05f, new Shape(1, P, enc.hiddenSize()), DataType.FLOAT32);
      long[] tokenIds = new long[B * T];
      for (int i = 0; i < B; i++) {
        System.arraycopy(ids[i], P, tokenIds, i * T, T);
      }
      Map<String, OnnxTensor> feeds =
          Map.of("input_ids", in, "attention_mask", mask, "token_type_ids", types);
      for (int r = -1; r < ROUNDS; r++) {
        double a = Timing.seconds(() -> mptjForward(enc, root, prompt, tokenIds));
        double b =
            Timing.seconds(
                () -> {
                  try (OrtSession.Result res = session.run(feeds)) {
                    assertTrue(res.get("last_hidden_state").isPresent());
                  } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                  }
                });
        if (r >= 0) {
          mptj.add(a);
          ort.add(b);
        }
      }
    }
    double tokens = (double) B * len;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("bench", "infer");
    line.put("batch", B);
    line.put("positions", len);
    line.put("prompt_length", P);
    line.put("matmul", MATMUL);
    line.put("mptj_tokens_per_s", Math.round(tokens / Timing.median(mptj)));
    line.put("onnxruntime_tokens_per_s", Math.round(tokens / Timing.median(ort)));
    line.put("ratio", Math.round(Timing.median(ort) / Timing.median(mptj) * 1000) / 1000.0);
    System.out.println(Json.line(line));
    Path file = Path.of("bench/results/infer.jsonl");
    Files.createDirectories(file.getParent());
    Map<String, Object> rec = new LinkedHashMap<>();
    rec.put("at", Instant.now().toString());
    rec.put("machine", io.mptj.engine.Machine.describe());
    rec.put("result", line);
    Files.writeString(
        file, Json.line(rec) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The encoder's forward on the prompted batch, pooled to (B, d) and read back. */
  private static void mptjForward(BertEncoder enc, NDManager root, NDArray prompt, long[] ids) {
    try (NDManager m = root.newSubManager();
        ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      NDArray tokens = m.create(ids, new Shape(B, T)); // (B, T)
      NDArray x =
          PromptInput.prependEmbeddings(
              prompt.broadcast(B, P, enc.hiddenSize()), enc.embed(tokens));
      NDArray h = enc.encode(x, null, m.ones(new Shape(B, P + T), DataType.INT64)); // (B, P+T, d)
      h.mean(new int[] {1}).toFloatArray(); // (B, d)
    }
  }
}
