package io.mptj.backbone.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.mptj.backbone.PromptInput;
import io.mptj.backbone.Seq2SeqBackbone.DecoderOutput;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity of the Java T5 with HuggingFace {@code T5ForConditionalGeneration}, on every fixture with
 * HF outputs: each folder of {@code ../shared/fixtures/t5/} and its reshaped copy (other d_model,
 * heads, d_kv, d_ff, layers, buckets and batch; see {@link io.mptj.testing.T5FixtureReshaper}).
 * Every size is read from the fixture; the random fixtures, which have no HF outputs, are skipped.
 * Tolerances are the fixture README's: {@code |a - b| <= 1e-4 + 1e-4·|b|} for hidden states, logits
 * and losses; for the prompt gradient 1e-5 absolute (tied) or 1e-4·max|g| (untied, whose logits
 * reach about 35); token sequences exactly.
 */
class T5ParityTest {

  private static final double TOL = 1e-4;

  static Stream<T5Fixture> fixtures() {
    return T5Fixture.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void encoderLogitsAndLossMatchHuggingFace(T5Fixture f) {
    f.assumeHfOutputs();
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      NDArray ids = f.load(m, "input_ids");
      NDArray mask = f.load(m, "attention_mask");
      NDArray labels = f.load(m, "labels");
      NDArray decoderIds = model.shiftRight(labels);
      assertArrayEquals(f.longs("decoder_input_ids"), decoderIds.toLongArray(), "shift right");

      NDArray hidden = model.encode(model.embed(ids), mask);
      assertSame(m, hidden.getManager());
      f.assertClose(
          "encoder_last_hidden_state",
          f.floats("encoder_last_hidden_state"),
          hidden.toFloatArray(),
          TOL,
          TOL);
      DecoderOutput out = model.decode(decoderIds, hidden, mask);
      f.assertClose("logits", f.floats("logits"), out.logits().toFloatArray(), TOL, TOL);
      NDArray loss = model.loss(out.logits(), labels);
      f.assertClose("loss", f.floats("loss"), loss.toFloatArray(), TOL, TOL);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void promptPathAndItsGradientMatchHuggingFace(T5Fixture f) {
    f.assumeHfOutputs();
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      NDArray ids = f.load(m, "input_ids");
      NDArray labels = f.load(m, "labels");
      NDArray mask = PromptInput.extendMask(f.load(m, "attention_mask"), f.promptLength());
      assertArrayEquals(f.longs("prompt_attention_mask"), mask.toLongArray(), "prompt mask");
      NDArray prompt = f.load(m, "prompt_embeds"); // (P, d), one prompt shared by every row
      prompt.setRequiresGradient(true);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray rows = prompt.expandDims(0).repeat(0, ids.getShape().get(0)); // (B, P, d)
        NDArray embeds = PromptInput.prependEmbeddings(rows, model.embed(ids)); // (B, P+T, d)
        NDArray hidden = model.encode(embeds, mask);
        f.assertClose(
            "prompt_encoder_last_hidden_state",
            f.floats("prompt_encoder_last_hidden_state"),
            hidden.toFloatArray(),
            TOL,
            TOL);
        DecoderOutput out = model.decode(model.shiftRight(labels), hidden, mask);
        f.assertClose(
            "prompt_logits", f.floats("prompt_logits"), out.logits().toFloatArray(), TOL, TOL);
        NDArray loss = model.loss(out.logits(), labels);
        f.assertClose("prompt_loss", f.floats("prompt_loss"), loss.toFloatArray(), TOL, TOL);
        collector.backward(loss);
      }
      float[] expected = f.floats("prompt_grad");
      double tol = model.config().tieWordEmbeddings() ? 1e-5 : 1e-4 * maxAbs(expected);
      f.assertClose("prompt_grad", expected, prompt.getGradient().toFloatArray(), tol, 0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void greedyDecodingMatchesHuggingFace(T5Fixture f) {
    f.assumeHfOutputs();
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      NDArray ids = f.load(m, "input_ids");
      NDArray mask = f.load(m, "attention_mask");
      int maxNew = (int) f.reference().info("greedy_sequences").shape()[1] - 1;
      long[][] plain = model.generate(model.embed(ids), mask, maxNew);
      f.assertTokens("greedy_sequences", f.rows("greedy_sequences"), plain);

      NDArray prompt = f.promptRows(m); // (B, P, d)
      NDArray embeds = PromptInput.prependEmbeddings(prompt, model.embed(ids));
      NDArray promptMask = PromptInput.extendMask(mask, f.promptLength());
      long[][] prompted = model.generate(embeds, promptMask, maxNew);
      f.assertTokens("prompt_greedy_sequences", f.rows("prompt_greedy_sequences"), prompted);
    }
  }

  /**
   * HF stops generating once every row has emitted EOS: a recorded row that ends part-way is
   * generated alone and must stop right after its EOS.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void greedyDecodingStopsWhenEveryRowHasEmittedEos(T5Fixture f) {
    f.assumeHfOutputs();
    try (T5Model model = T5Model.load(f.dir());
        NDManager m = NDManager.newBaseManager()) {
      int checked = 0;
      for (String which : new String[] {"greedy_sequences", "prompt_greedy_sequences"}) {
        long[][] recorded = f.rows(which);
        for (int b = 0; b < recorded.length; b++) {
          int eos = indexOf(recorded[b], model.eosTokenId());
          if (eos < 0) {
            continue;
          }
          NDArray ids = f.load(m, "input_ids").get(b + ":" + (b + 1));
          NDArray mask = f.load(m, "attention_mask").get(b + ":" + (b + 1));
          NDArray embeds = model.embed(ids);
          if (which.startsWith("prompt")) {
            embeds =
                PromptInput.prependEmbeddings(f.load(m, "prompt_embeds").expandDims(0), embeds);
            mask = PromptInput.extendMask(mask, f.promptLength());
          }
          long[][] alone = model.generate(embeds, mask, recorded[b].length - 1);
          assertArrayEquals(
              java.util.Arrays.copyOf(recorded[b], eos + 1), alone[0], which + " row " + b);
          checked++;
        }
      }
      System.out.println(f.name() + ": " + checked + " rows stopped after EOS");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void relativePositionBucketsMatchHuggingFace(T5Fixture f) {
    JsonNode table = f.referenceJson().get("relative_position_buckets");
    assumeTrue(table != null, f.name() + " has no relative_position_buckets table");
    int maxDistance = table.get("max_distance").asInt();
    assertEquals(
        f.configInt("relative_attention_num_buckets", 32), table.get("num_buckets").asInt());
    assertEquals(f.configInt("relative_attention_max_distance", 128), maxDistance);
    RelativePositionBuckets buckets =
        new RelativePositionBuckets(table.get("num_buckets").asInt(), maxDistance);
    JsonNode positions = table.get("relative_position");
    JsonNode bidirectional = table.get("bidirectional");
    JsonNode unidirectional = table.get("unidirectional");
    assertEquals(positions.size(), bidirectional.size());
    assertEquals(positions.size(), unidirectional.size());
    assertTrue(
        positions.get(0).asInt() < -maxDistance
            && positions.get(positions.size() - 1).asInt() > maxDistance,
        "the table reaches beyond max_distance on both sides, where buckets saturate");
    for (int i = 0; i < positions.size(); i++) {
      int rel = positions.get(i).asInt();
      assertEquals(bidirectional.get(i).asInt(), buckets.bucket(rel, true), "bidirectional " + rel);
      assertEquals(
          unidirectional.get(i).asInt(), buckets.bucket(rel, false), "unidirectional " + rel);
    }
    long[] grid = buckets.table(3, 2, 6, false); // queries 3, 4 over keys 0..5
    assertArrayEquals(
        new long[] {
          buckets.bucket(-3, false),
          buckets.bucket(-2, false),
          buckets.bucket(-1, false),
          0,
          0,
          0,
          buckets.bucket(-4, false),
          buckets.bucket(-3, false),
          buckets.bucket(-2, false),
          buckets.bucket(-1, false),
          0,
          0
        },
        grid);
  }

  private static int indexOf(long[] row, long token) {
    for (int i = 0; i < row.length; i++) {
      if (row[i] == token) {
        return i;
      }
    }
    return -1;
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
