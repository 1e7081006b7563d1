/*
 * MKL shim for non-Intel x86 CPUs.
 *
 * The MKL linked into libtorch's CPU build asks mkl_serv_intel_cpu_true() whether it runs on an
 * Intel CPU and, when it does not (AMD, Hygon), dispatches its GEMMs to a generic code path instead
 * of the AVX2/AVX-512 kernels the CPU supports. libtorch_cpu.so calls the function through its PLT,
 * so a library preloaded with LD_PRELOAD that defines it wins. Measured on a 2-core AMD EPYC:
 * `mptj bench forward` (MiniLM, B=16, T=128, P=100) 1,448 -> 2,758 tokens/s, 171 -> 414 GFLOP/s.
 *
 * Built by ../mptj into target/native/libmptj_mkl_shim.so (cc -shared -fPIC -O2) and preloaded on
 * non-Intel CPUs; MPTJ_MKL_SHIM=0 turns it off, MPTJ_MKL_SHIM=1 forces it (see native/mkl-shim.sh).
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
