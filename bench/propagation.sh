#!/usr/bin/env bash
# Change propagation between nodes (issue 17, ADR 0005): three `serve` processes on one temporary
# PostgreSQL; node 1 revokes BENCH_CHANGES (200) API keys one at a time, and nodes 2 and 3 each
# verify the key in a tight loop until they answer "revoked". Prints p50/p99/max of the delay
# from node 1's 204 to each node's first "revoked", once with LISTEN/NOTIFY (the default) and
# once with VAULT_CHANGE_NOTIFY=off (the nodes only poll the change feed, every 250 ms), side by
# side. Reports; never fails on a figure.
#
#   bash bench/propagation.sh          # ~2 minutes on 2 cores after the build
#
# Knobs: BENCH_CHANGES (200), BENCH_POLL_MS (1: the pause between two verifications of a
# watching thread), BENCH_JITTER_MS (250: the most of the random pause before each
# revocation), BENCH_NO_BUILD=1, BENCH_KEEP=1, BENCH_JSON (write the results
# there). Any VAULT_* variable you export reaches the servers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
CHANGES="${BENCH_CHANGES:-200}"

log() { printf '[propagation %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bash scripts/bootstrap.sh --test >&2
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building"
  cmake --build build -j2 --target atomyx-vault >&2
fi

source bench/lib.sh
bench_setup_tmp vault-propagation "logs, secret, results"
PG_DIR="$(mktemp -d /tmp/vault-propagation-pg.XXXXXX)"
cleanup_all() {
  bash scripts/pg-temp.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  bench_cleanup
}
trap cleanup_all EXIT

BACKGROUND="$(cpu_busy)"
[ "$BACKGROUND" -gt 10 ] && log "WARNING: the machine is already ${BACKGROUND}% busy; figures will be high"

PG_URL="$(bash scripts/pg-temp.sh start "$PG_DIR" | tail -1)"
log "PostgreSQL at $PG_URL"
export VAULT_SECRET_FILE="$TMP/secret" VAULT_MAIL_OUTBOX="$TMP/outbox"
export VAULT_DEV=1 VAULT_SMTP_URL= VAULT_IP_RATE_PER_SECOND="${VAULT_IP_RATE_PER_SECOND:-0}"
export VAULT_ARGON2_MEMORY_KIB="${VAULT_ARGON2_MEMORY_KIB:-8192}"
export VAULT_SUPER_ADMIN_REQUIRE_2FA=off  # the bench's Super Admin only sets up a service client

: >"$TMP/results.jsonl"
for mode in on off; do
  db="bench_notify_$mode"
  psql "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  export VAULT_DATABASE="${PG_URL%/*}/$db" VAULT_CHANGE_NOTIFY="$mode"
  label="NOTIFY on"; [ "$mode" = off ] && label="NOTIFY off (250 ms poll)"
  log "VAULT_CHANGE_NOTIFY=$mode: $CHANGES revocations on node 1, watched on nodes 2 and 3"
  $PY bench/propagation.py run --vault "$VAULT" --dir "$TMP" --changes "$CHANGES" \
      --poll-ms "${BENCH_POLL_MS:-1}" --jitter-ms "${BENCH_JITTER_MS:-250}" --label "$label" | tee -a "$TMP/results.jsonl" >&2
done

echo
echo "Propagation of an API key revocation from node 1 to nodes 2 and 3 ($(nproc) cores, PostgreSQL $(psql "$PG_URL" -tAc 'SHOW server_version' | cut -d' ' -f1))"
$PY bench/propagation.py table --results "$TMP/results.jsonl"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.jsonl" "$BENCH_JSON"
exit 0
