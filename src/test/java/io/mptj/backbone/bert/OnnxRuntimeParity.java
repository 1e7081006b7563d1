package io.mptj.backbone.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mptj.backbone.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a bundled encoder and ONNX Runtime on the very same ONNX file and tokenized batch, and
 * returns the max abs diff of the last hidden states over every position, padded ones included
 * (both implementations define them the same way: padded queries attend to the unpadded keys).
 */
final class OnnxRuntimeParity {

  /** Real sentences and sentence pairs of very different lengths, so that the batch is padded. */
  static final List<String[]> INPUTS =
      List.of(
          new String[] {"A man is playing a guitar.", null},
          new String[] {"The quick brown fox jumps over the lazy dog near the riverbank.", null},
          new String[] {"Hello!", null},
          new String[] {
            "Multitask prompt tuning learns a single transferable prompt.",
            "It then adapts it to each target task with low-rank updates."
          },
          new String[] {"Is it raining?", "No, the sun is shining brightly today."});

  private OnnxRuntimeParity() {}

  /** Max abs diff between {@code encoder} and ONNX Runtime on {@link #INPUTS}; prints it. */
  static double maxAbsDiff(BertEncoder encoder, BundledEncoder bundled) throws OrtException {
    TextTokenizer tok = encoder.tokenizer();
    List<TextTokenizer.Encoded> encoded = new ArrayList<>();
    for (String[] in : INPUTS) {
      encoded.add(tok.encode(in[0], in[1], 0));
    }
    TextTokenizer.Padded batch = tok.pad(encoded);
    float[][][] expected = onnxRuntime(bundled, batch);
    float[] actual;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray ids = m.create(batch.ids());
      NDArray out =
          encoder.encode(encoder.embed(ids), m.create(batch.typeIds()), m.create(batch.mask()));
      actual = out.toFloatArray();
    }
    int t = batch.length();
    assertTrue(
        t > 12 && encoded.stream().anyMatch(e -> e.length() < t / 2), "batch must be padded");
    double maxDiff = 0;
    int i = 0;
    for (float[][] row : expected) {
      for (float[] position : row) {
        for (float v : position) {
          maxDiff = Math.max(maxDiff, Math.abs(v - actual[i++]));
        }
      }
    }
    assertEquals(actual.length, i);
    System.out.printf(
        "%s vs ONNX Runtime, %d x %d: max abs diff %.3g%n",
        bundled.id(), batch.ids().length, t, maxDiff);
    return maxDiff;
  }

  private static float[][][] onnxRuntime(BundledEncoder bundled, TextTokenizer.Padded batch)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session =
            env.createSession(bundled.readModel(), new OrtSession.SessionOptions());
        OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
        OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
        OnnxTensor types = OnnxTensor.createTensor(env, batch.typeIds());
        OrtSession.Result result =
            session.run(
                Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
    }
  }
}
