package io.mptj.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
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

  /** A shared head scores every task with the same rows; each task masks the classes it lacks. */
  @Test
  void aSharedHeadReadsEveryTaskThroughTheSameRows() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 0, 0, 1, 1, 1}, new Shape(1, 3, 2));
      NDArray b = m.create(new float[] {0.5f, 0, 0}, new Shape(1, 3));
      try (TaskHeads heads = new TaskHeads(m, Readout.SHARED, w, b, new int[] {3, 2})) {
        float[] x =
            heads
                .forward(
                    m.create(new float[] {2, 3, 2, 3}, new Shape(2, 2)),
                    m.create(new long[] {0, 1}))
                .toFloatArray();
        assertArrayEquals(new float[] {2.5f, 3, 5}, Arrays.copyOfRange(x, 0, 3), 1e-6f);
        assertArrayEquals(new float[] {2.5f, 3}, Arrays.copyOfRange(x, 3, 5), 1e-6f);
        assertTrue(x[5] < TaskHeads.MASKED / 2, "masked: " + x[5]);
        // shared by two tasks: counted once, as shared
        assertEquals(0, heads.taskParameterCount(0));
        assertEquals(3 * (2 + 1), heads.sharedParameterCount());
        assertEquals(2, heads.parameters().size());
      }
    }
  }

  /** A shared head carried to a target keeps its rows and draws only the classes it lacked. */
  @Test
  void aSharedHeadCarriesOverAndGrowsForTargetsWithMoreClasses() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
      try (TaskHeads src =
              new TaskHeads(m, Readout.SHARED, w, m.ones(new Shape(1, 2)), new int[] {2});
          TaskHeads three = src.sharedFor(m, new int[] {3}, 5);
          TaskHeads two = src.sharedFor(m, new int[] {2}, 5)) {
        assertArrayEquals(new long[] {1, 3, 2}, three.weight().getShape().getShape());
        float[] grown = three.weight().toFloatArray();
        assertArrayEquals(new float[] {1, 2, 3, 4}, Arrays.copyOfRange(grown, 0, 4));
        assertTrue(Math.abs(grown[4]) < 0.2 && grown[4] != 0, "fresh row drawn small");
        assertArrayEquals(new float[] {1, 1, 0}, three.bias().toFloatArray());
        assertArrayEquals(w.toFloatArray(), two.weight().toFloatArray());
        // one target: the head is that task's own, counted as task-specific
        assertEquals(3 * 3, three.taskParameterCount(0));
        assertEquals(0, three.sharedParameterCount());
      }
    }
  }

  /** A label head scores s·cos(pooled, e_c), trains nothing and counts no parameters. */
  @Test
  void aLabelHeadScoresScaledCosineAndHasNoParameters() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = m.create(new float[] {3, 0, 0, 2, 1, 1}, new Shape(1, 3, 2));
      try (TaskHeads heads = TaskHeads.label(m, e, new int[] {2}, 10)) {
        float[] x =
            heads
                .forward(m.create(new float[] {0, 5}, new Shape(1, 2)), m.create(new long[] {0}))
                .toFloatArray();
        assertEquals(0f, x[0], 1e-5f); // orthogonal
        assertEquals(10f, x[1], 1e-5f); // same direction
        assertTrue(x[2] < TaskHeads.MASKED / 2, "the task has 2 classes: " + x[2]);
        assertTrue(heads.parameters().isEmpty());
        assertEquals(0, heads.taskParameterCount(0));
        assertEquals(0, heads.sharedParameterCount());
        assertEquals(Readout.LABEL, heads.readout());
      }
    }
  }

  @Test
  void headsRefuseShapesThatDoNotFitTheirReadout() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.zeros(new Shape(2, 2, 3));
      NDArray b = m.zeros(new Shape(2, 2));
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new TaskHeads(m, Readout.SHARED, w, b, new int[] {2, 2}));
      assertTrue(e.getMessage().contains("shared heads need 1 weight rows"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new TaskHeads(m, w, b, new int[] {2, 3}));
      assertThrows(
          IllegalArgumentException.class,
          () -> TaskHeads.random(m, Readout.LABEL, new int[] {2}, 3, 1));
    }
  }

  /** The label text of a class name reads underscores as spaces. */
  @Test
  void classNamesAreEmbeddedAsWords() {
    assertEquals("not entailment", LabelEmbeddings.text("not_entailment"));
    assertEquals("True", LabelEmbeddings.text("True"));
  }
}
