#!/usr/bin/env bash
# Regenerates the boundary data from the pinned offline sources twice and requires both runs
# to reproduce models/data/SHA256SUMS bit for bit:
#   1. "native":  numpy and OpenBLAS as they run on this CPU;
#   2. "limited": as on an older CPU: numpy's dispatched SIMD code switched off
#      (NPY_DISABLE_CPU_FEATURES = every target this CPU has among those numpy dispatches to:
#      X86_V3 = AVX2/FMA3, X86_V4 = AVX-512 F/CD/BW/DQ/VL (SKX), AVX512_ICL, AVX512_SPR in
#      numpy 2.4; numpy 1.x used the names AVX512F AVX512_SKX AVX2 FMA3) and OpenBLAS forced
#      to its oldest x86-64 kernels (OPENBLAS_CORETYPE=Prescott).
# A difference is printed per file and variable with its size and place
# (compare_boundary_data.py). About 60 MB of downloads (skipped when BOUNDARY_SOURCES names a
# directory filled by fetch_sources.sh) and two generator runs of ~15-20 s each.
# Usage: [PYTHON=venv-data/bin/python] [BOUNDARY_SOURCES=DIR] bash models/data/check_regeneration.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-venv-data/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=${BOUNDARY_SOURCES:-}
if [ -z "$src" ] || [ ! -d "$src" ]; then
  src="$tmp/sources"
  PYTHON="$PY" bash models/data/fetch_sources.sh "$src" >/dev/null
fi

# numpy's dispatch targets present on this CPU (the baseline, X86_V2 in numpy 2.4, cannot be
# disabled: numpy refuses to start).
probe='
try:
    from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f
except ImportError:
    from numpy.core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f
print(" ".join(k for k in d if f.get(k)))'
features=$(env -u NPY_DISABLE_CPU_FEATURES "$PY" -c "$probe" 2>/dev/null) || {
  echo "boundary data: could not ask numpy for its SIMD targets; the limited run keeps them" >&2
  features=""
}
limited=()
if [ -n "$features" ]; then
  # numpy only warns (ImportWarning, hidden by default) about a name it does not dispatch;
  # make that an error so that a name numpy ignores is noticed, and check what is left.
  if left=$(NPY_DISABLE_CPU_FEATURES="$features" "$PY" -W error::ImportWarning -c "$probe" 2>&1); then
    echo "boundary data: limited run: NPY_DISABLE_CPU_FEATURES=\"$features\" (numpy SIMD targets left: ${left:-none})"
    limited+=("NPY_DISABLE_CPU_FEATURES=$features")
  else
    echo "boundary data: numpy refused NPY_DISABLE_CPU_FEATURES=\"$features\" ($(echo "$left" | tr '\n' ' ')); the limited run keeps numpy's SIMD code" >&2
  fi
else
  echo "boundary data: numpy dispatches no SIMD target on this CPU beyond its baseline; the limited run only changes OpenBLAS's kernel"
fi
if [ "$(uname -m)" = x86_64 ]; then
  limited+=("OPENBLAS_CORETYPE=Prescott")
fi

status=0
for run in native limited; do
  out="$tmp/$run"
  if [ "$run" = native ]; then
    envs=(-u NPY_DISABLE_CPU_FEATURES -u OPENBLAS_CORETYPE)
  else
    envs=("${limited[@]}")
  fi
  if ! env "${envs[@]}" "$PY" models/data/make_boundary_data.py --sources "$src" --out "$out" \
      >"$tmp/$run.log" 2>&1; then
    cat "$tmp/$run.log" >&2
    echo "boundary data: the generator failed ($run run)" >&2
    exit 1
  fi
  if ! "$PY" models/data/compare_boundary_data.py "$out" --label "boundary data ($run)"; then
    status=1
  fi
done
if [ "$status" != 0 ]; then
  echo "boundary data: regenerated files differ from the committed ones (see above)" >&2
  exit 1
fi
