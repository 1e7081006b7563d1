package io.mptj.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mptj.engine.Safetensors;
import io.mptj.engine.SafetensorsFile;
import io.mptj.engine.TensorDType;
import io.mptj.engine.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Derives, from a recorded HF T5 fixture, a fixture of other shapes that computes <em>exactly the
 * same function</em>, so that HF's recorded outputs (permuted and zero-padded) remain the reference
 * without running HF again. Every transform is function-preserving:
 *
 * <ul>
 *   <li><b>wider residual stream</b> d → d + Δ: new embedding dimensions are zero, projections read
 *       nothing from them and write nothing into them; every RMS-norm weight is multiplied by
 *       sqrt(d / d') and {@code layer_norm_epsilon} by d / d', so that {@code w' x / sqrt(Σx²/d' +
 *       eps')} equals {@code w x / sqrt(Σx²/d + eps)}; when tied, the decoder's final norm is also
 *       multiplied by sqrt(d' / d) to undo the LM head's d'^-0.5. The hidden states, the prompt and
 *       its gradient are the recorded ones with zero columns appended (the gradient of the new
 *       columns is exactly zero: they only reach zero weights and Σx², whose derivative vanishes at
 *       0);
 *   <li><b>more and wider heads</b>: an extra head with zero q, k, v (and zero o columns), and
 *       zero-padded head dimensions (q·k and the values are unchanged), so {@code d_model ≠ heads ×
 *       d_kv};
 *   <li><b>wider feed-forward</b>: zero rows of {@code wi} and columns of {@code wo} (relu, gelu
 *       and silu all map 0 to 0);
 *   <li><b>more layers</b>: identity blocks (random q, k, v, wi but zero {@code o} and {@code wo},
 *       so the block adds exactly 0 to the residual stream), inserted after block 0;
 *   <li><b>more position buckets</b> and another max distance: the new bucket table is filled from
 *       the old one through the distances the recorded inputs reach, after checking that the new
 *       buckets refine the old ones there (it fails otherwise);
 *   <li><b>another batch size</b>: rows in another order, each recorded row used equally often, so
 *       the batch-mean loss and the summed prompt gradient are unchanged.
 * </ul>
 *
 * <p>The prompt length, vocabulary and sequence lengths cannot be changed this way; {@link
 * RandomT5Fixture} covers them for the tests that need no HF outputs. The bucket table of {@code
 * reference.json} is recomputed with this class's own transcription of HF {@code
 * T5Attention._relative_position_bucket} (float32 logs, as torch computes them).
 *
 * @param extraDModel Δd added to {@code d_model}
 * @param extraHeads heads added
 * @param extraDKv width added to every head
 * @param extraDFf width added to the feed-forward block
 * @param extraEncoderBlocks identity blocks inserted into the encoder
 * @param extraDecoderBlocks identity blocks inserted into the decoder
 * @param numBuckets the new {@code relative_attention_num_buckets}
 * @param maxDistance the new {@code relative_attention_max_distance}
 * @param rows recorded row of each new batch row (every recorded row equally often)
 */
public record T5FixtureReshaper(
    int extraDModel,
    int extraHeads,
    int extraDKv,
    int extraDFf,
    int extraEncoderBlocks,
    int extraDecoderBlocks,
    int numBuckets,
    int maxDistance,
    int[] rows) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Tensors of {@code reference.safetensors} with a leading batch axis. */
  private static final Set<String> BATCHED =
      Set.of(
          "input_ids",
          "attention_mask",
          "labels",
          "decoder_input_ids",
          "prompt_attention_mask",
          "encoder_last_hidden_state",
          "logits",
          "prompt_encoder_last_hidden_state",
          "prompt_logits",
          "greedy_sequences",
          "prompt_greedy_sequences");

  /** Tensors of {@code reference.safetensors} whose last axis is {@code d_model}. */
  private static final Set<String> WIDE =
      Set.of(
          "encoder_last_hidden_state",
          "prompt_encoder_last_hidden_state",
          "prompt_embeds",
          "prompt_grad");

  private static final Set<String> SCALARS = Set.of("loss", "prompt_loss");

  /** The reshape the tests apply: every size the recorded fixtures fix is changed. */
  public static T5FixtureReshaper standard() {
    return new T5FixtureReshaper(16, 1, 4, 32, 1, 2, 64, 100, new int[] {1, 0, 0, 1});
  }

  /** Writes the derived fixture of {@code source} into {@code target}. */
  public void write(Path source, Path target) {
    try (SafetensorsFile weights = SafetensorsFile.open(source.resolve("model.safetensors"));
        SafetensorsFile reference = SafetensorsFile.open(source.resolve("reference.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      Files.createDirectories(target);
      ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
      Dims old = Dims.of(config);
      Dims dims = reshaped(old);
      int bucketBound = usedDistance(reference);
      long[] bucketMap = bucketMap(old, bucketBound);
      new Model(weights, old, dims, bucketMap, m).write(target.resolve("model.safetensors"));
      writeReference(reference, old, dims, m, target.resolve("reference.safetensors"));
      writeConfig(config, old, dims, target.resolve("config.json"));
      writeReferenceJson(source, dims, target.resolve("reference.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sizes a T5 config fixes. */
  record Dims(
      int d, int heads, int dKv, int dFf, int encoder, int decoder, int buckets, int maxDistance) {
    static Dims of(ObjectNode c) {
      int layers = c.get("num_layers").asInt();
      return new Dims(
          c.get("d_model").asInt(),
          c.get("num_heads").asInt(),
          c.get("d_kv").asInt(),
          c.get("d_ff").asInt(),
          layers,
          c.path("num_decoder_layers").asInt(layers),
          c.path("relative_attention_num_buckets").asInt(32),
          c.path("relative_attention_max_distance").asInt(128));
    }
  }

  private Dims reshaped(Dims o) {
    return new Dims(
        o.d + extraDModel,
        o.heads + extraHeads,
        o.dKv + extraDKv,
        o.dFf + extraDFf,
        o.encoder + extraEncoderBlocks,
        o.decoder + extraDecoderBlocks,
        numBuckets,
        maxDistance);
  }

  /** The largest |key − query| the recorded inputs reach (prompt included, or greedy steps). */
  private static int usedDistance(SafetensorsFile reference) {
    long encoder = reference.info("prompt_attention_mask").shape()[1];
    long decoder =
        Math.max(
            reference.info("labels").shape()[1], reference.info("greedy_sequences").shape()[1]);
    return (int) Math.max(encoder, decoder) - 1;
  }

  /**
   * For each new bucket, the old bucket it stands for; -1 where no used distance falls in it.
   * Entries {@code [0, numBuckets)} are bidirectional (encoder), {@code [numBuckets, 2·numBuckets)}
   * causal (decoder).
   *
   * @throws IllegalStateException when a new bucket would merge distances that the old table
   *     separates (the reshaped model would then compute another function)
   */
  private long[] bucketMap(Dims old, int bound) {
    long[] map = new long[2 * numBuckets];
    Arrays.fill(map, -1);
    for (int direction = 0; direction < 2; direction++) {
      boolean bidirectional = direction == 0;
      for (int r = -bound; r <= bound; r++) {
        int fresh = direction * numBuckets + bucket(r, bidirectional, numBuckets, maxDistance);
        int was = bucket(r, bidirectional, old.buckets, old.maxDistance);
        if (map[fresh] >= 0 && map[fresh] != was) {
          throw new IllegalStateException(
              "relative_attention_num_buckets="
                  + numBuckets
                  + ", max_distance="
                  + maxDistance
                  + " merges distances that "
                  + old.buckets
                  + " buckets separate (distance "
                  + r
                  + ")");
        }
        map[fresh] = was;
      }
    }
    return map;
  }

  /**
   * HF {@code T5Attention._relative_position_bucket} (transformers 4.36), transcribed: distances
   * below half the (per direction) buckets are exact, larger ones log-spaced up to {@code
   * maxDistance}; the log ratio is computed in float32 as torch does.
   */
  static int bucket(int relative, boolean bidirectional, int buckets, int maxDistance) {
    int n = buckets;
    int result = 0;
    int distance;
    if (bidirectional) {
      n /= 2;
      result = relative > 0 ? n : 0;
      distance = Math.abs(relative);
    } else {
      distance = -Math.min(relative, 0);
    }
    int maxExact = n / 2;
    if (distance < maxExact) {
      return result + distance;
    }
    float ratio = (float) distance / (float) maxExact;
    float scaled =
        (float) Math.log(ratio)
            / (float) Math.log((double) maxDistance / maxExact)
            * (n - maxExact);
    long large = maxExact + (long) scaled;
    return result + (int) Math.min(large, n - 1);
  }

  /** The weights of the reshaped model, built tensor by tensor from the recorded one. */
  private record Model(
      SafetensorsFile in, Dims old, Dims dims, long[] bucketMap, NDManager manager) {

    void write(Path file) {
      Map<String, NDArray> out = new TreeMap<>();
      int d = old.d;
      out.put("shared.weight", pad(read("shared.weight"), -1, dims.d - d));
      if (in.names().contains("lm_head.weight")) {
        out.put("lm_head.weight", pad(read("lm_head.weight"), -1, dims.d - d));
      }
      stack("encoder", old.encoder, dims.encoder, out);
      stack("decoder", old.decoder, dims.decoder, out);
      Set<String> expected = new java.util.TreeSet<>(in.names());
      if (!out.keySet().containsAll(expected)) {
        expected.removeAll(out.keySet());
        throw new IllegalStateException("tensors not carried over: " + expected);
      }
      Safetensors.write(file, out, Map.of("format", "pt"));
    }

    private void stack(String stack, int oldBlocks, int newBlocks, Map<String, NDArray> out) {
      List<Integer> origin = blockOrigins(oldBlocks, newBlocks);
      for (int i = 0; i < newBlocks; i++) {
        String prefix = stack + ".block." + i + ".";
        Integer from = origin.get(i);
        if (from == null) {
          identityBlock(stack, prefix, i, out);
        } else {
          copyBlock(stack + ".block." + from + ".", prefix, out);
        }
      }
      String position = stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
      out.put(position, positionBias(read(position), stack.equals("decoder")));
      String finalNorm = stack + ".final_layer_norm.weight";
      boolean tied = !in.names().contains("lm_head.weight");
      double undoHeadScale =
          stack.equals("decoder") && tied ? Math.sqrt((double) dims.d / old.d) : 1;
      out.put(finalNorm, norm(read(finalNorm), undoHeadScale));
    }

    /** Recorded block of each new block: block 0 first, then identity blocks, then the rest. */
    private static List<Integer> blockOrigins(int oldBlocks, int newBlocks) {
      List<Integer> origin = new java.util.ArrayList<>();
      origin.add(0);
      int identities = newBlocks - oldBlocks;
      for (int b = 1; b < oldBlocks || identities > 0; ) {
        if (identities > 0) {
          origin.add(null);
          identities--;
        }
        if (b < oldBlocks) {
          origin.add(b++);
        }
      }
      return origin;
    }

    private void copyBlock(String from, String to, Map<String, NDArray> out) {
      for (String name : in.names()) {
        if (!name.startsWith(from) || name.contains("relative_attention_bias")) {
          continue;
        }
        String rest = name.substring(from.length()); // e.g. layer.0.SelfAttention.q.weight
        HostTensor t = read(name);
        NDArray a;
        if (rest.endsWith("layer_norm.weight")) {
          a = norm(t, 1);
        } else if (rest.contains("Attention.")) {
          a = rest.endsWith(".o.weight") ? headsIn(t) : headsOut(t);
        } else if (rest.endsWith(".wo.weight")) {
          a = create(t.padded(0, dims.d - old.d).padded(-1, dims.dFf - old.dFf));
        } else if (rest.contains(".wi")) {
          a = create(t.padded(0, dims.dFf - old.dFf).padded(-1, dims.d - old.d));
        } else {
          throw new IllegalStateException("unknown T5 tensor " + name);
        }
        out.put(to + rest, a);
      }
    }

    /** A block that adds exactly zero to the residual stream: zero o and wo. */
    private void identityBlock(String stack, String prefix, int index, Map<String, NDArray> out) {
      java.util.Random rng = new java.util.Random(31L * index + stack.hashCode());
      int inner = dims.heads * dims.dKv;
      boolean decoder = stack.equals("decoder");
      String[] attentions =
          decoder
              ? new String[] {"layer.0.SelfAttention.", "layer.1.EncDecAttention."}
              : new String[] {"layer.0.SelfAttention."};
      for (int l = 0; l < attentions.length; l++) {
        out.put(prefix + "layer." + l + ".layer_norm.weight", uniform(rng, dims.d));
        for (String p : new String[] {"q", "k", "v"}) {
          out.put(prefix + attentions[l] + p + ".weight", normal(rng, 0.1, inner, dims.d));
        }
        out.put(prefix + attentions[l] + "o.weight", manager.zeros(new Shape(dims.d, inner)));
      }
      int ff = attentions.length;
      String dense = prefix + "layer." + ff + ".DenseReluDense.";
      out.put(prefix + "layer." + ff + ".layer_norm.weight", uniform(rng, dims.d));
      for (String name : in.names()) {
        if (name.startsWith(stack + ".block.0.layer." + ff + ".DenseReluDense.wi")) {
          String wi = name.substring(name.lastIndexOf("DenseReluDense.") + 15);
          out.put(dense + wi, normal(rng, 0.1, dims.dFf, dims.d));
        }
      }
      out.put(dense + "wo.weight", manager.zeros(new Shape(dims.d, dims.dFf)));
    }

    /** A norm weight scaled by sqrt(d/d') (and {@code extra}); new dimensions get 1. */
    private NDArray norm(HostTensor t, double extra) {
      float scale = (float) (Math.sqrt((double) old.d / dims.d) * extra);
      float[] w = new float[dims.d];
      Arrays.fill(w, 1f);
      for (int i = 0; i < old.d; i++) {
        w[i] = t.data[i] * scale;
      }
      return manager.create(w, new Shape(dims.d));
    }

    /** q, k, v (H·dk, d) → (H'·dk', d'): head rows zero-padded, extra heads zero. */
    private NDArray headsOut(HostTensor t) {
      float[] w = new float[dims.heads * dims.dKv * dims.d];
      for (int h = 0; h < old.heads; h++) {
        for (int j = 0; j < old.dKv; j++) {
          for (int c = 0; c < old.d; c++) {
            w[((h * dims.dKv) + j) * dims.d + c] = t.data[((h * old.dKv) + j) * old.d + c];
          }
        }
      }
      return manager.create(w, new Shape(dims.heads * dims.dKv, dims.d));
    }

    /** o (d, H·dk) → (d', H'·dk'): the transpose of {@link #headsOut}'s layout. */
    private NDArray headsIn(HostTensor t) {
      int oldInner = old.heads * old.dKv;
      int inner = dims.heads * dims.dKv;
      float[] w = new float[dims.d * inner];
      for (int r = 0; r < old.d; r++) {
        for (int h = 0; h < old.heads; h++) {
          for (int j = 0; j < old.dKv; j++) {
            w[r * inner + h * dims.dKv + j] = t.data[r * oldInner + h * old.dKv + j];
          }
        }
      }
      return manager.create(w, new Shape(dims.d, inner));
    }

    /** (buckets, H) → (buckets', H'): mapped rows copied; other rows and heads arbitrary. */
    private NDArray positionBias(HostTensor t, boolean decoder) {
      float[] w = new float[dims.buckets * dims.heads];
      int offset = decoder ? dims.buckets : 0;
      for (int b = 0; b < dims.buckets; b++) {
        long was = bucketMap[offset + b];
        for (int h = 0; h < dims.heads; h++) {
          w[b * dims.heads + h] =
              was >= 0 && h < old.heads
                  ? t.data[(int) was * old.heads + h]
                  : (float) (0.5 * Math.sin(1 + b * 7 + h));
        }
      }
      return manager.create(w, new Shape(dims.buckets, dims.heads));
    }

    /** Norm weights in [0.5, 1.5). */
    private NDArray uniform(java.util.Random rng, long... shape) {
      float[] w = new float[(int) new Shape(shape).size()];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (0.5 + rng.nextDouble());
      }
      return manager.create(w, new Shape(shape));
    }

    private NDArray normal(java.util.Random rng, double scale, long... shape) {
      float[] w = new float[(int) new Shape(shape).size()];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (scale * rng.nextGaussian());
      }
      return manager.create(w, new Shape(shape));
    }

    private HostTensor read(String name) {
      return HostTensor.of(in, name);
    }

    private NDArray pad(HostTensor t, int axis, int extra) {
      return create(t.padded(axis, extra));
    }

    private NDArray create(HostTensor t) {
      return manager.create(t.data, new Shape(t.shape));
    }
  }

  private void writeReference(SafetensorsFile in, Dims old, Dims dims, NDManager m, Path file) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (String name : in.names()) {
      TensorInfo info = in.info(name);
      boolean longs = info.dtype() == TensorDType.I64;
      HostTensor t = longs ? null : HostTensor.of(in, name);
      long[] ids = longs ? in.readLongs(name) : null;
      long[] shape = info.shape();
      if (!BATCHED.contains(name) && !WIDE.contains(name) && !SCALARS.contains(name)) {
        throw new IllegalStateException("no reshape rule for reference tensor " + name);
      }
      if (BATCHED.contains(name)) {
        if (longs) {
          ids = permuteRows(ids, shape);
        } else {
          t = new HostTensor(shape, permuteRows(t.data, shape));
        }
        shape = shape.clone();
        shape[0] = rows.length;
        if (t != null) {
          t = new HostTensor(shape, t.data);
        }
      }
      if (WIDE.contains(name)) {
        t = t.padded(-1, dims.d - old.d);
      }
      out.put(name, longs ? m.create(ids, new Shape(shape)) : m.create(t.data, new Shape(t.shape)));
    }
    Safetensors.write(file, out, Map.of("format", "pt"));
  }

  private long[] permuteRows(long[] data, long[] shape) {
    int row = data.length / (int) shape[0];
    long[] out = new long[rows.length * row];
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(data, rows[b] * row, out, b * row, row);
    }
    return out;
  }

  private float[] permuteRows(float[] data, long[] shape) {
    int row = data.length / (int) shape[0];
    float[] out = new float[rows.length * row];
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(data, rows[b] * row, out, b * row, row);
    }
    return out;
  }

  private void writeConfig(ObjectNode config, Dims old, Dims dims, Path file) throws IOException {
    config.put("d_model", dims.d);
    config.put("num_heads", dims.heads);
    config.put("d_kv", dims.dKv);
    config.put("d_ff", dims.dFf);
    config.put("num_layers", dims.encoder);
    config.put("num_decoder_layers", dims.decoder);
    config.put("relative_attention_num_buckets", dims.buckets);
    config.put("relative_attention_max_distance", dims.maxDistance);
    double eps = config.path("layer_norm_epsilon").asDouble(1e-6);
    config.put("layer_norm_epsilon", eps * old.d / dims.d);
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), config);
  }

  private void writeReferenceJson(Path source, Dims dims, Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("derived_from", source.getFileName().toString());
    root.put("how", "function-preserving reshape by io.mptj.testing.T5FixtureReshaper");
    ObjectNode table = root.putObject("relative_position_buckets");
    table.put("num_buckets", dims.buckets).put("max_distance", dims.maxDistance);
    ArrayNode positions = table.putArray("relative_position");
    ArrayNode bi = table.putArray("bidirectional");
    ArrayNode uni = table.putArray("unidirectional");
    int bound = dims.maxDistance + 50;
    for (int r = -bound; r <= bound; r++) {
      positions.add(r);
      bi.add(bucket(r, true, dims.buckets, dims.maxDistance));
      uni.add(bucket(r, false, dims.buckets, dims.maxDistance));
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  /** A float tensor on the host, row-major. */
  record HostTensor(long[] shape, float[] data) {
    static HostTensor of(SafetensorsFile f, String name) {
      return new HostTensor(f.info(name).shape(), f.readFloats(name));
    }

    /** Appends {@code extra} zero entries along {@code axis} (-1: the last). */
    HostTensor padded(int axis, int extra) {
      int a = axis < 0 ? shape.length + axis : axis;
      long outer = 1;
      for (int i = 0; i < a; i++) {
        outer *= shape[i];
      }
      long inner = 1;
      for (int i = a + 1; i < shape.length; i++) {
        inner *= shape[i];
      }
      int oldRun = (int) (shape[a] * inner);
      int newRun = (int) ((shape[a] + extra) * inner);
      float[] out = new float[(int) outer * newRun];
      for (int o = 0; o < outer; o++) {
        System.arraycopy(data, o * oldRun, out, o * newRun, oldRun);
      }
      long[] s = shape.clone();
      s[a] += extra;
      return new HostTensor(s, out);
    }
  }
}
