package io.mptj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.mptj.testing.CompiledCalls;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The run's device: its parsing, its check against libtorch, and that every root manager uses it.
 */
class DevicesTest {

  @Test
  void parsesCpuCudaAndCudaN() {
    assertEquals(Device.cpu(), Devices.parse("cpu", "--device"));
    assertEquals(Device.gpu(0), Devices.parse("cuda", "--device"));
    assertEquals(Device.gpu(3), Devices.parse("CUDA:3", "--device"));
    var e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu", "--device"));
    assertTrue(e.getMessage().startsWith("--device must be cpu, cuda or cuda:N"), e.getMessage());
  }

  @Test
  void aCudaDeviceLibtorchDoesNotSeeIsRefusedAndTheDeviceStays() {
    Device before = Devices.current();
    int visible = Engine.getInstance().getGpuCount();
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Devices.use(Device.gpu(visible), "--device cuda:" + visible));
    assertTrue(e.getMessage().contains("--device cuda:" + visible), e.getMessage());
    assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
    assertEquals(before, Devices.current());
  }

  @Test
  void managersAreMadeOnTheRunsDevice() {
    try (NDManager m = Devices.newManager();
        NDManager sub = m.newSubManager()) {
      assertEquals(Devices.current(), m.getDevice());
      assertEquals(Devices.current(), sub.create(new float[] {1, 2}).getDevice());
    }
  }

  /**
   * No main class but {@link Devices} makes a root manager itself: a {@code newBaseManager} call
   * elsewhere would put its tensors on DJL's default device instead of the run's.
   */
  @Test
  void noOtherCodeMakesARootManager() throws Exception {
    List<String> found =
        CompiledCalls.find(
            i ->
                i.owner().asInternalName().equals("ai/djl/ndarray/NDManager")
                    && i.name().stringValue().equals("newBaseManager"),
            Set.of("io/mptj/engine/Devices"));
    assertEquals(List.of(), found, "make root managers with io.mptj.engine.Devices.newManager()");
  }
}
