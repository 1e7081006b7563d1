package io.mptj.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/** The soft-prompt input path: prompt vectors prepended to token embeddings, mask extended. */
public final class PromptInput {

  private PromptInput() {}

  /**
   * Prepends prompt vectors to token embeddings.
   *
   * @param prompt (B, P, d)
   * @param tokenEmbeds (B, T, d)
   * @return (B, P + T, d), owned by {@code tokenEmbeds}' manager (the step's), even when the prompt
   *     is a parameter in a long-lived manager
   */
  public static NDArray prependEmbeddings(NDArray prompt, NDArray tokenEmbeds) {
    NDArray joined = NDArrays.concat(new ai.djl.ndarray.NDList(prompt, tokenEmbeds), 1);
    if (joined.getManager() != tokenEmbeds.getManager()) {
      joined.attach(tokenEmbeds.getManager());
    }
    return joined;
  }

  /**
   * Extends an attention mask with ones for {@code promptLength} leading positions.
   *
   * @param mask (B, T)
   * @return (B, P + T), same data type as {@code mask}
   */
  public static NDArray extendMask(NDArray mask, int promptLength) {
    long batch = mask.getShape().get(0);
    NDArray ones =
        mask.getManager()
            .ones(new ai.djl.ndarray.types.Shape(batch, promptLength), mask.getDataType());
    return ones.concat(mask, 1);
  }

  /**
   * Extends token-type ids with zeros for the prompt positions.
   *
   * @param tokenTypeIds (B, T) int64
   * @return (B, P + T)
   */
  public static NDArray extendTokenTypes(NDArray tokenTypeIds, int promptLength) {
    long batch = tokenTypeIds.getShape().get(0);
    NDArray zeros =
        tokenTypeIds
            .getManager()
            .zeros(new ai.djl.ndarray.types.Shape(batch, promptLength), DataType.INT64);
    return zeros.concat(tokenTypeIds.toType(DataType.INT64, false), 1);
  }
}
