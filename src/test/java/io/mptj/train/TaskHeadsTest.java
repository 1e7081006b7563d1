package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TaskHeadsTest {

  /** Heads own a copy: training them never writes into the arrays they were built from. */
  @Test
  void headsCopyTheirInitialValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(1, 2, 3));
      NDArray b = m.zeros(new Shape(1, 2));
      try (TaskHeads heads = new TaskHeads(m, w, b, new int[] {2})) {
        heads.weight().muli(5);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, w.toFloatArray());
        assertEquals(5f, heads.weight().getFloat(0, 0, 0));
      }
    }
  }

  @Test
  void logitsOfMissingClassesAreMaskedAndTasksPickTheirOwnRows() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0}, new Shape(2, 3, 2));
      try (TaskHeads heads = new TaskHeads(m, w, m.zeros(new Shape(2, 3)), new int[] {3, 1})) {
        NDArray logits =
            heads.forward(
                m.create(new float[] {1, 2, 1, 2}, new Shape(2, 2)), m.create(new long[] {0, 1}));
        float[] x = logits.toFloatArray();
        assertArrayEquals(new float[] {1, 2, 0}, java.util.Arrays.copyOfRange(x, 0, 3), 1e-6f);
        assertEquals(2f, x[3], 1e-6f);
        assertEquals(TaskHeads.MASKED, x[4], 1e-6f);
      }
    }
  }
}
