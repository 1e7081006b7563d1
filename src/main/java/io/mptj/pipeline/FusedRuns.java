package io.mptj.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.engine.Devices;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.task.Example;
import io.mptj.task.Label;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Instance;
import io.mptj.train.Readout;
import io.mptj.train.TaskHeads;
import io.mptj.train.Trainer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several saved runs on one frozen encoder served as one model (issue 13: cross-run batching):
 * every task of every run gets a row of one table of folded prompts {@code (N, P, d)} and of one
 * stack of heads {@code (N, C, d)}, so rows of different runs share one forward pass. Only runs
 * whose whole effect is a task prompt and a linear or label readout can be fused ({@link
 * #fusable}): PT, SPoT, MPT and ULPT runs on an encoder, with the same P, pooling and kind of
 * readout ({@link #groups}); the rest keep their own forward pass. A row's result equals its run's
 * own: padding and masks are per row, and its prompt and head are its run's, copied.
 */
public final class FusedRuns implements AutoCloseable {

  /** One input for one task of one of the fused runs. */
  public record Query(SavedRun run, SavedRun.Query query) {}

  /** What must agree for runs to share a forward pass. */
  private record Key(EncoderBackbone backbone, int promptLength, Object pooling, boolean label) {}

  private final NDManager manager;
  private final List<SavedRun> runs;
  private final Map<SavedRun, Integer> offsets = new IdentityHashMap<>();

  /** Each run's tasks' encodings, rows tagged with their table ids; built once. */
  private final Map<SavedRun, Map<String, Encoding>> encodings = new IdentityHashMap<>();

  private final EncoderTaskModel model;
  private final long padId;

  private FusedRuns(List<SavedRun> runs) {
    this.runs = List.copyOf(runs);
    EncoderTaskModel first = encoder(runs.getFirst());
    this.manager = Devices.newManager();
    this.padId = runs.getFirst().context().backbone().padId();
    int n = 0;
    for (SavedRun r : runs) {
      offsets.put(r, n);
      Map<String, Encoding> byTask = new LinkedHashMap<>();
      for (int t = 0; t < r.tasks().size(); t++) {
        String task = r.tasks().get(t).name();
        byTask.put(task, r.encoding(task, n + t));
      }
      encodings.put(r, byTask);
      n += r.tasks().size();
    }
    try (NDManager tmp = manager.newSubManager()) {
      SoftPrompt prompts = new SoftPrompt(manager, promptTable(tmp)); // (N, P, d)
      TaskHeads heads = headStack(tmp, n, (int) first.heads().weight().getShape().get(2));
      boolean[] regression = new boolean[n];
      for (SavedRun r : runs) {
        boolean[] own = encoder(r).regression();
        System.arraycopy(own, 0, regression, offsets.get(r), own.length);
      }
      this.model =
          new EncoderTaskModel(first.backbone(), prompts, heads, first.pooling(), regression);
    }
  }

  /** Whether {@code run} can share a forward pass with other runs (see the class comment). */
  public static boolean fusable(SavedRun run) {
    return run.model() instanceof EncoderTaskModel m
        && m.prompts().promptOnly()
        && m.prompts().length() > 0;
  }

  /**
   * The runs in lanes: each list of two or more fusable runs that agree on backbone, P, pooling and
   * readout kind can become one {@link FusedRuns}; every other run is a lane of its own.
   */
  public static List<List<SavedRun>> groups(Collection<SavedRun> runs) {
    Map<Object, List<SavedRun>> byKey = new LinkedHashMap<>();
    for (SavedRun r : runs) {
      Object key = fusable(r) ? key(r) : new Object();
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    return List.copyOf(byKey.values());
  }

  private static Key key(SavedRun r) {
    EncoderTaskModel m = encoder(r);
    return new Key(
        m.backbone(), m.prompts().length(), m.pooling(), m.heads().readout() == Readout.LABEL);
  }

  /**
   * Fuses runs of one group of {@link #groups}.
   *
   * @throws IllegalArgumentException if a run is not fusable or they disagree
   */
  public static FusedRuns of(List<SavedRun> runs) {
    if (runs.isEmpty() || groups(runs).size() != 1 || !fusable(runs.getFirst())) {
      throw new IllegalArgumentException("these runs cannot share a forward pass: " + runs);
    }
    return new FusedRuns(runs);
  }

  /** The fused runs, in table order. */
  public List<SavedRun> runs() {
    return runs;
  }

  /** Predictions for queries of any of the fused runs, in order; one pass per 64 rows. */
  public SavedRun.Answers predict(List<Query> queries) {
    List<Instance> xs = new ArrayList<>();
    List<Encoding> used = new ArrayList<>();
    long tokens = 0;
    for (int i = 0; i < queries.size(); i++) {
      Query q = queries.get(i);
      Map<String, Encoding> byTask = encodings.get(q.run());
      if (byTask == null) {
        throw new IllegalArgumentException("run " + q.run().dir() + " is not one of these");
      }
      Encoding enc = byTask.get(q.query().task());
      if (enc == null) {
        throw new IllegalArgumentException(
            "task "
                + q.query().task()
                + " is not one of run "
                + q.run().dir()
                + "'s "
                + byTask.keySet());
      }
      Instance x = enc.instance(new Example("input:" + (i + 1), q.query().fields(), Label.NONE), i);
      tokens += x.length();
      xs.add(x);
      used.add(enc);
    }
    var preds = Trainer.predict(model, xs, 64, padId);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < preds.size(); i++) {
      out.add(SavedRun.describe(used.get(i).task(), preds.get(i)));
    }
    return new SavedRun.Answers(out, tokens);
  }

  /** Every task's folded prompt, stacked: (N, P, d). */
  private NDArray promptTable(NDManager tmp) {
    NDList rows = new NDList();
    for (SavedRun r : runs) {
      var prompts = encoder(r).prompts();
      for (int t = 0; t < prompts.numTasks(); t++) {
        rows.add(prompts.taskPrompt(tmp, t)); // (P, d)
      }
    }
    return NDArrays.stack(rows); // (N, P, d)
  }

  /**
   * Every task's head rows, stacked and padded to the largest class count: weight (N, C, d), bias
   * (N, C). A shared head's one row is copied to each of its run's tasks; label heads stay label
   * heads (their rows are {@code s · e_c / |e_c|}, the input normalised in the forward).
   */
  private TaskHeads headStack(NDManager tmp, int n, int d) {
    int c = 1;
    for (SavedRun r : runs) {
      c = Math.max(c, (int) encoder(r).heads().weight().getShape().get(1));
    }
    float[] w = new float[n * c * d];
    float[] b = new float[n * c];
    int[] classes = new int[n];
    Readout readout = Readout.TASK;
    for (SavedRun r : runs) {
      TaskHeads h = encoder(r).heads();
      readout = h.readout() == Readout.LABEL ? Readout.LABEL : Readout.TASK;
      int rc = (int) h.weight().getShape().get(1);
      float[] hw = h.weight().toFloatArray(); // (R, rc, d)
      float[] hb = h.bias().toFloatArray(); // (R, rc)
      int[] own = h.numClasses();
      for (int t = 0; t < own.length; t++) {
        int row = h.readout() == Readout.SHARED ? 0 : t;
        int to = offsets.get(r) + t;
        classes[to] = own[t];
        for (int j = 0; j < rc; j++) {
          System.arraycopy(hw, (row * rc + j) * d, w, (to * c + j) * d, d);
          b[to * c + j] = hb[row * rc + j];
        }
      }
    }
    return new TaskHeads(
        manager,
        readout,
        tmp.create(w, new Shape(n, c, d)),
        tmp.create(b, new Shape(n, c)),
        classes);
  }

  private static EncoderTaskModel encoder(SavedRun r) {
    return (EncoderTaskModel) r.model();
  }

  @Override
  public void close() {
    model.close();
    manager.close();
  }
}
