#!/usr/bin/env bash
# Veros-JAX against the Chronos ocean step on the same machine in the same run (issue 5's
# target: a T31 Chronos step in at most a third of Veros-JAX's time). Veros runs its `acc`
# set-up resized to 96×48×15 with matched switches (benches/veros_acc.py lists them).
# Usage: bash benches/compare_veros.sh      (VEROS_VENV=/path to reuse a venv)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VEROS_VENV:-/tmp/verosenv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "veros[jax]==1.7.0" jax==0.10.2 jaxlib==0.10.2
fi
echo "== Veros-JAX (f64, 1 thread)"
OPENBLAS_NUM_THREADS=1 "$venv/bin/python" benches/veros_acc.py 50 2>/dev/null | grep -E "ms per step|^veros"
echo "== Chronos (cargo bench --bench ocean -- t31)"
cargo bench --bench ocean -- t31 2>/dev/null | grep -E "simulated years|parts"
