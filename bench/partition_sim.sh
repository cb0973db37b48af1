#!/usr/bin/env bash
# Partitioning simulation for ADR 0015: builds bench/partition_sim.cpp (standalone, no project
# libraries, not part of CMake) with g++ -O2 -std=c++20 and runs it at the scaled-down size
# (1M accounts / 100k workspaces / 50 members each; the ADR's target is 100M / 10M) over 4, 8 and
# 16 simulated nodes, then once more with Pareto workspace sizes (balance with a few very large
# workspaces). Prints Markdown tables; never fails on figures. One core, ~1 minute at default size.
#
#   bash bench/partition_sim.sh                       # default size
#   BENCH_ACCOUNTS=100000 BENCH_WORKSPACES=10000 bash bench/partition_sim.sh   # quick
#
# Knobs: BENCH_ACCOUNTS (1000000), BENCH_WORKSPACES (100000), BENCH_MEMBERS (50),
# BENCH_NODES (4,8,16), BENCH_REPLICAS (2), BENCH_PARTITIONS (4096 virtual partitions; 0 =
# rendezvous per workspace), BENCH_QUERIES (2000000), BENCH_SEED (20261130),
# BENCH_SKEW (1: also the Pareto run; 0 skips it). Options: the header of partition_sim.cpp.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${TMPDIR:-/tmp}/atomyx-partition-sim.$$"
trap 'rm -f "$OUT"' EXIT
g++ -O2 -std=c++20 -Wall -Wextra -o "$OUT" "$ROOT/bench/partition_sim.cpp"
ARGS=(--accounts "${BENCH_ACCOUNTS:-1000000}" --workspaces "${BENCH_WORKSPACES:-100000}"
      --members "${BENCH_MEMBERS:-50}" --nodes "${BENCH_NODES:-4,8,16}"
      --replicas "${BENCH_REPLICAS:-2}" --partitions "${BENCH_PARTITIONS:-4096}"
      --queries "${BENCH_QUERIES:-2000000}"
      --seed "${BENCH_SEED:-20261130}")
echo "## uniform workspace sizes"
nice -n 19 "$OUT" "${ARGS[@]}" || echo "(partition_sim exited $?)"
if [ "${BENCH_SKEW:-1}" = 1 ]; then
  echo
  echo "## Pareto workspace sizes (same mean)"
  nice -n 19 "$OUT" "${ARGS[@]}" --skew || echo "(partition_sim exited $?)"
fi
exit 0
