#!/usr/bin/env bash
# Session check benchmark (issue 18, ADR 0016): GET /api/v1/me with "Authorization: Bearer" beside
# GET /healthz of the same server, with BENCH_SESSIONS (1,000,000) sessions of as many accounts
# in the store, on SQLite and on PostgreSQL (a temporary cluster, scripts/pg-temp.sh). Prints
# rate, p50/p99, the ratio to /healthz (median of BENCH_ROUNDS rounds) against the issue's target
# (≥ 0.70), the server's RSS and its time to ready after a start. Reports; never fails on them.
#
#   bash bench/session_check.sh                          # ~10 minutes on 2 cores
#   BENCH_SESSIONS=100000 BENCH_BACKENDS=sqlite bash bench/session_check.sh
#
# Per backend:
# 1. fresh database; through the API a Super Admin signs in (bearer), /me answers 200;
# 2. the server stops; BENCH_SESSIONS accounts with one session each are added directly to the
#    database, stored as the server stores them (token hash: HMAC-SHA-256 under the server
#    secret); BENCH_SAMPLE (100,000) tokens are kept for the load;
# 3. restart, polling /readyz until it answers 200 (the session cache loads in bulk meanwhile);
# 4. a /me warm-up walking the sample (again while a walk still reads the database), then
#    tokens drawn at random from the sample, then BENCH_ROUNDS rounds of:
#    /healthz for half of BENCH_HTTP_SECONDS, /me for BENCH_HTTP_SECONDS, /healthz for the other
#    half (the ratio uses both halves, so a VM's drift hits both sides alike);
# 5. the server's VmRSS and its session metrics.
#
# Knobs: BENCH_SESSIONS (1000000), BENCH_SAMPLE (100000), BENCH_ROUNDS (3), BENCH_HTTP_SECONDS
# (10), BENCH_WARMUP_SECONDS (20), BENCH_CONNECTIONS (64), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_NO_BUILD=1, BENCH_KEEP=1, BENCH_JSON (write the results there). Any VAULT_* variable you
# export reaches the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
SECONDS_PER_RUN="${BENCH_HTTP_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-64}"
SESSIONS="${BENCH_SESSIONS:-1000000}"
SAMPLE="${BENCH_SAMPLE:-100000}"
ROUNDS="${BENCH_ROUNDS:-3}"
WARMUP="${BENCH_WARMUP_SECONDS:-20}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
[ "$SAMPLE" -gt "$SESSIONS" ] && SAMPLE="$SESSIONS"

log() { printf '[session-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building"
  cmake --build build -j2 --target atomyx-vault >&2
fi

source bench/lib.sh
bench_setup_tmp vault-session-bench "databases, secrets, logs, Lua scripts"
PG_DIR=""
stop_pg() { [ -n "$PG_DIR" ] && bash scripts/pg-temp.sh stop "$PG_DIR" >&2 || true; PG_DIR=""; }
trap 'stop_pg; bench_cleanup' EXIT

BACKGROUND="$(cpu_busy)"
[ "$BACKGROUND" -gt 10 ] && log "WARNING: the machine is already ${BACKGROUND}% busy; figures will be low"

export VAULT_MAIL_OUTBOX="$TMP/outbox" VAULT_DEV=1 VAULT_SMTP_URL=
export VAULT_IP_RATE_PER_SECOND="${VAULT_IP_RATE_PER_SECOND:-0}"
export VAULT_ARGON2_MEMORY_KIB="${VAULT_ARGON2_MEMORY_KIB:-8192}"
export VAULT_SUPER_ADMIN_REQUIRE_2FA=off  # the bench's account only reads /me

rss() { awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status; }
metric() { curl -s "$BASE/metrics" | awk -v n="$1" '$1 == n {print $2}' | head -1; }
wait_ready() {  # prints seconds from $1 (a start time) until /readyz answers 200
  for _ in $(seq 1 12000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ] && break
    sleep 0.05
  done
  $PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),2))' "$1"
}
half_merge() {  # two /healthz halves → one
  $PY -c 'import json,sys; a,b=(json.loads(x) for x in sys.argv[1:3]); n=a["requests"]+b["requests"]
s=a["seconds"]+b["seconds"]; print(json.dumps({"requests":n,"seconds":round(s,3),"rps":round(n/s,2),
"p50_ms":round((a["p50_ms"]+b["p50_ms"])/2,3),"p99_ms":round(max(a["p99_ms"],b["p99_ms"]),3),
"errors":a["errors"]+b["errors"],"non2xx":a["non2xx"]+b["non2xx"],"rps_before":a["rps"],"rps_after":b["rps"]}))' "$@"
}

RESULTS="[]"
for BACKEND in $BACKENDS; do
  D="$TMP/$BACKEND"; mkdir -p "$D"
  export VAULT_SECRET_FILE="$D/secret"
  if [ "$BACKEND" = postgres ]; then
    PG_DIR="$(mktemp -d /tmp/vault-pg.XXXXXX)"
    export VAULT_DATABASE="$(bash scripts/pg-temp.sh start "$PG_DIR" | tail -1)"
  else
    export VAULT_DATABASE="sqlite:$D/vault.db"
  fi
  log "[$BACKEND] 1. fresh database, a Super Admin through the API"
  start_server "$BACKEND-setup"
  log "   $($PY bench/session_check.py setup --base "$BASE" --vault "$VAULT" --out "$D/setup.json")"
  stop_server

  log "[$BACKEND] 2. seeding $SESSIONS accounts and sessions"
  T0="$(date +%s.%N)"
  log "   $($PY bench/session_check.py seed --database "$VAULT_DATABASE" --secret "$D/secret" \
        --setup "$D/setup.json" --sessions "$SESSIONS" --sample "$SAMPLE" --out "$D/tokens.json")"
  SEED_S="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$T0")"
  $PY bench/session_check.py lua --tokens "$D/tokens.json" --out "$D/me.lua" >/dev/null
  cat "$TMP/report.lua" >>"$D/me.lua"
  $PY bench/session_check.py lua --walk --tokens "$D/tokens.json" --out "$D/walk.lua" >/dev/null

  log "[$BACKEND] 3. restart, wait for /readyz"
  S0="$(date +%s.%N)"
  start_server "$BACKEND"
  READY_S="$(wait_ready "$S0")"
  CACHED="$(metric vault_sessions_cached)"
  log "   ready after ${READY_S}s, ${CACHED} sessions in memory"
  MIX="$($PY bench/session_check.py sample --base "$BASE" --tokens "$D/tokens.json")"
  log "   status mix: $MIX"

  log "[$BACKEND] 4. warm-up ${WARMUP}s, then $ROUNDS rounds of wrk -t2 -c$CONNS -d${SECONDS_PER_RUN}s"
  # The warm-up walks the sample (every token once: its account's profile is then in memory, as
  # for an account active in the last minutes), then draws at random like the measured runs.
  # A walk is repeated (up to 5 times) while it still reads the database: on a slow machine
  # one walk of BENCH_WARMUP_SECONDS may not reach every token, and the profiles it left would
  # be read during the measured rounds instead.
  READS0=0
  for walk in 1 2 3 4 5; do
    wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$D/walk.lua" "$BASE/api/v1/me" >/dev/null 2>&1 || true
    before="$READS0"
    READS0="$(metric vault_session_db_reads_total)"
    log "   warm-up walk $walk: ${READS0:-0} session authentications have read the database"
    [ "${READS0:-0}" = "$before" ] && break
  done
  wrk -t2 -c"$CONNS" -d"5s" -s "$D/me.lua" "$BASE/api/v1/me" >/dev/null 2>&1 || true
  READS0="$(metric vault_session_db_reads_total)"
  log "   after the warm-up: $READS0 session authentications read the database"
  half=$(( (SECONDS_PER_RUN + 1) / 2 ))
  ROUND_JSON="[]"
  for i in $(seq 1 "$ROUNDS"); do
    h1="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$half")"
    m="$(wrk_json "$BASE/api/v1/me" "$D/me.lua" "$SECONDS_PER_RUN")"
    h2="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$half")"
    h="$(half_merge "$h1" "$h2")"
    log "   round $i: healthz $h"
    log "   round $i: me      $m"
    ROUND_JSON="$($PY -c 'import json,sys; r=json.loads(sys.argv[1]); r.append({"healthz":json.loads(sys.argv[2]),"me":json.loads(sys.argv[3])}); print(json.dumps(r))' "$ROUND_JSON" "$h" "$m")"
  done
  READS1="$(metric vault_session_db_reads_total)"
  BYTES="$(metric vault_session_cache_bytes)"
  RSS_KIB="$(rss)"
  stop_server
  stop_pg
  RESULTS="$($PY -c 'import json,sys; r=json.loads(sys.argv[1]); r.append(json.loads(sys.argv[2])); print(json.dumps(r))' "$RESULTS" \
    "{\"backend\":\"$BACKEND\",\"sessions\":$SESSIONS,\"rounds\":$ROUND_JSON,\"rss_kib\":$RSS_KIB,\"ready_s\":$READY_S,\"cached\":${CACHED:-0},\"cache_bytes\":${BYTES:-0},\"db_reads\":$(( ${READS1:-0} - ${READS0:-0} )),\"mix\":$MIX,\"seed_s\":$SEED_S}")"
done

$PY - "$TMP/results.json" "$RESULTS" <<PYEOF
import json, sys
json.dump({"conns": $CONNS, "seconds": $SECONDS_PER_RUN, "warmup": $WARMUP, "sample": $SAMPLE,
           "background": $BACKGROUND, "backends": json.loads(sys.argv[2])},
          open(sys.argv[1], "w"), indent=2)
PYEOF
$PY bench/session_check.py table --results "$TMP/results.json"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.json" "$BENCH_JSON"
exit 0
