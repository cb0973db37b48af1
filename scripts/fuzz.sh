#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan; fuzz/CMakeLists.txt, only the
# parsers' sources; docs/fuzzing.md) in build-fuzz/ and runs each for a bounded time from its
# committed seeds (fuzz/corpus/<target>/, never written to: new inputs go to a temporary copy). Exits non-zero
# when any target crashes, leaks, times out or breaks an invariant; its crash input is kept in
# the temporary directory printed, to replay with `build-fuzz/fuzz_<target> FILE`.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]   # default 20; e.g. 300 for a long local run
#   bash scripts/fuzz.sh --runs N               # N inputs per target from a fixed seed: the
#                                               # same inputs every time (what CI runs)
#   bash scripts/fuzz.sh --build-only           # configure and build, run nothing
#   FUZZ_TARGETS="form jwt_verify" bash scripts/fuzz.sh 60
#   FUZZ_TARGETS=router nice -n 19 bash scripts/fuzz.sh --runs 10000000   # the long run
#
# clang and its fuzzer runtime come from `bash scripts/bootstrap.sh --test`.
set -euo pipefail
cd "$(dirname "$0")/.."

build_only=0
seconds=20
runs=""
case "${1:-}" in
  --build-only) build_only=1 ;;
  --runs)
    runs="${2:-}"
    case "$runs" in "" | *[!0-9]* | 0) echo "usage: scripts/fuzz.sh --runs N" >&2; exit 2 ;; esac ;;
  "") ;;
  *[!0-9]* | 0) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET | --runs N | --build-only]" >&2; exit 2 ;;
  *) seconds="$1" ;;
esac
# Time-bounded runs explore as far as the machine's speed allows; --runs replays exactly the same
# inputs (fixed seed, fixed count), so a pass does not depend on how busy the machine is.
if [ -n "$runs" ]; then
  bound=(-runs="$runs" -seed=1)
  what="$runs runs"
else
  bound=(-max_total_time="$seconds")
  what="${seconds} s"
fi

for tool in clang clang++; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "fuzz.sh: $tool is missing (run bash scripts/bootstrap.sh --test)" >&2; exit 1; }
done
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" \
  -Wno-dev >/dev/null
cmake --build build-fuzz -j2
[ "$build_only" = 1 ] && exit 0

# ASan symbolizes stack traces with llvm-symbolizer; llvm-14 installs it under a versioned name.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null 2>&1 &&
  [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
read -r -a targets <<<"${FUZZ_TARGETS:-$(ls fuzz/corpus | tr '\n' ' ')}"
work=$(mktemp -d "${TMPDIR:-/tmp}/vault-fuzz.XXXXXX")
passed=0
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=fuzz/dict/$t.dict")
  # The first corpus directory receives new inputs: the temporary one; the seeds are read only.
  status=0
  start=$(date +%s)
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "build-fuzz/fuzz_$t" "${bound[@]}" -rss_limit_mb=2048 -timeout=10 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/$t/" "${dict[@]}" \
    "$work/$t/corpus" "fuzz/corpus/$t" >"$work/$t/log" 2>&1 || status=$?
  executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$work/$t/log" | tail -1 || true)
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz: $t ok ($what, ${executed:-?} executed in $(($(date +%s) - start)) s, $cov)"
  else
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $status); log and crash input in $work/$t/"
    grep -E 'ERROR|invariant failed|runtime error|Test unit written' "$work/$t/log" | head -20 || true
    tail -n 40 "$work/$t/log"
  fi
done
echo "fuzz: ${#targets[@]} targets, $what each"
echo "fuzz: $passed passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (kept $work)"
  exit 1
fi
rm -rf "$work"
