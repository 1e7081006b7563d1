package io.mptj.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.mptj.method.Parameter;
import io.mptj.method.PeftAdapter;
import io.mptj.method.PromptModule;
import io.mptj.method.mpt.MultitaskPrompt;
import io.mptj.method.pt.SoftPrompt;
import io.mptj.testing.TestSettings;
import io.mptj.train.AdamW;
import io.mptj.train.TaskHeads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trainable tensors loaded from saved files own their storage.
 *
 * <p>{@code SafetensorsFile} hands float32 tensors to PyTorch on top of read-only mapped pages (no
 * copy). Two JVM crashes in the tests (hs_err_pid1272/1367, SIGSEGV with SEGV_ACCERR in libtorch's
 * add kernel under {@code AdamW.update} → {@code subi}) came from task heads loaded from {@code
 * adapt-multi/joint/heads.safetensors} in the MPT* stage: {@code TaskHeads} took its copy with
 * DJL's {@code toType(FLOAT32, true)}, which returns the same storage when the type already
 * matches, so the optimiser wrote into the file's mapping. Here every loader whose result is
 * trained (heads, the MPT* head slice, PT and MPT adapters) is checked without risking a crash:
 * after loading, the file's data section is overwritten in place, which a tensor on the mapping
 * would see (the mapping is shared with the page cache); then one AdamW step must move every
 * parameter and leave the file alone.
 */
class LoadedParametersTest {

  private static final PeftAdapter.Target TARGET =
      new PeftAdapter.Target("test/tiny", "SEQ_CLS", 2, 2);

  @TempDir Path dir;

  @Test
  void loadedHeadsAndTheMptStarHeadSliceOwnTheirStorage() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      try (TaskHeads saved = TaskHeads.random(m, new int[] {2, 3}, 8, 5)) {
        RunDir.saveHeads(dir.resolve(RunDir.HEADS), saved);
      }
      TaskHeads all = RunDir.loadHeads(dir, m);
      List<float[]> before = values(all.parameters());
      TaskHeads one = Adaptation.headOf(RunDir.loadHeads(dir, m), 1, m);
      float[] oneBefore = one.weight().toFloatArray();
      overwriteDataInPlace(dir.resolve(RunDir.HEADS));
      assertUnchanged(before, all.parameters(), "heads loaded from " + RunDir.HEADS);
      assertArrayEquals(oneBefore, one.weight().toFloatArray(), "the MPT* head slice");
      stepMovesEveryParameter(m, all.parameters(), dir.resolve(RunDir.HEADS));
      stepMovesEveryParameter(m, one.parameters(), dir.resolve(RunDir.HEADS));
      all.close();
      one.close();
    }
  }

  @Test
  void loadedPromptTuningAdapterOwnsItsStorage() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      try (SoftPrompt saved = SoftPrompt.single(m, m.randomNormal(new Shape(4, 8)))) {
        PeftAdapter.save(dir, saved, TARGET);
      }
      checkLoaded(m);
    }
  }

  @Test
  void loadedMultitaskAdapterOwnsItsStorage() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      try (MultitaskPrompt saved =
          new MultitaskPrompt(
              m,
              m.randomNormal(new Shape(4, 8)),
              m.randomNormal(new Shape(3, 4, 1)),
              m.randomNormal(new Shape(3, 1, 8)))) {
        PeftAdapter.save(dir, saved, TARGET);
      }
      checkLoaded(m);
    }
  }

  private void checkLoaded(NDManager m) throws IOException {
    Path file = dir.resolve(PeftAdapter.WEIGHTS);
    try (PromptModule loaded = PeftAdapter.load(dir, m)) {
      List<float[]> before = values(loaded.parameters());
      overwriteDataInPlace(file);
      assertUnchanged(before, loaded.parameters(), "adapter loaded from " + file);
      stepMovesEveryParameter(m, loaded.parameters(), file);
    }
  }

  /** One AdamW step on sum(p · 1): every value moves; the file's bytes do not. */
  private static void stepMovesEveryParameter(NDManager m, List<Parameter> params, Path file)
      throws IOException {
    byte[] fileBefore = Files.readAllBytes(file);
    List<float[]> before = values(params);
    var lrs = TestSettings.allGroups(0.1);
    var settings = new AdamW.Settings(lrs, 0.9, 0.999, 1e-8, 0, 0);
    try (NDManager step = m.newSubManager();
        AdamW opt = new AdamW(step, params, settings)) {
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = step.zeros(new Shape());
        for (Parameter p : params) {
          loss = loss.add(p.array().sum());
        }
        gc.backward(loss);
      }
      opt.step(1);
    }
    for (int i = 0; i < params.size(); i++) {
      float[] after = params.get(i).array().toFloatArray();
      for (int j = 0; j < after.length; j++) {
        assertEquals(before.get(i)[j] - 0.1f, after[j], 1e-5, params.get(i).name() + "[" + j + "]");
      }
    }
    assertArrayEquals(fileBefore, Files.readAllBytes(file), "the step wrote into " + file);
  }

  private static List<float[]> values(List<Parameter> params) {
    List<float[]> out = new ArrayList<>();
    params.forEach(p -> out.add(p.array().toFloatArray()));
    return out;
  }

  private static void assertUnchanged(List<float[]> before, List<Parameter> params, String what) {
    for (int i = 0; i < params.size(); i++) {
      float[] now = params.get(i).array().toFloatArray();
      assertFalse(
          Arrays.stream(toDoubles(now)).anyMatch(v -> v == 7.0),
          what + ": parameter '" + params.get(i).name() + "' shares the file's mapped pages");
      assertArrayEquals(before.get(i), now, what + ": " + params.get(i).name());
    }
  }

  private static double[] toDoubles(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /**
   * Overwrites every value in the data section of a safetensors file with 7.0f, in place (same
   * inode, no truncation), so that any live mapping of the file sees the new values.
   */
  private static void overwriteDataInPlace(Path file) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      long start = 8 + len.flip().getLong();
      int n = (int) (ch.size() - start);
      ByteBuffer sevens = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
      while (sevens.remaining() >= 4) {
        sevens.putFloat(7.0f);
      }
      ch.write(sevens.flip(), start);
      ch.force(true);
    }
  }
}
