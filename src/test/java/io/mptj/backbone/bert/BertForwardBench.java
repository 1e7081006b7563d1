package io.mptj.backbone.bert;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.PromptInput;
import io.mptj.engine.MatmulProbe;
import io.mptj.engine.NativeMemory;
import java.util.Arrays;

/**
 * Timing of the bundled MiniLM forward and forward+backward (prompt gradient only) against the
 * machine's fp32 GEMM rate, measured interleaved in the same process. Not a test; run by hand:
 * {@code java -cp ... io.mptj.backbone.bert.BertForwardBench [B T P rounds [default-malloc]]}.
 * Reports best-of-rounds (least disturbed by other load) and medians.
 */
public final class BertForwardBench {

  public static void main(String[] args) {
    int b = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int t = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int p = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    boolean retain = args.length <= 4 || !args[4].equals("default-malloc");
    boolean tuned = retain && NativeMemory.retainFreedMemory();
    try (BertEncoder encoder = BertEncoder.bundledMiniLm();
        NDManager base = NDManager.newBaseManager()) {
      BertConfig c = encoder.config();
      int len = t + p;
      NDArray ids = base.randomInteger(1000, 20000, new Shape(b, t), DataType.INT64);
      NDArray mask = base.ones(new Shape(b, t), DataType.INT64);
      NDArray prompt = base.randomNormal(new Shape(b, p, c.hiddenSize())).muli(0.1);
      prompt.setRequiresGradient(true);
      double fwdFlops = c.forwardFlops(b, len);
      double allFlops = fwdFlops + c.inputGradientFlops(b, len);
      double[] gemm = new double[rounds];
      double[] fwd = new double[rounds];
      double[] both = new double[rounds];
      step(encoder, base, ids, mask, prompt, false);
      step(encoder, base, ids, mask, prompt, true);
      for (int r = 0; r < rounds; r++) {
        gemm[r] = MatmulProbe.gflops(base, c.projectionGemms(b, len), 2);
        fwd[r] = step(encoder, base, ids, mask, prompt, false);
        both[r] = step(encoder, base, ids, mask, prompt, true);
      }
      System.out.println(
          "B=" + b + " T=" + t + " P=" + p + " L=" + len + " allocator tuned=" + tuned);
      System.out.println("matmul probe GFLOP/s: " + Arrays.toString(round(gemm)));
      report("forward", fwd, fwdFlops, b * t, gemm);
      report("fwd+bwd", both, allFlops, b * t, gemm);
    }
  }

  private static void report(
      String what, double[] seconds, double flops, int tokens, double[] gemm) {
    double best = Arrays.stream(seconds).min().orElseThrow();
    double med = median(seconds);
    double gBest = Arrays.stream(gemm).max().orElseThrow();
    double gMed = median(gemm);
    System.out.println(
        String.format(
            "%s: best %.1f ms (%.0f tokens/s, %.1f GFLOP/s useful = %.0f%% of best matmul),"
                + " median %.1f ms (%.0f%% of median matmul); runs %s ms",
            what,
            best * 1e3,
            tokens / best,
            flops / best / 1e9,
            100 * flops / best / 1e9 / gBest,
            med * 1e3,
            100 * flops / med / 1e9 / gMed,
            Arrays.toString(round(Arrays.stream(seconds).map(x -> x * 1e3).toArray()))));
  }

  private static double step(
      BertEncoder encoder,
      NDManager base,
      NDArray ids,
      NDArray mask,
      NDArray prompt,
      boolean backward) {
    try (NDManager s = base.newSubManager()) {
      long start = System.nanoTime();
      NDArray m = PromptInput.extendMask(mask, (int) prompt.getShape().get(1));
      m.attach(s);
      if (backward) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray x = PromptInput.prependEmbeddings(prompt, encoder.embed(ids));
          x.attach(s);
          gc.backward(encoder.encode(x, null, m).mean());
        }
        NDArray grad = prompt.getGradient();
        grad.attach(s);
        grad.muli(0);
      } else {
        NDArray x = PromptInput.prependEmbeddings(prompt, encoder.embed(ids));
        x.attach(s);
        encoder.encode(x, null, m).getFloat(0, 0, 0);
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static String[] round(double[] v) {
    return Arrays.stream(v).mapToObj(x -> String.format("%.1f", x)).toArray(String[]::new);
  }
}
