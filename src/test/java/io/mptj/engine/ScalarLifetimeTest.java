package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.backbone.Backbones;
import io.mptj.backbone.EncoderBackbone;
import io.mptj.backbone.bert.TinyBert;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.train.Batch;
import io.mptj.train.EncoderTaskModel;
import io.mptj.train.Instance;
import io.mptj.train.TaskHeads;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's garbage gradients: DJL's {@code NDArray} ops with a {@code Number} argument ({@code
 * x.mul(0.5f)}) wrap the number in a tensor over a Java direct buffer and close it at once; when
 * autograd saved that tensor for the backward (a product saves its other factor), the JVM may free
 * the buffer before the backward reads it, and the gradient is computed from whatever the memory
 * holds then (a finite loss, a NaN or 10^15 gradient). Here the JVM collects and reuses freed
 * native memory between forward and backward, filling it with NaN: the gradient must not change.
 */
class ScalarLifetimeTest {

  @TempDir Path work;

  @Test
  void theGradientDoesNotDependOnWhatTheJvmFreesBetweenForwardAndBackward() throws Exception {
    try (var backbone = (EncoderBackbone) Backbones.load(TinyBert.writeRandom(work, 9).toString());
        NDManager root = NDManager.newBaseManager()) {
      int d = backbone.hiddenSize();
      Random rng = new Random(5);
      float[] p = new float[4 * d];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) rng.nextGaussian();
      }
      var prompt = new SoftPrompt(root, root.create(p, new Shape(1, 4, d)));
      var heads = TaskHeads.random(root, new int[] {2}, d, 3);
      var model =
          new EncoderTaskModel(
              backbone, prompt, heads, EncoderTaskModel.Pooling.MEAN, new boolean[] {false});
      List<Instance> xs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        long[] ids = new long[6 + i];
        for (int j = 0; j < ids.length; j++) {
          ids[j] = 5 + rng.nextInt(90);
        }
        xs.add(new Instance(0, i, ids, new long[ids.length], i % 2, Float.NaN, new long[0]));
      }
      float[] calm = gradient(model, prompt, xs, root, false);
      for (int round = 0; round < 3; round++) {
        assertArrayEquals(
            calm,
            gradient(model, prompt, xs, root, true),
            "round " + round + ": the prompt's gradient after the JVM freed and reused memory");
      }
    }
  }

  /**
   * No main class but the optimizer (in-place updates outside the autograd graph) calls DJL's
   * arithmetic with a {@code Number}; read from the compiled classes with the JDK's class-file API.
   */
  @Test
  void noCodeOnTheAutogradPathUsesDjlsNumberArithmetic() throws Exception {
    Path classes = Path.of("target/classes");
    List<String> found = new ArrayList<>();
    try (var files = java.nio.file.Files.walk(classes)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".class")).toList()) {
        var model = java.lang.classfile.ClassFile.of().parse(f);
        if (model.thisClass().asInternalName().equals("io/mptj/train/AdamW")) {
          continue;
        }
        for (var method : model.methods()) {
          method
              .code()
              .ifPresent(
                  code ->
                      code.forEach(
                          e -> {
                            if (e instanceof java.lang.classfile.instruction.InvokeInstruction i
                                && i.owner().asInternalName().startsWith("ai/djl/ndarray/NDArray")
                                && i.typeSymbol()
                                    .descriptorString()
                                    .equals("(Ljava/lang/Number;)Lai/djl/ndarray/NDArray;")) {
                              found.add(
                                  model.thisClass().asInternalName()
                                      + "."
                                      + method.methodName().stringValue()
                                      + " calls "
                                      + i.name().stringValue()
                                      + "(Number)");
                            }
                          }));
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertEquals(
        List.of(), found, "use io.mptj.engine.Tensors.times/plus/over/power/atLeast instead");
  }

  private static float[] gradient(
      EncoderTaskModel model, SoftPrompt prompt, List<Instance> xs, NDManager root, boolean stress)
      throws InterruptedException {
    try (NDManager m = root.newSubManager()) {
      Batch batch = Batch.collate(xs, m, model.backbone().padId());
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = model.taskLoss(batch, model.forward(batch)).mean();
        if (stress) {
          reuseFreedNativeMemory();
        }
        gc.backward(loss);
      }
      NDArray g = prompt.parameters().getFirst().array().getGradient();
      float[] out = g.toFloatArray();
      Tensors.zero(g);
      model.parameters().forEach(q -> Tensors.zero(q.array().getGradient()));
      return out;
    }
  }

  /** Collects unreachable direct buffers, then allocates small ones full of NaN where they were. */
  private static void reuseFreedNativeMemory() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50); // the buffers' cleaners run on their own thread
    }
    List<ByteBuffer> keep = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
      while (b.hasRemaining()) {
        b.put((byte) 0xFF); // 0xFFFFFFFF is a NaN
      }
      keep.add(b);
    }
    keep.clear();
  }
}
