#!/usr/bin/env bash
# OpenID Connect benchmark (issue 15): the same grants from panva's oidc-provider (npm, pinned in
# bench/oidc/package-lock.json) and from Vault, in one run on this machine, each measured with
# wrk on loopback back to back; prints per-second rates and the ratio Vault ÷ oidc-provider
# against the aim of 4x. Reports; never fails on a timing.
#
#   bash bench/oidc.sh                     # ~3 minutes on 2 cores (after the build)
#   BENCH_VAULT_BIN=/path/to/atomyx-vault bash bench/oidc.sh   # measure that binary, no build
#
# 1. npm ci in bench/oidc (only when its lock file changed); builds atomyx-vault unless
#    BENCH_NO_BUILD=1 or BENCH_VAULT_BIN is set;
# 2. Vault on a fresh SQLite database (127.0.0.1:0) and bench/oidc/provider.mjs (127.0.0.1:0);
# 3. bench/oidc/bench.mjs: on Vault a Super Admin (CLI), a confidential client with a redirect
#    URI, a person with a workspace, a product of the client's type, a grant and a session; on
#    oidc-provider one sign-in + consent through its bench interaction route, leaving a session;
#    sanity: one answer of each kind on each, tokens verified with jose against the JWKS;
# 4. for each row: oidc-provider, then Vault, wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS after a
#    warm-up: discovery (the HTTP floor), client credentials, introspection, refresh (chains that
#    rotate), the whole code + PKCE flow. Refresh and the flow run on Vault only when its
#    discovery lists authorization_endpoint ("not available on this build" otherwise).
#
# Knobs: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_ROWS (floor,cc,introspect,refresh,flow), BENCH_NO_BUILD=1, BENCH_VAULT_BIN, BENCH_DB_DIR
# (Vault's database folder, e.g. /dev/shm), BENCH_KEEP=1, BENCH_JSON (write the results there). Any
# VAULT_* variable you export reaches Vault. See docs/benchmarks.md for how equal the two setups are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
CONNS="${BENCH_CONNECTIONS:-64}"

log() { printf '[oidc-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if ! command -v wrk >/dev/null || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  bash scripts/bootstrap.sh --test >&2
fi
if [ -z "${BENCH_VAULT_BIN:-}" ] && [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building"
  bash scripts/bootstrap.sh >&2
  cmake --build build -j2 --target atomyx-vault >&2
fi

# oidc-provider and jose, exactly as locked; re-installed only when the lock file changed.
lock_sum="$(sha256sum bench/oidc/package-lock.json | cut -d' ' -f1)"
if [ "$(cat bench/oidc/node_modules/.bench-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  log "npm ci in bench/oidc"
  (cd bench/oidc && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$lock_sum" >bench/oidc/node_modules/.bench-lock-sha256
fi

source bench/lib.sh
bench_setup_tmp vault-oidc-bench "database, secret, logs, Lua scripts"
OP_PID=""
DB_DIR=""
stop_op() {
  if [ -n "$OP_PID" ] && kill -0 "$OP_PID" 2>/dev/null; then
    kill -TERM "$OP_PID" 2>/dev/null || true
    wait "$OP_PID" 2>/dev/null || true
  fi
  OP_PID=""
}
trap 'stop_op; bench_cleanup; if [ -n "$DB_DIR" ] && [ "$DB_DIR" != "$TMP" ]; then rm -rf "$DB_DIR"; fi' EXIT

BACKGROUND="$(cpu_busy)"
[ "$BACKGROUND" -gt 10 ] && log "WARNING: the machine is already ${BACKGROUND}% busy; figures will be low"

# BENCH_DB_DIR=/dev/shm puts Vault's SQLite database on tmpfs, where fsync costs nothing: the
# difference to a normal run is what the durable commit of each token issue costs.
DB_DIR="$TMP"
if [ -n "${BENCH_DB_DIR:-}" ]; then DB_DIR="$(mktemp -d "$BENCH_DB_DIR/vault-oidc-bench-db.XXXXXX")"; fi
export VAULT_DATABASE="sqlite:$DB_DIR/vault.db" VAULT_SECRET_FILE="$TMP/secret" VAULT_MAIL_OUTBOX="$TMP/outbox"
export VAULT_DEV=1 VAULT_SMTP_URL= VAULT_IP_RATE_PER_SECOND="${VAULT_IP_RATE_PER_SECOND:-0}"
export VAULT_ARGON2_MEMORY_KIB="${VAULT_ARGON2_MEMORY_KIB:-8192}"
# The bench's Super Admin only sets up a service client; 2FA for it would measure nothing.
export VAULT_SUPER_ADMIN_REQUIRE_2FA=off
start_server vault

NODE_ENV=production node bench/oidc/provider.mjs >"$TMP/op.log" 2>"$TMP/op.err" &
OP_PID=$!
OP_INFO=""
for _ in $(seq 1 200); do
  OP_INFO="$(grep -m1 '^{"listening"' "$TMP/op.log" 2>/dev/null || true)"
  [ -n "$OP_INFO" ] && break
  kill -0 "$OP_PID" 2>/dev/null || { cat "$TMP/op.err" >&2; echo "oidc-provider exited" >&2; exit 1; }
  sleep 0.05
done
[ -n "$OP_INFO" ] || { cat "$TMP/op.err" >&2; echo "oidc-provider did not start" >&2; exit 1; }
log "oidc-provider $(node -p 'require("./bench/oidc/node_modules/oidc-provider/package.json").version') (pid $OP_PID), Node $(node --version)"

VAULT_BASE="$BASE" VAULT_PID="$SERVER_PID" VAULT_BIN="$VAULT" VAULT_LOG="$TMP/vault.log" \
  OP_INFO="$OP_INFO" BENCH_TMP="$TMP" BENCH_CONNECTIONS="$CONNS" \
  node bench/oidc/bench.mjs
log "other processes: ${BACKGROUND}% of the CPUs before the run"
