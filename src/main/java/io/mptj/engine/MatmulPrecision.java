package io.mptj.engine;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The arithmetic of float32 matrix multiplies in this process: exact fp32, or bf16 inside oneDNN.
 *
 * <p>{@link #BF16} is libtorch's own "bf32" mode, the CPU side of PyTorch's {@code
 * torch.set_float32_matmul_precision("medium")}: tensors stay float32 (weights, activations,
 * gradients, optimizer state), and every {@code addmm}/{@code mm}/{@code bmm}/{@code linear} larger
 * than 16³ runs through oneDNN with its fp32 math mode set to bf16 — operands rounded to bf16,
 * products accumulated in fp32 — on the AMX tiles or {@code avx512_bf16} dot products where the CPU
 * has them (libtorch {@code aten/src/ATen/native/mkldnn/Matmul.cpp}, {@code
 * use_mkldnn_bf32_matmul}). Relative error of a product ≈ 2⁻⁸, against ≈ 2⁻²⁴ in fp32. On a CUDA
 * device the same setting allows TF32 in cuBLAS.
 *
 * <p>DJL 0.36 has no binding for the setting (and aborts on bf16 tensors, bench/README.md), so it
 * is set directly on libtorch's {@code at::Context} through the FFM linker: {@code
 * at::globalContext().setFloat32MatmulPrecision(p)}, two exported symbols of {@code
 * libtorch_cpu.so}, the library DJL has already loaded into this process.
 */
public enum MatmulPrecision {
  /**
   * Exact float32 GEMMs (MKL on CPU): libtorch's default, {@code Float32MatmulPrecision::HIGHEST}.
   */
  FP32(0),
  /** float32 tensors, bf16 products in oneDNN: {@code Float32MatmulPrecision::MEDIUM}. */
  BF16(2);

  private static final String CONTEXT = "_ZN2at13globalContextEv";
  private static final String SETTER =
      "_ZN2at7Context25setFloat32MatmulPrecisionENS_22Float32MatmulPrecisionE";

  private static volatile MatmulPrecision current = FP32;
  private static boolean cacheCapped;

  private final int libtorchValue;

  MatmulPrecision(int libtorchValue) {
    this.libtorchValue = libtorchValue;
  }

  /** The setting's spelling ({@code fp32}, {@code bf16}). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code fp32} or {@code bf16}.
   *
   * @param source what the value came from, named in the error ({@code --matmul})
   */
  public static MatmulPrecision parse(String value, String source) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "highest" -> FP32;
      case "bf16", "bfloat16", "medium" -> BF16;
      default ->
          throw new IllegalArgumentException(source + " must be fp32 or bf16, got '" + value + "'");
    };
  }

  /** The precision of this process's matmuls. */
  public static MatmulPrecision current() {
    return current;
  }

  /**
   * Sets the precision of every later matmul of this process (loading libtorch if it is not yet).
   *
   * @throws IllegalStateException where the loaded engine is not libtorch or lacks the setting
   */
  public static synchronized void use(MatmulPrecision p) {
    if (p == current) {
      return;
    }
    try {
      if (p == BF16 && !cacheCapped) {
        Binding.capPrimitiveCache();
        cacheCapped = true;
      }
      Binding.SET.invokeExact(Binding.context(), p.libtorchValue);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("could not set libtorch's matmul precision", t);
    }
    current = p;
  }

  /**
   * Runs {@code body} at precision {@code p} and restores the previous one. The setting is
   * libtorch's, process-wide: matmuls other threads run meanwhile take it too (the benchmarks use
   * this for their fp32 yardstick; a server sets its precision once at start).
   */
  public static <T> T with(MatmulPrecision p, Supplier<T> body) {
    MatmulPrecision before = current;
    use(p);
    try {
      return body.get();
    } finally {
      use(before);
    }
  }

  /**
   * Whether this CPU multiplies bf16 in hardware ({@code amx_bf16} or {@code avx512_bf16} in
   * /proc/cpuinfo); elsewhere oneDNN emulates {@link #BF16}, which is slower than fp32.
   */
  public static boolean hardwareBf16() {
    return cpuFlag("amx_bf16") || cpuFlag("avx512_bf16");
  }

  /**
   * Whether {@link #BF16} is known to pay on this CPU: AMX ({@code amx_bf16}). On AMD Zen 4 ({@code
   * avx512_bf16} without AMX) libtorch 2.7 keeps {@code linear} in fp32 under bf32 and the training
   * step measured 0.81× fp32 (bench/README.md, 2026-12-04).
   */
  public static boolean pays() {
    return cpuFlag("amx_bf16");
  }

  /**
   * Why {@link #BF16} is slower than fp32 on this CPU, or empty where it pays (AMX): the CLI's
   * warning.
   */
  public static Optional<String> slowerHere() {
    if (!hardwareBf16()) {
      return Optional.of(
          "is emulated by oneDNN on a CPU without amx_bf16 or avx512_bf16, and slower than fp32");
    }
    return pays()
        ? Optional.empty()
        : Optional.of(
            "measured slower than fp32 without AMX (amx_bf16): AMD Zen 4 0.81x, libtorch keeps"
                + " linear in fp32 there; see README, Speed");
  }

  /** Whether /proc/cpuinfo's flags hold this whole word. */
  private static boolean cpuFlag(String flag) {
    return (" " + Machine.cpuinfo("flags", "") + " ").contains(" " + flag + " ");
  }

  /** libtorch's two symbols, bound once on first use. */
  private static final class Binding {
    static final MethodHandle CONTEXT_HANDLE;
    static final MethodHandle SET;
    static final MethodHandle SETENV;
    static final String CACHE_CAPACITY = "32";

    static {
      Engine.getInstance(); // loads libtorch
      SymbolLookup lib = SymbolLookup.libraryLookup(libtorchPath(), Arena.global());
      Linker linker = Linker.nativeLinker();
      CONTEXT_HANDLE =
          linker.downcallHandle(symbol(lib, CONTEXT), FunctionDescriptor.of(ValueLayout.ADDRESS));
      SET =
          linker.downcallHandle(
              symbol(lib, SETTER),
              FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
      SETENV =
          linker.downcallHandle(
              linker.defaultLookup().find("setenv").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT,
                  ValueLayout.ADDRESS,
                  ValueLayout.ADDRESS,
                  ValueLayout.JAVA_INT));
    }

    /**
     * Caps oneDNN's primitive cache at {@value #CACHE_CAPACITY} entries (libc {@code setenv}, read
     * by oneDNN when it makes its first primitive; a capacity the user set wins). Its default of
     * 1,024 keeps a primitive and its scratch memory for every GEMM shape seen, and length-grouped
     * batches see many: RTE's epoch at 1,024 peaked 700 MiB higher, at the same speed
     * (bench/README.md).
     */
    static void capPrimitiveCache() throws Throwable {
      try (Arena a = Arena.ofConfined()) {
        int unused =
            (int)
                SETENV.invokeExact(
                    a.allocateFrom("ONEDNN_PRIMITIVE_CACHE_CAPACITY"),
                    a.allocateFrom(CACHE_CAPACITY),
                    0);
      }
    }

    static MemorySegment context() throws Throwable {
      return (MemorySegment) CONTEXT_HANDLE.invokeExact();
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
      return lib.find(name)
          .orElseThrow(() -> new IllegalStateException("libtorch_cpu.so has no symbol " + name));
    }

    /** The libtorch_cpu.so DJL mapped into this process, from /proc/self/maps. */
    private static Path libtorchPath() {
      try {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
            .filter(l -> l.endsWith("/libtorch_cpu.so"))
            .map(l -> Path.of(l.substring(l.indexOf('/'))))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "--matmul needs DJL's PyTorch engine: no libtorch_cpu.so is loaded"));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read /proc/self/maps to find libtorch", e);
      }
    }
  }
}
