package io.mptj.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a forward pass in a child of its first input's manager: the inputs are attached to the child
 * for the duration, so every intermediate lands there and is freed on return, and the results are
 * moved to the first input's manager. Autograd keeps what backward needs alive on its own, so
 * freeing the intermediates' handles is safe inside a gradient collector.
 */
public final class Scoped {

  private Scoped() {}

  /**
   * Computes arrays.
   *
   * @param inputs the forward's array arguments, the owner first; nulls are skipped
   * @return the body's arrays, now owned by {@code inputs[0]}'s manager
   */
  public static NDList arrays(Function<NDManager, NDList> body, NDArray... inputs) {
    NDManager owner = inputs[0].getManager();
    try (NDManager scope = owner.newSubManager()) {
      attach(scope, inputs);
      NDList out = body.apply(scope);
      out.attach(owner);
      return out;
    }
  }

  /** Computes a host value; every native array made on the way is freed on return. */
  public static <T> T host(Function<NDManager, T> body, NDArray... inputs) {
    try (NDManager scope = inputs[0].getManager().newSubManager()) {
      attach(scope, inputs);
      return body.apply(scope);
    }
  }

  private static void attach(NDManager scope, NDArray... inputs) {
    List<NDArray> seen = new ArrayList<>();
    for (NDArray a : inputs) {
      if (a != null && seen.stream().noneMatch(s -> s == a)) {
        a.tempAttach(scope);
        seen.add(a);
      }
    }
  }
}
