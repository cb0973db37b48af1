#!/usr/bin/env bash
# Overload benchmark (issue 17): every route class at twice its measured capacity, open loop.
# Prints capacity, goodput, p99 of admitted requests, share refused (503/429 + Retry-After),
# peak RSS and recovery time per class (bench/overload.py says how). ~2 minutes on 2 cores.
#
#   bash bench/overload.sh
#
# Knobs: BENCH_CONNECTIONS (32), BENCH_CAPACITY_SECONDS (8), BENCH_OVERLOAD_SECONDS (15),
# BENCH_FACTOR (2), BENCH_CLASSES (inline,inline_first,blocking,hash), BENCH_NO_BUILD=1,
# BENCH_KEEP=1, BENCH_JSON (write the results there). Any VAULT_* variable reaches the server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target atomyx-vault vault_openloop >&2
fi
command -v wrk >/dev/null || { echo "wrk is missing (bash scripts/bootstrap.sh --test)" >&2; exit 1; }
exec /usr/bin/python3 bench/overload.py
