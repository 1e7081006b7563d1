package io.mptj.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The device every tensor of this process lives on: chosen once ({@code --device cpu|cuda[:N]}, or
 * {@code MPTJ_DEVICE}) before any model is loaded, and read by every root {@link NDManager} the
 * code makes, so that weights, batches, prompts and optimizer state are all created where the run
 * computes and nothing is copied between host and device on the hot path (only what is saved or
 * printed comes back to the host).
 *
 * <p>A CUDA device needs a CUDA build of libtorch: DJL's JNI already carries the CUDA 12.8
 * bindings; point DJL at an installed libtorch with {@code PYTORCH_LIBRARY_PATH}, {@code
 * PYTORCH_VERSION=2.7.1} and {@code PYTORCH_FLAVOR=cu128} (README, "GPU").
 */
public final class Devices {
  private Devices() {}

  private static volatile Device current = fromEnvironment();

  private static Device fromEnvironment() {
    String v = System.getenv("MPTJ_DEVICE");
    return v == null || v.isBlank() ? Device.cpu() : parse(v, "MPTJ_DEVICE");
  }

  /**
   * Parses {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N}.
   *
   * @param source what the value came from, named in the error ({@code --device})
   */
  public static Device parse(String value, String source) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("cpu")) {
      return Device.cpu();
    }
    if (v.equals("cuda") || v.equals("gpu")) {
      return Device.gpu(0);
    }
    if (v.matches("(cuda|gpu):\\d{1,3}")) {
      return Device.gpu(Integer.parseInt(v.substring(v.indexOf(':') + 1)));
    }
    throw new IllegalArgumentException(
        source + " must be cpu, cuda or cuda:N, got '" + value + "'");
  }

  /**
   * Makes {@code device} the run's device, after checking that libtorch sees it.
   *
   * @param source what chose it, named in the error ({@code --device cuda:1})
   * @throws IllegalArgumentException for a CUDA device the loaded libtorch does not have
   */
  public static void use(Device device, String source) {
    if (device.isGpu()) {
      int visible = Engine.getInstance().getGpuCount();
      if (device.getDeviceId() >= visible) {
        throw new IllegalArgumentException(
            source
                + ": libtorch sees "
                + visible
                + " CUDA device(s); a CPU build is loaded unless PYTORCH_LIBRARY_PATH,"
                + " PYTORCH_VERSION and PYTORCH_FLAVOR point at a CUDA libtorch (README, GPU)");
      }
    }
    current = device;
  }

  /** The run's device. */
  public static Device current() {
    return current;
  }

  /** A root manager on the run's device (every tensor it and its sub-managers make lives there). */
  public static NDManager newManager() {
    return NDManager.newBaseManager(current);
  }
}
