# Sourced by ../mptj: builds and applies the MKL shim (mkl_shim.c) through LD_PRELOAD.
#   MPTJ_MKL_SHIM=0     never apply it
#   MPTJ_MKL_SHIM=1     apply it whatever the CPU (for testing on Intel)
#   unset or "auto"     apply it when /proc/cpuinfo's vendor_id is an x86 vendor other than Intel
#   MPTJ_CPUINFO=FILE   read FILE instead of /proc/cpuinfo (tests)
#   CC                  the C compiler (default cc)

# The first vendor_id of the CPU information file, or nothing (e.g. on ARM, which has none).
mptj_cpu_vendor() {
  local info="${MPTJ_CPUINFO:-/proc/cpuinfo}"
  [ -r "$info" ] || return 0
  sed -n '/^vendor_id[[:space:]]*:/{s/^vendor_id[[:space:]]*:[[:space:]]*//p;q;}' "$info"
}

# Prints "yes" or "no": whether the shim should be applied, from MPTJ_MKL_SHIM and the vendor.
mptj_mkl_shim_wanted() {
  case "${MPTJ_MKL_SHIM:-auto}" in
    0 | no | off | false) echo no; return ;;
    1 | yes | on | true) echo yes; return ;;
    auto | "") ;;
    *)
      echo "mptj: MPTJ_MKL_SHIM must be 0, 1 or auto, not '$MPTJ_MKL_SHIM'" >&2
      echo no
      return
      ;;
  esac
  local vendor
  vendor=$(mptj_cpu_vendor)
  if [ -n "$vendor" ] && [ "$vendor" != GenuineIntel ]; then echo yes; else echo no; fi
}

# Builds $2 (the shared library) from $1 (mkl_shim.c) unless it is newer; prints its path, or
# nothing (and one line on stderr) when no C compiler is found or the build fails.
mptj_mkl_shim_build() {
  local src="$1" lib="$2" cc="${CC:-cc}"
  if [ -f "$lib" ] && [ "$lib" -nt "$src" ]; then
    echo "$lib"
    return
  fi
  if ! command -v "$cc" > /dev/null 2>&1; then
    echo "mptj: CPU vendor is '$(mptj_cpu_vendor)', so libtorch's MKL takes its slow path; no C compiler ($cc) to build the shim that fixes that (install one, or set MPTJ_MKL_SHIM=0 to silence this)" >&2
    return
  fi
  mkdir -p "$(dirname "$lib")"
  if ! "$cc" -shared -fPIC -O2 -o "$lib.tmp" "$src" >&2; then
    echo "mptj: could not build the MKL shim from $src with $cc; running without it" >&2
    rm -f "$lib.tmp"
    return
  fi
  mv -f "$lib.tmp" "$lib"
  echo "$lib"
}

# Applies the shim to this process's children (LD_PRELOAD) when wanted; $1 is the project root.
mptj_mkl_shim_apply() {
  local root="$1" lib
  [ "$(mptj_mkl_shim_wanted)" = yes ] || return 0
  lib=$(mptj_mkl_shim_build "$root/native/mkl_shim.c" "$root/target/native/libmptj_mkl_shim.so")
  [ -n "$lib" ] || return 0
  case ":${LD_PRELOAD:-}:" in
    *":$lib:"*) ;;
    *) export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}" ;;
  esac
}
