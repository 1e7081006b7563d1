package io.mptj.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.Seq2SeqBackbone;
import io.mptj.backbone.t5.T5Model;
import io.mptj.engine.SafetensorsFile;
import io.mptj.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Adapters written by Hugging Face PEFT 0.7.1 ({@code ../shared/fixtures/peft}, every folder found)
 * load into mptj and reproduce what PEFT computed with them on the tiny T5 bases: the encoder
 * prompt (only the first P rows when {@code num_transformer_submodules} = 2), the encoder's input,
 * its output, the teacher-forced logits (for MPT with two submodules, with PEFT's decoder prompt
 * before the shifted labels and its positions cut) and loss, all within 1e-5, and the greedy tokens
 * exactly. Saved again by mptj, the adapter's tensors are PEFT's, bit for bit.
 */
class PeftFixtureParityTest {

  private static final float TOL = 1e-4f;

  @TempDir Path tmp;

  static Stream<Named<Path>> adapters() throws IOException {
    Path root = Shared.optionalFixture("peft");
    if (root == null) {
      return Stream.of(Named.of("no shared PEFT fixtures", null));
    }
    List<Named<Path>> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 3)) {
      s.filter(p -> p.getFileName().toString().equals("adapter_config.json"))
          .map(Path::getParent)
          .filter(p -> Files.isRegularFile(p.resolve("reference.safetensors")))
          .sorted()
          .forEach(p -> out.add(Named.of(root.relativize(p).toString(), p)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adapters")
  void peftAdaptersReproducePeftsOutputs(Path dir) throws IOException {
    assumeTrue(dir != null, "shared fixtures not found beside the project");
    Path base = Shared.optionalFixture("t5/" + dir.getParent().getFileName());
    assumeTrue(base != null, "base model of " + dir + " not found");
    try (T5Model model = T5Model.load(base);
        NDManager m = NDManager.newBaseManager();
        SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
        PromptModule module = PeftAdapter.load(dir, m)) {
      NDArray ids = ref.load(m, "input_ids");
      NDArray mask = ref.load(m, "attention_mask");
      NDArray labels = ref.load(m, "labels");
      long batch = ids.getShape().get(0);
      NDArray tasks =
          ref.names().contains("task_ids")
              ? ref.load(m, "task_ids")
              : m.zeros(new Shape(batch), DataType.INT64);
      NDArray prompt = module.forward(tasks); // (B, P, d)
      close(ref.load(m, "encoder_prompt"), prompt, "encoder prompt");
      NDArray embeds = PromptInput.prependEmbeddings(prompt, model.embed(ids)); // (B, P+L, d)
      close(ref.load(m, "t5_inputs_embeds"), embeds, "t5 inputs_embeds");
      NDArray fullMask = PromptInput.extendMask(mask, module.length());
      NDArray hidden = model.encode(embeds, fullMask);
      close(ref.load(m, "encoder_last_hidden_state"), hidden, "encoder output");

      NDArray decoderPrompt = module.decoderPrompt(tasks);
      NDArray shifted = model.shiftRight(labels);
      Seq2SeqBackbone.DecoderOutput dec;
      if (decoderPrompt == null) {
        dec = model.decode(shifted, hidden, fullMask);
      } else {
        close(ref.load(m, "decoder_prompt"), decoderPrompt, "decoder prompt");
        NDArray decoderEmbeds = PromptInput.prependEmbeddings(decoderPrompt, model.embed(shifted));
        close(ref.load(m, "t5_decoder_inputs_embeds"), decoderEmbeds, "decoder inputs_embeds");
        dec = model.decodeEmbeds(decoderEmbeds, hidden, fullMask);
      }
      close(ref.load(m, "logits"), dec.logits(), "logits");
      NDArray labelLogits =
          decoderPrompt == null
              ? dec.logits()
              : dec.logits().get(":, " + decoderPrompt.getShape().get(1) + ":, :");
      assertEquals(
          ref.load(m, "loss").getFloat(), model.loss(labelLogits, labels).getFloat(), TOL, "loss");
      long[] greedy = ref.load(m, "greedy_sequences").toLongArray();
      int steps = (int) ref.info("greedy_sequences").shape()[1] - 1;
      long[][] ours = model.generate(embeds, fullMask, steps);
      assertArrayEquals(
          greedy, java.util.Arrays.stream(ours).flatMapToLong(java.util.Arrays::stream).toArray());

      Path again = tmp.resolve("again");
      AdapterConfig c = PeftAdapter.readConfig(dir);
      PeftAdapter.save(
          again,
          module,
          new PeftAdapter.Target(
              c.baseModel(), c.taskType(), c.numAttentionHeads(), c.numLayers()));
      try (SafetensorsFile theirs = SafetensorsFile.open(dir.resolve(PeftAdapter.WEIGHTS));
          SafetensorsFile mine = SafetensorsFile.open(again.resolve(PeftAdapter.WEIGHTS))) {
        assertEquals(theirs.names(), mine.names());
        for (String name : theirs.names()) {
          assertArrayEquals(theirs.readFloats(name), mine.readFloats(name), 0f, name);
        }
      }
      assertEquals(
          c.numTransformerSubmodules(),
          PeftAdapter.readConfig(again).numTransformerSubmodules(),
          "num_transformer_submodules saved back");
    }
  }

  private static void close(NDArray want, NDArray got, String what) {
    assertArrayEquals(want.getShape().getShape(), got.getShape().getShape(), what + " shape");
    float[] w = want.toType(DataType.FLOAT32, false).toFloatArray();
    float[] g = got.toType(DataType.FLOAT32, false).toFloatArray();
    float worst = 0;
    for (int i = 0; i < w.length; i++) {
      worst = Math.max(worst, Math.abs(w[i] - g[i]) - TOL * Math.abs(w[i]));
    }
    assertEquals(0, worst, TOL, what + ": max |Δ| - 1e-4·|want|");
  }
}
