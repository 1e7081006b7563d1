package io.mptj.backbone;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.engine.Devices;
import io.mptj.engine.MatmulPrecision;
import io.mptj.engine.MatmulProbe;
import io.mptj.engine.Timing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Throughput of a prompted backbone: forward, and forward plus backward to the prompt (the training
 * step's work), against this machine's fp32 GEMM rate measured in the same process: the better of
 * the model's own projection shapes and a 2048³ square GEMM. Useful FLOPs count only matmuls:
 * forward GEMMs, and for the backward the input-gradient GEMMs (a frozen backbone needs no weight
 * gradients).
 */
public final class ForwardBench {

  /**
   * What to measure.
   *
   * @param batch B
   * @param seq T, input tokens per example (random ids, no padding)
   * @param promptLength P, prompt vectors prepended
   * @param targetLength S, decoder tokens (T5 only)
   * @param repeats timed rounds (the median is reported)
   */
  public record Settings(int batch, int seq, int promptLength, int targetLength, int repeats) {
    public Settings {
      if (batch < 1 || seq < 1 || promptLength < 0 || targetLength < 1 || repeats < 1) {
        throw new IllegalArgumentException("bench settings must be positive: " + this);
      }
    }
  }

  /**
   * A large square GEMM, the other yardstick: the machine's rate is the better of it and the
   * model's shapes.
   */
  private static final List<MatmulProbe.Gemm> SQUARE =
      List.of(new MatmulProbe.Gemm(2048, 2048, 2048));

  private ForwardBench() {}

  /** Runs the benchmark; returns the JSON-ready result. */
  public static Map<String, Object> run(Backbone backbone, Settings s) {
    int length = s.promptLength() + s.seq();
    if (length > backbone.maxPositions()) {
      throw new IllegalArgumentException(
          "prompt + sequence = "
              + length
              + " exceeds the backbone's "
              + backbone.maxPositions()
              + " positions");
    }
    Backbone.MatmulCost cost = backbone.matmulCost(s.batch(), length, s.targetLength());
    double[] flops = {cost.forward(), cost.inputGradient()};
    List<MatmulProbe.Gemm> shapes = cost.shapes();
    List<Double> fwd = new ArrayList<>();
    List<Double> step = new ArrayList<>();
    List<Double> gemm = new ArrayList<>();
    List<Double> gemmReduced = new ArrayList<>();
    boolean reduced = MatmulPrecision.current() != MatmulPrecision.FP32;
    try (NDManager root = Devices.newManager()) {
      NDArray prompt =
          root.randomNormal(
              0,
              0.05f,
              new Shape(s.batch(), s.promptLength(), backbone.hiddenSize()),
              DataType.FLOAT32);
      prompt.setRequiresGradient(true);
      long[] ids = randomIds(backbone, s.batch() * s.seq());
      long[] target = randomIds(backbone, s.batch() * s.targetLength());
      for (int r = -1; r < s.repeats(); r++) {
        // the yardstick is always the fp32 rate; under --matmul bf16 the bf16 rate is kept beside
        // it
        double g = MatmulPrecision.with(MatmulPrecision.FP32, () -> gemmRate(root, shapes));
        double gb = reduced ? gemmRate(root, shapes) : Double.NaN;
        double f = Timing.seconds(() -> forward(backbone, root, prompt, ids, target, s, false));
        double b = Timing.seconds(() -> forward(backbone, root, prompt, ids, target, s, true));
        if (r >= 0) {
          gemm.add(g);
          gemmReduced.add(gb);
          fwd.add(f);
          step.add(b);
        }
      }
    }
    Map<String, Object> out =
        result(backbone, s, flops, Timing.median(gemm), Timing.median(fwd), Timing.median(step));
    if (reduced) {
      out.put("matmul_bf16_gflops", round(Timing.median(gemmReduced)));
    }
    return out;
  }

  /** The better of the model's GEMM shapes and the square one, at the current precision. */
  private static double gemmRate(NDManager root, List<MatmulProbe.Gemm> shapes) {
    return Math.max(MatmulProbe.gflops(root, shapes, 2), MatmulProbe.gflops(root, SQUARE, 2));
  }

  private static Map<String, Object> result(
      Backbone bb, Settings s, double[] flops, double gemm, double fwd, double step) {
    double tokens = (double) s.batch() * s.seq();
    double fwdRate = flops[0] / fwd / 1e9;
    double stepRate = (flops[0] + flops[1]) / step / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("backbone", bb.id());
    out.put("family", bb.family());
    out.put("batch", s.batch());
    out.put("seq", s.seq());
    out.put("prompt_length", s.promptLength());
    if (bb instanceof Seq2SeqBackbone) {
      out.put("target_length", s.targetLength());
    }
    out.put("cpus", Runtime.getRuntime().availableProcessors());
    out.put("device", io.mptj.engine.Devices.current().toString());
    // what the launcher preloaded (native/malloc.sh, native/mkl-shim.sh): they change these figures
    out.put("allocator", io.mptj.engine.Machine.allocator());
    out.put("mkl_shim", io.mptj.engine.Machine.mklShim());
    out.put("matmul", MatmulPrecision.current().key());
    out.put("forward_ms", round(fwd * 1e3));
    out.put("forward_backward_ms", round(step * 1e3));
    out.put("forward_tokens_per_s", round(tokens / fwd));
    out.put("forward_backward_tokens_per_s", round(tokens / step));
    out.put("matmul_gflops", round(gemm));
    out.put("forward_gflops", round(fwdRate));
    out.put("forward_backward_gflops", round(stepRate));
    out.put("forward_gemm_ratio", round(fwdRate / gemm));
    out.put("gemm_ratio", round(stepRate / gemm));
    return out;
  }

  private static long[] randomIds(Backbone backbone, int n) {
    Random rng = new Random(7);
    long[] ids = new long[n];
    int hi = Math.min(backbone.vocabSize(), 20000);
    for (int i = 0; i < n; i++) {
      ids[i] = 1000 % hi + rng.nextInt(hi - 1000 % hi);
    }
    return ids;
  }

  private static void forward(
      Backbone backbone,
      NDManager root,
      NDArray prompt,
      long[] ids,
      long[] target,
      Settings s,
      boolean backward) {
    try (NDManager m = root.newSubManager();
        NDScope scope = new NDScope()) {
      NDArray tokens = m.create(ids, new Shape(s.batch(), s.seq())); // (B, T)
      NDArray mask =
          m.ones(new Shape(s.batch(), s.promptLength() + s.seq()), DataType.INT64); // (B, P+T)
      if (!backward) {
        out(
            backbone,
            prompt,
            tokens,
            mask,
            m.create(target, new Shape(s.batch(), s.targetLength())));
        return;
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(
            out(
                    backbone,
                    prompt,
                    tokens,
                    mask,
                    m.create(target, new Shape(s.batch(), s.targetLength())))
                .sum());
      }
      NDArray g = prompt.getGradient();
      g.subi(g);
    }
  }

  /** The forward of one family: the encoder's last states, or T5's teacher-forced logits. */
  private static NDArray out(
      Backbone backbone, NDArray prompt, NDArray tokens, NDArray mask, NDArray target) {
    NDArray x = PromptInput.prependEmbeddings(prompt, backbone.embed(tokens)); // (B, P+T, d)
    return switch (backbone) {
      case EncoderBackbone enc -> enc.encode(x, null, mask); // (B, P+T, d)
      case Seq2SeqBackbone s2s ->
          s2s.decode(s2s.shiftRight(target), s2s.encode(x, mask), mask).logits(); // (B, S, V)
    };
  }

  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
