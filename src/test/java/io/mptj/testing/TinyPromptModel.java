package io.mptj.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Tensors;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.train.Batch;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Instance;
import io.mptj.train.TaskHeads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A prompt-tuning model on a tiny random BERT (P = 4, one two-class task) and one fixed batch of 8,
 * for tests of a single training step's gradient.
 */
public final class TinyPromptModel implements AutoCloseable {

  private final EncoderBackbone backbone;
  private final NDManager root = NDManager.newBaseManager();
  private final SoftPrompt prompt;
  private final EncoderTaskModel model;
  private final List<Instance> batch = new ArrayList<>();

  /** Writes a random tiny BERT into {@code dir} and builds the model and batch (fixed seeds). */
  public TinyPromptModel(Path dir) {
    backbone = (EncoderBackbone) Backbones.load(TinyBert.writeRandom(dir, 9).toString());
    int d = backbone.hiddenSize();
    Random rng = new Random(5);
    float[] p = new float[4 * d];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) rng.nextGaussian();
    }
    prompt = new SoftPrompt(root, root.create(p, new Shape(1, 4, d)));
    TaskHeads heads = TaskHeads.random(root, new int[] {2}, d, 3);
    model =
        new EncoderTaskModel(
            backbone, prompt, heads, EncoderTaskModel.Pooling.MEAN, new boolean[] {false});
    for (int i = 0; i < 8; i++) {
      long[] ids = new long[6 + i];
      for (int j = 0; j < ids.length; j++) {
        ids[j] = 5 + rng.nextInt(90);
      }
      batch.add(new Instance(0, i, ids, new long[ids.length], i % 2, Float.NaN, new long[0]));
    }
  }

  /** A step's loss and the prompt's gradient (all gradients zeroed again afterwards). */
  public record Step(float loss, float[] promptGradient) {}

  /**
   * Runs forward and backward on the batch.
   *
   * @param between run after the forward, before the backward
   */
  public Step step(Runnable between) {
    try (NDManager m = root.newSubManager()) {
      Batch b = Batch.collate(batch, m, backbone.padId());
      float loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray l = model.taskLoss(b, model.forward(b)).mean();
        loss = l.getFloat();
        between.run();
        gc.backward(l);
      }
      float[] g = prompt.parameters().getFirst().array().getGradient().toFloatArray();
      model.parameters().forEach(q -> Tensors.zero(q.array().getGradient()));
      return new Step(loss, g);
    }
  }

  @Override
  public void close() {
    model.close();
    root.close();
    backbone.close();
  }
}
