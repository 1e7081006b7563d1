package io.mptj.backbone.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.mptj.engine.CheckpointException;
import io.mptj.engine.TensorDType;
import io.mptj.engine.TensorInfo;
import io.mptj.engine.WeightSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WeightStoreTest {

  /** In-memory float tensors; values 0, 1, 2, ... offset by the tensor's index × 100. */
  private static final class MapSource implements WeightSource {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    MapSource put(String name, long... shape) {
      shapes.put(name, shape);
      return this;
    }

    @Override
    public Set<String> names() {
      return shapes.keySet();
    }

    @Override
    public TensorInfo info(String name) {
      long[] s = shapes.get(name);
      return new TensorInfo(name, TensorDType.F32, s, 0, 4 * new Shape(s).size());
    }

    @Override
    public NDArray load(NDManager manager, String name) {
      int offset = 100 * List.copyOf(shapes.keySet()).indexOf(name);
      Shape s = new Shape(shapes.get(name));
      return manager
          .arange(offset, offset + (int) s.size())
          .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
          .reshape(s);
    }

    @Override
    public String describe() {
      return "map";
    }

    @Override
    public void close() {}
  }

  @Test
  void fuseConcatenatesRowsAndKeepsThePartsReadableAsViews() {
    MapSource src =
        new MapSource()
            .put("q.weight", 2, 3)
            .put("q.bias", 2)
            .put("k.weight", 1, 3)
            .put("k.bias", 1);
    WeightStore.build(
        "test",
        src,
        "",
        store -> {
          try (store) {
            Linear q = store.linear("q", 2, 3, true);
            Linear k = store.linear("k", 1, 3, true);
            float[] qw = q.weight().toFloatArray();
            float[] kw = k.weight().toFloatArray();
            Linear fused = store.fuse(List.of(q, k));
            assertEquals("q+k", fused.name());
            assertEquals(new Shape(3, 3), fused.weight().getShape());
            assertEquals(new Shape(3), fused.bias().getShape());
            assertArrayEquals(qw, store.byName().get("q.weight").toFloatArray());
            assertArrayEquals(kw, store.byName().get("k.weight").toFloatArray());
            assertArrayEquals(new float[] {300}, store.byName().get("k.bias").toFloatArray());
            assertEquals(2 * 3 + 2 + 3 + 1, store.parameterCount());
            try (NDManager m = NDManager.newBaseManager()) {
              NDArray x = m.ones(new Shape(1, 3));
              NDArray y = fused.apply(x); // (1, 3)
              assertEquals(0 + 1 + 2 + 100, y.getFloat(0, 0), 1e-4);
              assertEquals(200 + 201 + 202 + 300, y.getFloat(0, 2), 1e-4);
              assertTrue(y.getManager() == m, "the result belongs to the input's manager");
            }
          }
          return null;
        });
  }

  @Test
  void aMisshapedTensorIsNamedAndTheStoreIsClosed() {
    MapSource src = new MapSource().put("w.weight", 2, 3);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> WeightStore.build("test", src, "", store -> store.linear("w", 3, 2, false)));
    assertTrue(e.getMessage().contains("'w.weight'"), e.getMessage());
  }

  @Test
  void prefixIsReadButNotRecorded() {
    MapSource src = new MapSource().put("bert.n.weight", 4).put("bert.n.bias", 4);
    WeightStore.build(
        "test",
        src,
        "bert.",
        store -> {
          try (store) {
            LayerNorm n = store.layerNorm("n", 4, 1e-5f);
            assertEquals("n", n.name());
            assertEquals(Set.of("n.weight", "n.bias"), store.byName().keySet());
          }
          return null;
        });
  }
}
