package io.mptj.testing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.pt.SoftPrompt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Writes run directories as the training pipeline does, with small random PEFT adapters. */
public final class FakeRuns {
  private FakeRuns() {}

  public static final int P = 4;
  public static final int D = 6;
  public static final PeftAdapter.Target TARGET = new PeftAdapter.Target("toy", "SEQ_CLS", 2, 2);

  /** Random values of a seed. */
  public static float[] random(int n, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  /** Writes metrics.json. */
  public static void metrics(
      Path dir,
      String task,
      int seed,
      int shots,
      double dev,
      double test,
      long taskParams,
      long shared) {
    String json =
        String.format(
            Locale.ROOT,
            """
            {"task":"%s","method":"x","seed":%d,"shots":%d,
             "dev":{"accuracy":%s,"score":%s},"test":{"accuracy":%s,"f1":%s,"score":%s},
             "params":{"task_specific":%d,"shared":%d,"backbone":22713216,"percent_of_backbone":0.3},
             "best_step":40,"steps":60,"train_seconds":12.5}
            """,
            task,
            seed,
            shots,
            dev,
            dev,
            test,
            test - 1,
            test,
            taskParams,
            shared);
    write(dir.resolve("metrics.json"), json);
  }

  /** Writes train_log.jsonl: a loss line every 10 steps, an eval line every 30. */
  public static void log(Path dir, String task, long seed, boolean distill) {
    Random rng = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int step = 10; step <= 60; step += 10) {
      double task0 = 1.0 / step + 0.1 * rng.nextDouble();
      String extra = distill ? String.format(Locale.ROOT, ",\"distill_loss\":%s", task0 / 2) : "";
      double total = distill ? task0 * 0.1 + task0 / 2 * 0.9 : task0;
      lines.add(
          String.format(
              Locale.ROOT,
              "{\"step\":%d,\"loss\":%s,\"task_loss\":%s%s,\"grad_norm\":1.0,\"lr_factor\":1.0,"
                  + "\"examples_per_s\":10.0,\"tokens_per_s\":100.0}",
              step,
              total,
              task0,
              extra));
      if (step % 30 == 0) {
        double s = 50 + 40 * rng.nextDouble();
        lines.add(
            String.format(
                Locale.ROOT,
                "{\"step\":%d,\"dev_score\":%s,\"dev\":{\"%s\":{\"score\":%s,\"accuracy\":%s}}}",
                step,
                s,
                task,
                s,
                s));
      }
    }
    write(dir.resolve("train_log.jsonl"), String.join("\n", lines) + "\n");
  }

  /** Saves a vanilla prompt-tuning adapter holding {@code prompt} (P·D values). */
  public static void softPrompt(Path dir, float[] prompt) {
    try (NDManager m = NDManager.newBaseManager();
        PromptModule module = SoftPrompt.single(m, m.create(prompt, new Shape(P, D)))) {
      PeftAdapter.save(dir, module, TARGET);
    }
  }

  /** Saves a one-task MPT adapter: P* (P·D), u (P), v (D) with rank 1. */
  public static void multitask(Path dir, float[] shared, float[] u, float[] v) {
    try (NDManager m = NDManager.newBaseManager();
        PromptModule module =
            new MultitaskPrompt(
                m,
                m.create(shared, new Shape(P, D)),
                m.create(u, new Shape(1, P, 1)),
                m.create(v, new Shape(1, 1, D)))) {
      PeftAdapter.save(dir, module, TARGET);
    }
  }

  public static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
