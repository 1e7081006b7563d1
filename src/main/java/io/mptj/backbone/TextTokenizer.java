package io.mptj.backbone;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one tokenizer wrapper of mptj: HuggingFace {@code tokenizer.json} through DJL's Rust
 * bindings, with the checkpoint's own special tokens and pair template, longest-first truncation
 * and padding.
 */
public final class TextTokenizer implements AutoCloseable {

  /** One tokenized input: ids with special tokens, and segment ids. */
  public record Encoded(long[] ids, long[] typeIds) {
    /** Number of tokens. */
    public int length() {
      return ids.length;
    }
  }

  /**
   * A padded batch.
   *
   * @param ids (B, T) token ids, padded with the pad id
   * @param typeIds (B, T) segment ids, padded with 0
   * @param mask (B, T) 1 for tokens, 0 for padding
   */
  public record Padded(long[][] ids, long[][] typeIds, long[][] mask) {
    /** Padded length T. */
    public int length() {
      return ids.length == 0 ? 0 : ids[0].length;
    }
  }

  private final byte[] json;
  private final String source;
  private final Map<Integer, HuggingFaceTokenizer> byMaxLength = new ConcurrentHashMap<>();
  private final HuggingFaceTokenizer untruncated;
  private final long padId;

  private TextTokenizer(byte[] json, String source) {
    this.json = json;
    this.source = source;
    this.untruncated = create(0);
    this.padId = findPadId();
  }

  /** Reads a {@code tokenizer.json} file. */
  public static TextTokenizer fromFile(Path tokenizerJson) {
    try {
      return new TextTokenizer(Files.readAllBytes(tokenizerJson), tokenizerJson.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
    }
  }

  /** Reads a {@code tokenizer.json} from a stream, e.g. a classpath resource. */
  public static TextTokenizer fromStream(InputStream in, String source) {
    try (in) {
      return new TextTokenizer(in.readAllBytes(), source);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + source, e);
    }
  }

  private HuggingFaceTokenizer create(int maxLength) {
    Map<String, String> options =
        maxLength > 0
            ? Map.of(
                "addSpecialTokens",
                "true",
                "padding",
                "false",
                "truncation",
                "LONGEST_FIRST",
                "maxLength",
                Integer.toString(maxLength))
            : Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false");
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + source, e);
    }
  }

  private long findPadId() {
    for (String pad : List.of("[PAD]", "<pad>", "<|pad|>")) {
      long[] ids = untruncated.encode(pad, false, false).getIds();
      if (ids.length == 1) {
        return ids[0];
      }
    }
    return 0;
  }

  private HuggingFaceTokenizer forLength(int maxLength) {
    return maxLength <= 0 ? untruncated : byMaxLength.computeIfAbsent(maxLength, this::create);
  }

  /**
   * Tokenizes a text or a text pair with the checkpoint's special tokens.
   *
   * @param pair the second segment, or {@code null}
   * @param maxLength total length cap including special tokens (longest-first truncation); 0 for
   *     none
   */
  public Encoded encode(String text, String pair, int maxLength) {
    HuggingFaceTokenizer t = forLength(maxLength);
    Encoding e = pair == null ? t.encode(text) : t.encode(text, pair);
    return new Encoded(e.getIds(), e.getTypeIds());
  }

  /** Tokenizes without special tokens or truncation (e.g. label words). */
  public long[] ids(String text) {
    return untruncated.encode(text, false, false).getIds();
  }

  /** Turns ids back into text. */
  public String decode(long[] ids, boolean skipSpecialTokens) {
    return untruncated.decode(ids, skipSpecialTokens);
  }

  /** The padding token id. */
  public long padId() {
    return padId;
  }

  /** Pads encoded inputs on the right to the longest one. */
  public Padded pad(List<Encoded> batch) {
    int t = batch.stream().mapToInt(Encoded::length).max().orElse(0);
    long[][] ids = new long[batch.size()][t];
    long[][] types = new long[batch.size()][t];
    long[][] mask = new long[batch.size()][t];
    for (int b = 0; b < batch.size(); b++) {
      Encoded e = batch.get(b);
      java.util.Arrays.fill(ids[b], padId);
      System.arraycopy(e.ids(), 0, ids[b], 0, e.length());
      System.arraycopy(e.typeIds(), 0, types[b], 0, e.length());
      java.util.Arrays.fill(mask[b], 0, e.length(), 1L);
    }
    return new Padded(ids, types, mask);
  }

  /** Where the tokenizer was read from. */
  public String source() {
    return source;
  }

  @Override
  public void close() {
    untruncated.close();
    byMaxLength.values().forEach(HuggingFaceTokenizer::close);
  }
}
