#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test (unit and integration, on SQLite and
# PostgreSQL, browser, and the fuzz targets for a bounded time). Works as root or as a sudo user on a fresh Debian 12. Extra arguments go to ctest
# (e.g. `bash scripts/test.sh -R it_`). Exits with ctest's status.
#
# Unless VAULT_TEST_PG_URL is already set, a throw-away PostgreSQL 15 cluster is started for the
# run (scripts/pg-temp.sh) and always stopped and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh --test

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    bash scripts/pg-temp.sh stop "$pg_dir" || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}"
cmake --build build -j2
# The libFuzzer targets (fuzz/, clang) are built here, before ctest runs them in parallel with
# other tests (fuzz_parsers), so that test spends its time fuzzing, not compiling.
bash scripts/fuzz.sh --build-only

if [ -z "${VAULT_TEST_PG_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/vault-pg.XXXXXX)
  VAULT_TEST_PG_URL=$(bash scripts/pg-temp.sh start "$pg_dir")
  export VAULT_TEST_PG_URL
fi
echo "test.sh: PostgreSQL for the tests: $VAULT_TEST_PG_URL"

status=0
ctest --test-dir build --output-on-failure -j2 "$@" || status=$?
exit "$status"
