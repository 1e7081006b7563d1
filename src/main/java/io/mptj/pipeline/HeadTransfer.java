package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.engine.Tensors;
import io.mptj.task.Task;
import io.mptj.task.TaskKind;
import io.mptj.train.HeadSettings;
import io.mptj.train.LabelEmbeddings;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A target's linear head started from an upstream run's heads ({@code --head-init source}), class
 * by class: a target class takes the row of the upstream class with the same name (CB's
 * "contradiction" from MNLI's), else of the most similar name by the frozen encoder's embedding of
 * the names (MRPC's "equivalent" from QQP's "duplicate"); each upstream row is used once. Classes
 * left without a row start fresh.
 */
final class HeadTransfer {
  private HeadTransfer() {}

  /** One upstream class: its task's row in the heads, its class index and name. */
  record Candidate(int task, int row, int index, String name) {}

  /**
   * The mapped head and which upstream class each target class came from.
   *
   * @param heads (1, C, d) task heads for the target
   * @param origin per target class, {@code upstream-task:class} or {@code fresh}
   */
  record Mapped(TaskHeads heads, Map<String, String> origin) {}

  /**
   * @param upstream the upstream run's heads (a row per task, or one shared row)
   * @param upstreamTasks its tasks in row order
   * @param source the upstream task to take rows from, or -1 for any
   */
  static Mapped mapped(
      EncoderBackbone enc,
      TaskHeads upstream,
      List<Task> upstreamTasks,
      int source,
      Task target,
      HeadSettings head,
      long seed,
      NDManager m) {
    List<Candidate> candidates = candidates(upstream, upstreamTasks, source);
    List<String> names = target.labels();
    int[] pick = match(enc, names, candidates, head, m);
    long d = upstream.weight().getShape().get(2);
    Map<String, String> origin = new LinkedHashMap<>();
    Random rng = new Random(seed);
    try (NDManager tmp = m.newSubManager()) { // the rows and their stack die here
      NDList w = new NDList();
      NDList b = new NDList();
      for (int c = 0; c < names.size(); c++) {
        if (pick[c] < 0) {
          w.add(tmp.create(gaussian(rng, (int) d), new Shape(d)));
          b.add(tmp.zeros(new Shape()));
          origin.put(names.get(c), "fresh");
          continue;
        }
        Candidate x = candidates.get(pick[c]);
        w.add(Tensors.copyTo(tmp, upstream.weight().get(x.row() + ", " + x.index() + ", :")));
        b.add(Tensors.copyTo(tmp, upstream.bias().get(x.row() + ", " + x.index())));
        origin.put(names.get(c), upstreamTasks.get(x.task()).name() + ":" + x.name());
      }
      NDArray weight = NDArrays.stack(w, 0).expandDims(0); // (1, C, d)
      NDArray bias = NDArrays.stack(b, 0).expandDims(0); // (1, C)
      return new Mapped(
          new TaskHeads(m, Readout.TASK, weight, bias, new int[] {names.size()}), origin);
    }
  }

  private static List<Candidate> candidates(TaskHeads upstream, List<Task> tasks, int source) {
    List<Candidate> out = new ArrayList<>();
    for (int k = 0; k < tasks.size(); k++) {
      Task t = tasks.get(k);
      if ((source >= 0 && k != source) || t.kind() != TaskKind.CLASSIFICATION) {
        continue;
      }
      int row = upstream.readout() == Readout.SHARED ? 0 : k;
      for (int j = 0; j < t.labels().size(); j++) {
        out.add(new Candidate(k, row, j, t.labels().get(j)));
      }
    }
    return out;
  }

  /**
   * For each target class, the index of its candidate or -1: equal names first (in candidate
   * order), then the remaining pairs by descending cosine of their name embeddings.
   */
  static int[] match(
      EncoderBackbone enc,
      List<String> names,
      List<Candidate> candidates,
      HeadSettings head,
      NDManager m) {
    int[] pick = new int[names.size()];
    java.util.Arrays.fill(pick, -1);
    boolean[] used = new boolean[candidates.size()];
    for (int c = 0; c < names.size(); c++) {
      for (int j = 0; j < candidates.size(); j++) {
        if (!used[j] && same(names.get(c), candidates.get(j).name())) {
          pick[c] = j;
          used[j] = true;
          break;
        }
      }
    }
    if (java.util.Arrays.stream(pick).noneMatch(p -> p < 0) || candidates.isEmpty()) {
      return pick;
    }
    float[][] t = LabelEmbeddings.raw(enc, names, head.pooling(), m);
    float[][] u =
        LabelEmbeddings.raw(
            enc, candidates.stream().map(Candidate::name).toList(), head.pooling(), m);
    while (true) {
      int bc = -1;
      int bj = -1;
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < names.size(); c++) {
        for (int j = 0; j < candidates.size(); j++) {
          if (pick[c] < 0 && !used[j] && cosine(t[c], u[j]) > best) {
            best = cosine(t[c], u[j]);
            bc = c;
            bj = j;
          }
        }
      }
      if (bc < 0) {
        return pick;
      }
      pick[bc] = bj;
      used[bj] = true;
    }
  }

  /** How many of the target's class names an upstream task also has (compared as {@link #same}). */
  static int sharedNames(List<String> target, List<String> upstream) {
    return (int) target.stream().filter(t -> upstream.stream().anyMatch(u -> same(t, u))).count();
  }

  private static boolean same(String a, String b) {
    return LabelEmbeddings.text(a).equalsIgnoreCase(LabelEmbeddings.text(b));
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.max(1e-12, Math.sqrt(na * nb));
  }

  private static float[] gaussian(Random rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (0.02 * rng.nextGaussian());
    }
    return x;
  }
}
