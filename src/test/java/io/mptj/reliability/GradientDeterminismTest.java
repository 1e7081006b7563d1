package io.mptj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.engine.Tensors;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.testing.Reliability;
import io.mptj.train.Batch;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Instance;
import io.mptj.train.TaskHeads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same prompt-tuning step on the same batch, repeated: every gradient must be bit-identical
 * (issue 13: a finite loss with a garbage or NaN gradient, now and then).
 */
@Reliability
class GradientDeterminismTest {

  @TempDir Path work;

  @Test
  void theSameStepGivesTheSameGradientEveryTime() throws Exception {
    int repeats = Integer.getInteger("mptj.repeats", 3000);
    try (var backbone = (EncoderBackbone) Backbones.load(TinyBert.writeRandom(work, 9).toString());
        NDManager root = NDManager.newBaseManager()) {
      int d = backbone.hiddenSize();
      Random rng = new Random(5);
      float[] p = new float[4 * d];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) rng.nextGaussian();
      }
      var prompt = new SoftPrompt(root, root.create(p, new ai.djl.ndarray.types.Shape(1, 4, d)));
      var heads = TaskHeads.random(root, new int[] {2}, d, 3);
      var model =
          new EncoderTaskModel(
              backbone, prompt, heads, EncoderTaskModel.Pooling.MEAN, new boolean[] {false});
      List<Instance> xs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int len = 5 + rng.nextInt(15);
        long[] ids = new long[len];
        for (int j = 0; j < len; j++) {
          ids[j] = 5 + rng.nextInt(90);
        }
        xs.add(new Instance(0, i, ids, new long[len], i % 2, Float.NaN, new long[0]));
      }
      float[] first = null;
      Float firstLoss = null;
      int differ = 0;
      List<String> seen = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        try (NDManager m = root.newSubManager()) {
          Batch batch = Batch.collate(xs, m, backbone.padId());
          float lossValue;
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            var out = model.forward(batch);
            NDArray loss = model.taskLoss(batch, out).mean();
            lossValue = loss.getFloat();
            gc.backward(loss);
          }
          NDArray g = prompt.parameters().getFirst().array().getGradient();
          float[] now = g.toFloatArray();
          float[] again = g.toFloatArray();
          if (firstLoss == null) {
            firstLoss = lossValue;
          }
          if (lossValue != firstLoss || !Arrays.equals(now, again)) {
            seen.add(
                "repeat "
                    + r
                    + ": loss "
                    + lossValue
                    + " vs "
                    + firstLoss
                    + ", re-read same "
                    + Arrays.equals(now, again));
          }
          Tensors.zero(g);
          for (var q : model.parameters()) {
            Tensors.zero(q.array().getGradient());
          }
          g.close();
          if (first == null) {
            first = now;
          } else if (!Arrays.equals(first, now)) {
            differ++;
            double norm = 0;
            double ref = 0;
            double gap = 0;
            int elements = 0;
            for (int i = 0; i < now.length; i++) {
              norm += now[i] * now[i];
              ref += first[i] * first[i];
              gap += (now[i] - first[i]) * (now[i] - first[i]);
              elements += now[i] != first[i] ? 1 : 0;
            }
            if (seen.size() < 10) {
              seen.add(
                  String.format(
                      "repeat %d: |g| %.6g against %.6g, |gap| %.3g, %d of %d elements",
                      r, Math.sqrt(norm), Math.sqrt(ref), Math.sqrt(gap), elements, now.length));
            }
          }
        }
      }
      assertEquals(0, differ, "of " + repeats + " repeats, gradients differed: " + seen);
    }
  }
}
