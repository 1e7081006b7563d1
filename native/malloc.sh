# Sourced by ../mptj: preloads a caching allocator for libtorch (issue 14). glibc's malloc hands the
# large tensors of a training step (tens of MB at B = 32) back to the kernel with munmap and maps
# them again on the next step, so a step spends much of its time zeroing fresh pages (sys time about
# half of user); tcmalloc keeps them. Measured with `bench forward`, B = 32, T = 128, P = 100 on a
# 2-core AMD EPYC: forward+backward 1,112-1,193 tok/s with glibc, 1,622-1,666 with tcmalloc,
# 705-853 with jemalloc's defaults (bench/README.md).
#   MPTJ_MALLOC=auto       (default) tcmalloc when its library is installed, else glibc's malloc
#   MPTJ_MALLOC=tcmalloc   tcmalloc; a line on stderr when it is not installed
#   MPTJ_MALLOC=jemalloc   jemalloc (slower here; for comparison)
#   MPTJ_MALLOC=system     glibc's malloc
# With glibc's malloc (system, or auto without tcmalloc) it exports MALLOC_ARENA_MAX=1 unless set.
#   MPTJ_MALLOC_DIRS       where to look for the libraries (default: the system's library folders)
# The choice is exported as MPTJ_ALLOCATOR (the library's path, or "system") for benchmarks to record.

# Prints the path of the first $1 (a file name) in MPTJ_MALLOC_DIRS, or nothing.
mptj_malloc_find() {
  local d
  for d in ${MPTJ_MALLOC_DIRS:-/usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib}; do
    [ -f "$d/$1" ] && { echo "$d/$1"; return; }
  done
  return 0
}

# Prints the library to preload for MPTJ_MALLOC, or nothing for glibc's malloc.
mptj_malloc_library() {
  local lib
  case "${MPTJ_MALLOC:-auto}" in
    auto | "") mptj_malloc_find libtcmalloc_minimal.so.4 ;;
    tcmalloc)
      lib=$(mptj_malloc_find libtcmalloc_minimal.so.4)
      [ -n "$lib" ] || echo "mptj: MPTJ_MALLOC=tcmalloc but libtcmalloc_minimal.so.4 is not installed (Debian: apt-get install libtcmalloc-minimal4); using glibc's malloc" >&2
      echo "$lib"
      ;;
    jemalloc)
      lib=$(mptj_malloc_find libjemalloc.so.2)
      [ -n "$lib" ] || echo "mptj: MPTJ_MALLOC=jemalloc but libjemalloc.so.2 is not installed (Debian: apt-get install libjemalloc2); using glibc's malloc" >&2
      echo "$lib"
      ;;
    system | glibc) ;;
    *) echo "mptj: MPTJ_MALLOC must be auto, tcmalloc, jemalloc or system, not '$MPTJ_MALLOC'; using glibc's malloc" >&2 ;;
  esac
}

# Appends the chosen allocator to LD_PRELOAD (once) and exports MPTJ_ALLOCATOR.
mptj_malloc_apply() {
  local lib
  lib=$(mptj_malloc_library)
  export MPTJ_ALLOCATOR="${lib:-system}"
  if [ -z "$lib" ]; then
    # glibc: one arena. The JVM's threads otherwise each get a secondary arena, whose 64 MiB heaps
    # are mapped and unmapped around the step's large tensors whatever mallopt says (the CLI's
    # M_MMAP_MAX = 0 and trim threshold reach the main arena only): forward at B = 32 ran 3.3x
    # faster with one (bench/README.md, 2026-12-04). A value the user set wins.
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
    return 0
  fi
  # tcmalloc reports every allocation over 1 GiB on stderr; a long run's cache pages are not news
  export TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD="${TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD:-1099511627776}"
  case ":${LD_PRELOAD:-}:" in
    *":$lib:"*) ;;
    *) export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$lib" ;;
  esac
}
