package io.mptj.backbone.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.backbone.nn.Activation;
import io.mptj.engine.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A tiny random BERT written as an HF model directory, and a naive double-precision reference of
 * its forward pass (plain loops, no DJL), for tests.
 */
public final class TinyBert {

  /** Vocabulary of the bundled tokenizer, which the tiny models reuse. */
  static final int VOCAB = 30522;

  private TinyBert() {}

  /**
   * Writes a tiny random BERT (d = 32, 2 layers, 64 positions, the bundled tokenizer) as an HF
   * model directory, for tests of the layers above the backbone.
   */
  public static Path writeRandom(Path dir, long seed) {
    BertConfig c = new BertConfig(VOCAB, 32, 2, 4, 64, Activation.GELU, 64, 2, 1e-12, 0);
    return write(dir, c, randomWeights(c, seed), false, "", w -> {});
  }

  /**
   * As {@link #writeRandom}, stored as float64 (d = 32, 2 layers, 40 positions), for gradient
   * checks by finite differences.
   */
  public static Path writeRandomFloat64(Path dir, long seed) {
    BertConfig c = config(Activation.GELU);
    return write(dir, c, randomWeights(c, seed), true, "", w -> {});
  }

  /**
   * Writes the float64 tiny model of {@link #writeRandomFloat64} with the given weights (HF names,
   * every tensor of {@link BertWeights#expected}).
   */
  public static Path writeFloat64(Path dir, Map<String, double[]> weights) {
    return write(dir, config(Activation.GELU), weights, true, "", w -> {});
  }

  /** A small architecture: d = 32, 2 layers of 4 heads, FFN 64, 40 positions. */
  static BertConfig config(Activation act) {
    return new BertConfig(VOCAB, 32, 2, 4, 64, act, 40, 2, 1e-12, 0);
  }

  /**
   * Random weights by HF name, values rounded to float so that float32 and float64 checkpoints hold
   * the same numbers. LayerNorm scales are near 1; everything else is N(0, 0.2²) so that attention
   * is far from uniform.
   */
  static Map<String, double[]> randomWeights(BertConfig config, long seed) {
    Random random = new Random(seed);
    Map<String, double[]> w = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : BertWeights.expected(config).entrySet()) {
      int n = (int) new Shape(e.getValue()).size();
      boolean scale = e.getKey().endsWith("LayerNorm.weight");
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = (float) ((scale ? 1 : 0) + 0.2 * random.nextGaussian());
      }
      w.put(e.getKey(), values);
    }
    return w;
  }

  /**
   * Writes {@code config.json}, {@code model.safetensors} and the bundled {@code tokenizer.json}.
   *
   * @param float64 whether tensors are stored as F64 (else F32)
   * @param prefix prepended to every tensor name, e.g. {@code "bert."}
   * @param edit may remove or replace tensors (by prefixed name) before writing
   */
  static Path write(
      Path dir,
      BertConfig config,
      Map<String, double[]> weights,
      boolean float64,
      String prefix,
      Consumer<Map<String, NDArray>> edit) {
    try (NDManager m = NDManager.newBaseManager()) {
      Files.createDirectories(dir);
      Map<String, long[]> shapes = BertWeights.expected(config);
      Map<String, NDArray> arrays = new LinkedHashMap<>();
      for (Map.Entry<String, double[]> e : weights.entrySet()) {
        NDArray a = m.create(e.getValue(), new Shape(shapes.get(e.getKey())));
        arrays.put(
            prefix + e.getKey(),
            float64 ? a : a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
      }
      edit.accept(arrays);
      Safetensors.write(dir.resolve(Safetensors.MODEL_FILE), arrays, Map.of("format", "pt"));
      Files.writeString(dir.resolve("config.json"), configJson(config));
      Files.write(dir.resolve("tokenizer.json"), BundledEncoder.MINILM.readTokenizer());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String configJson(BertConfig c) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.putArray("architectures").add("BertModel");
    o.put("model_type", "bert");
    o.put("vocab_size", c.vocabSize());
    o.put("hidden_size", c.hiddenSize());
    o.put("num_hidden_layers", c.numHiddenLayers());
    o.put("num_attention_heads", c.numAttentionHeads());
    o.put("intermediate_size", c.intermediateSize());
    o.put(
        "hidden_act",
        switch (c.hiddenAct()) {
          case GELU -> "gelu";
          case GELU_TANH -> "gelu_new";
          case RELU -> "relu";
          case SILU -> "silu";
        });
    o.put("max_position_embeddings", c.maxPositionEmbeddings());
    o.put("type_vocab_size", c.typeVocabSize());
    o.put("layer_norm_eps", c.layerNormEps());
    o.put("pad_token_id", c.padTokenId());
    o.put("hidden_dropout_prob", 0.1);
    o.put("attention_probs_dropout_prob", 0.1);
    o.put("position_embedding_type", "absolute");
    return o.toPrettyString();
  }

  /**
   * The encoder's last hidden states, computed naively in double precision.
   *
   * @param x (B, L, d) input embeddings (prompt and tokens)
   * @param types (B, L) segment ids
   * @param mask (B, L) 1 for real positions
   * @return (B, L, d)
   */
  static double[][][] reference(
      BertConfig c, Map<String, double[]> w, double[][][] x, long[][] types, long[][] mask) {
    double[][][] out = new double[x.length][][];
    for (int b = 0; b < x.length; b++) {
      out[b] = sequence(c, w, x[b], types[b], mask[b]);
    }
    return out;
  }

  private static double[][] sequence(
      BertConfig c, Map<String, double[]> w, double[][] x, long[] types, long[] mask) {
    int len = x.length;
    int d = c.hiddenSize();
    double[][] h = new double[len][d];
    for (int t = 0; t < len; t++) {
      for (int j = 0; j < d; j++) {
        h[t][j] =
            x[t][j]
                + w.get(BertWeights.POSITION)[t * d + j]
                + w.get(BertWeights.TOKEN_TYPE)[(int) types[t] * d + j];
      }
      h[t] = norm(c, w, BertWeights.EMBEDDING_NORM, h[t]);
    }
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      h = block(c, w, i, h, mask);
    }
    return h;
  }

  private static double[][] block(
      BertConfig c, Map<String, double[]> w, int i, double[][] h, long[] mask) {
    int len = h.length;
    double[][] q = linear(w, i, BertWeights.QUERY, h);
    double[][] k = linear(w, i, BertWeights.KEY, h);
    double[][] v = linear(w, i, BertWeights.VALUE, h);
    int dh = c.headSize();
    double[][] context = new double[len][c.hiddenSize()];
    for (int head = 0; head < c.numAttentionHeads(); head++) {
      int o = head * dh;
      for (int s = 0; s < len; s++) {
        double[] p = new double[len];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
          if (mask[t] == 0) {
            continue;
          }
          double dot = 0;
          for (int j = 0; j < dh; j++) {
            dot += q[s][o + j] * k[t][o + j];
          }
          p[t] = dot / Math.sqrt(dh);
          max = Math.max(max, p[t]);
        }
        double sum = 0;
        for (int t = 0; t < len; t++) {
          p[t] = mask[t] == 0 ? 0 : Math.exp(p[t] - max);
          sum += p[t];
        }
        for (int t = 0; t < len; t++) {
          for (int j = 0; j < dh; j++) {
            context[s][o + j] += p[t] / sum * v[t][o + j];
          }
        }
      }
    }
    double[][] attended = linear(w, i, BertWeights.ATTENTION_OUTPUT, context);
    String prefix = "encoder.layer." + i + ".";
    double[][] h1 = new double[len][];
    double[][] h2 = new double[len][];
    for (int t = 0; t < len; t++) {
      h1[t] = norm(c, w, prefix + BertWeights.ATTENTION_NORM, add(attended[t], h[t]));
    }
    double[][] inner = linear(w, i, BertWeights.INTERMEDIATE, h1);
    for (double[] row : inner) {
      for (int j = 0; j < row.length; j++) {
        row[j] = activate(c.hiddenAct(), row[j]);
      }
    }
    double[][] out = linear(w, i, BertWeights.OUTPUT, inner);
    for (int t = 0; t < len; t++) {
      h2[t] = norm(c, w, prefix + BertWeights.OUTPUT_NORM, add(out[t], h1[t]));
    }
    return h2;
  }

  private static double[][] linear(Map<String, double[]> w, int i, String module, double[][] x) {
    double[] weight = w.get(BertWeights.layer(i, module, "weight"));
    double[] bias = w.get(BertWeights.layer(i, module, "bias"));
    int out = bias.length;
    int in = x[0].length;
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++) {
      for (int o = 0; o < out; o++) {
        double s = bias[o];
        for (int j = 0; j < in; j++) {
          s += weight[o * in + j] * x[t][j];
        }
        y[t][o] = s;
      }
    }
    return y;
  }

  private static double[] norm(BertConfig c, Map<String, double[]> w, String module, double[] x) {
    double mean = 0;
    for (double v : x) {
      mean += v / x.length;
    }
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean) / x.length;
    }
    double[] gamma = w.get(module + ".weight");
    double[] beta = w.get(module + ".bias");
    double[] y = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      y[j] = (x[j] - mean) / Math.sqrt(var + c.layerNormEps()) * gamma[j] + beta[j];
    }
    return y;
  }

  private static double activate(Activation act, double x) {
    return switch (act) {
      case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
      case GELU_TANH ->
          0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
      case RELU -> Math.max(0, x);
      case SILU -> x / (1 + Math.exp(-x));
    };
  }

  /** erf by its Maclaurin series (|x| small) or continued fraction complement; error < 1e-13. */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 3) {
      double term = ax;
      double sum = ax;
      for (int n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
        term *= -ax * ax / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      double f = 0;
      for (int n = 60; n >= 1; n--) {
        f = n / 2.0 / (ax + f);
      }
      r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
    }
    return Math.copySign(r, x);
  }

  private static double[] add(double[] a, double[] b) {
    double[] y = new double[a.length];
    for (int j = 0; j < a.length; j++) {
      y[j] = a[j] + b[j];
    }
    return y;
  }
}
