#!/usr/bin/env bash
# Console first-load benchmark (bench/console_load.mjs): builds the binary with the console
# embedded (unless BENCH_NO_BUILD=1), then measures transferred bytes and time to interactive in
# headless Chromium on loopback. Knobs: BENCH_ROUNDS (7), BENCH_JSON (write results there).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  bash scripts/bootstrap.sh --test
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target atomyx-vault
fi
exec node bench/console_load.mjs
