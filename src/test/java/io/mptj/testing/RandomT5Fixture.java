package io.mptj.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A tiny random T5 written in the layout of the recorded HF fixtures ({@code config.json}, {@code
 * model.safetensors} with HF names, {@code reference.safetensors} with the inputs), but with no HF
 * outputs: the tests that check self-consistency (finite differences, cached against one-shot
 * decoding, rank classification against summed log-softmax) run on it, the HF-parity tests skip it.
 * Its sizes differ from the recorded fixtures' in every respect, so that a test that hard-codes one
 * of those fails on it.
 *
 * @param name the fixture folder's name
 * @param dModel {@code d_model}
 * @param dKv {@code d_kv}
 * @param heads {@code num_heads}
 * @param dFf {@code d_ff}
 * @param encoderLayers {@code num_layers}
 * @param decoderLayers {@code num_decoder_layers}
 * @param vocab {@code vocab_size}
 * @param buckets {@code relative_attention_num_buckets}
 * @param maxDistance {@code relative_attention_max_distance}
 * @param feedForwardProj {@code feed_forward_proj}, e.g. {@code relu} or {@code gated-gelu}
 * @param tied {@code tie_word_embeddings}
 * @param batch B of the recorded inputs
 * @param encoderLength L of {@code input_ids}
 * @param labelLength S of {@code labels}
 * @param promptLength P of {@code prompt_embeds}
 * @param seed seed of every random draw
 */
public record RandomT5Fixture(
    String name,
    int dModel,
    int dKv,
    int heads,
    int dFf,
    int encoderLayers,
    int decoderLayers,
    int vocab,
    int buckets,
    int maxDistance,
    String feedForwardProj,
    boolean tied,
    int batch,
    int encoderLength,
    int labelLength,
    int promptLength,
    long seed) {

  private static final int PAD = 0;
  private static final int EOS = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates that the shapes leave room for the rows the inputs are built from. */
  public RandomT5Fixture {
    if (encoderLength < 3 || labelLength < 3 || vocab < 8 || batch < 1) {
      throw new IllegalArgumentException(
          name + ": needs encoder and label lengths >= 3, vocab >= 8 and a batch");
    }
  }

  /**
   * The random fixtures the tests generate: gated-GELU untied (d = 24, 3 heads of 10, 3 + 3 layers,
   * vocabulary 97, 12 buckets up to distance 20, B = 3, L = 9, S = 7, P = 7) and ReLU tied (d = 36,
   * 6 heads of 8, 1 + 3 layers, vocabulary 131, 20 buckets up to 40, B = 5, L = 6, S = 11, P = 3).
   */
  public static RandomT5Fixture[] standard() {
    var gated =
        new RandomT5Fixture(
            "random-t5-gated-gelu-untied",
            24,
            10,
            3,
            40,
            3,
            3,
            97,
            12,
            20,
            "gated-gelu",
            false,
            3,
            9,
            7,
            7,
            11);
    var relu =
        new RandomT5Fixture(
            "random-t5-relu-tied", 36, 8, 6, 50, 1, 3, 131, 20, 40, "relu", true, 5, 6, 11, 3, 12);
    return new RandomT5Fixture[] {gated, relu};
  }

  /** Writes the fixture into {@code dir} (created). */
  public void write(Path dir) {
    Random rng = new Random(seed);
    try (NDManager m = NDManager.newBaseManager()) {
      Files.createDirectories(dir);
      writeConfig(dir.resolve("config.json"));
      Safetensors.write(dir.resolve("model.safetensors"), weights(m, rng), Map.of("format", "pt"));
      Safetensors.write(
          dir.resolve("reference.safetensors"), inputs(m, rng), Map.of("format", "pt"));
      ObjectNode ref = JSON.createObjectNode();
      ref.put("generated_by", "io.mptj.testing.RandomT5Fixture (random weights, no HF outputs)");
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("reference.json").toFile(), ref);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeConfig(Path file) throws IOException {
    boolean gated = feedForwardProj.startsWith("gated-");
    String act = gated ? feedForwardProj.substring(6) : feedForwardProj;
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("T5ForConditionalGeneration");
    c.put("d_ff", dFf).put("d_kv", dKv).put("d_model", dModel);
    c.put("decoder_start_token_id", PAD);
    c.put("dense_act_fn", act.equals("gelu") && gated ? "gelu_new" : act);
    c.put("dropout_rate", 0.0).put("eos_token_id", EOS);
    c.put("feed_forward_proj", feedForwardProj).put("initializer_factor", 1.0);
    c.put("is_encoder_decoder", true).put("is_gated_act", gated);
    c.put("layer_norm_epsilon", 1e-6).put("model_type", "t5");
    c.put("num_decoder_layers", decoderLayers).put("num_heads", heads);
    c.put("num_layers", encoderLayers).put("pad_token_id", PAD);
    c.put("relative_attention_max_distance", maxDistance);
    c.put("relative_attention_num_buckets", buckets);
    c.put("tie_word_embeddings", tied).put("torch_dtype", "float32");
    c.put("use_cache", true).put("vocab_size", vocab);
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), c);
  }

  /** Every tensor HF's save_pretrained writes for this config, with HF's names. */
  private Map<String, NDArray> weights(NDManager m, Random rng) {
    Map<String, NDArray> w = new TreeMap<>();
    int inner = heads * dKv;
    // tied: scaled down as in the recorded fixture, else greedy decoding repeats one token
    w.put("shared.weight", normal(m, rng, tied ? 0.2 : 1.0, vocab, dModel));
    if (!tied) {
      w.put("lm_head.weight", normal(m, rng, 1.0, vocab, dModel)); // N(0, 1) as HF initialises it
    }
    for (String stack : new String[] {"encoder", "decoder"}) {
      boolean decoder = stack.equals("decoder");
      int blocks = decoder ? decoderLayers : encoderLayers;
      for (int b = 0; b < blocks; b++) {
        String block = stack + ".block." + b + ".layer.";
        attention(w, m, rng, block + "0.SelfAttention.", inner);
        if (b == 0) {
          w.put(
              block + "0.SelfAttention.relative_attention_bias.weight",
              normal(m, rng, 0.5, buckets, heads));
        }
        if (decoder) {
          attention(w, m, rng, block + "1.EncDecAttention.", inner);
        }
        int ff = decoder ? 2 : 1;
        for (int l = 0; l <= ff; l++) {
          w.put(block + l + ".layer_norm.weight", uniform(m, rng, dModel));
        }
        String dense = block + ff + ".DenseReluDense.";
        for (String wi :
            feedForwardProj.startsWith("gated-")
                ? new String[] {"wi_0", "wi_1"}
                : new String[] {"wi"}) {
          w.put(dense + wi + ".weight", normal(m, rng, 1 / Math.sqrt(dModel), dFf, dModel));
        }
        w.put(dense + "wo.weight", normal(m, rng, 1 / Math.sqrt(dFf), dModel, dFf));
      }
      w.put(stack + ".final_layer_norm.weight", uniform(m, rng, dModel));
    }
    return w;
  }

  private void attention(Map<String, NDArray> w, NDManager m, Random rng, String p, int inner) {
    for (String proj : new String[] {"q", "k", "v"}) {
      w.put(p + proj + ".weight", normal(m, rng, 1 / Math.sqrt(dModel), inner, dModel));
    }
    w.put(p + "o.weight", normal(m, rng, 1 / Math.sqrt(inner), dModel, inner));
  }

  /**
   * The inputs of the recorded fixtures: rows of decreasing length ending in EOS and padded with 0,
   * labels padded with -100, HF {@code _shift_right} decoder inputs, a prompt and its mask.
   */
  private Map<String, NDArray> inputs(NDManager m, Random rng) {
    Map<String, NDArray> r = new TreeMap<>();
    long[] ids = rows(rng, encoderLength, PAD);
    long[] mask = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      mask[i] = ids[i] == PAD ? 0 : 1;
    }
    long[] labels = rows(rng, labelLength, -100);
    long[] decoderIds = new long[labels.length];
    for (int b = 0; b < batch; b++) {
      decoderIds[b * labelLength] = PAD;
      for (int t = 1; t < labelLength; t++) {
        long previous = labels[b * labelLength + t - 1];
        decoderIds[b * labelLength + t] = previous == -100 ? PAD : previous;
      }
    }
    long[] promptMask = new long[batch * (promptLength + encoderLength)];
    for (int b = 0; b < batch; b++) {
      int row = b * (promptLength + encoderLength);
      java.util.Arrays.fill(promptMask, row, row + promptLength, 1);
      System.arraycopy(mask, b * encoderLength, promptMask, row + promptLength, encoderLength);
    }
    r.put("input_ids", m.create(ids, new Shape(batch, encoderLength)));
    r.put("attention_mask", m.create(mask, new Shape(batch, encoderLength)));
    r.put("labels", m.create(labels, new Shape(batch, labelLength)));
    r.put("decoder_input_ids", m.create(decoderIds, new Shape(batch, labelLength)));
    r.put("prompt_embeds", normal(m, rng, 1.0, promptLength, dModel));
    r.put(
        "prompt_attention_mask",
        m.create(promptMask, new Shape(batch, promptLength + encoderLength)));
    return r;
  }

  /** B rows of {@code length}: row b has max(length − 2b, 2) tokens in [2, V), the last EOS. */
  private long[] rows(Random rng, int length, long padding) {
    long[] out = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      int real = Math.max(length - 2 * b, 2);
      for (int t = 0; t < length; t++) {
        out[b * length + t] =
            t < real - 1 ? 2 + rng.nextInt(vocab - 2) : t == real - 1 ? EOS : padding;
      }
    }
    return out;
  }

  private NDArray normal(NDManager m, Random rng, double scale, long... shape) {
    double[] v = new double[(int) new Shape(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = scale * rng.nextGaussian();
    }
    return create(m, v, shape);
  }

  /** Norm weights in [0.5, 1.5), as the recorded fixtures draw them. */
  private NDArray uniform(NDManager m, Random rng, long... shape) {
    double[] v = new double[(int) new Shape(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.5 + rng.nextDouble();
    }
    return create(m, v, shape);
  }

  private static NDArray create(NDManager m, double[] v, long... shape) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return m.create(f, new Shape(shape));
  }
}
