#!/usr/bin/env bash
# API key verification benchmark: POST /api/v1/keys/verify (service client, HTTP Basic) with 100
# keys in the store and with 1,000,000, each beside GET /healthz of the same server measured in the
# same rounds, over keep-alive connections (wrk). Prints per-round verifications/s, p50/p99 and the
# ratio to /healthz, the median ratio per size and the ratio of the medians against the issue's
# targets (>= 0.70 of /healthz; 1M keys / 100 keys >= 0.95) with, beside it, the same flatness in
# server CPU per verification (no /healthz in it) and the median of the flatness of each pair of
# neighbouring rounds, the server's time to ready after a start and its RSS at each size.
# Reports; never fails on them.
#
#   bash bench/key_verify.sh          # ~9 minutes on 2 cores (+ seeding)
#
# 1. fresh SQLite database; through the API: a Super Admin, a service client for "submit", one
#    workspace + enterprise product, BENCH_SMALL_KEYS (100) keys; sanity (valid / malformed);
#    the server stops and this small store is kept as a copy;
# 2. adds keys directly to the database up to BENCH_KEYS (1,000,000) in all, spread over
#    BENCH_WORKSPACES (10,000) new workspaces with active products, stored as the server stores
#    them (HMAC-SHA-256 under the server secret); keeps BENCH_SAMPLE (100,000) texts;
# 3. starts a server on the big store and polls /readyz from the process start (ready once the
#    key index is loaded);
# 4. starts a second server on the small store beside it;
# 5. a verify warm-up on each, then BENCH_ROUNDS (5) rounds per size, alternating between the two
#    servers (ABBA), each round: /healthz for half the run time, verify with a key picked at
#    random per request (among the 100 keys; among the sample), /healthz for the other half (the
#    round's ratio uses both halves); each server's VmRSS;
# 6. prints the table.
#
# Knobs: BENCH_ROUNDS (5), BENCH_HTTP_SECONDS (10 per half: each round is 3x that),
# BENCH_WARMUP_SECONDS (20, verify load before the rounds, per server), BENCH_CONNECTIONS
# (64), BENCH_SMALL_KEYS (100), BENCH_KEYS (1000000), BENCH_WORKSPACES (10000), BENCH_SAMPLE
# (100000), BENCH_NO_BUILD=1, BENCH_KEEP=1, BENCH_JSON (write the results there). Any VAULT_*
# variable you export reaches the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
SECONDS_PER_RUN="${BENCH_HTTP_SECONDS:-10}"
CONNS="${BENCH_CONNECTIONS:-64}"
SMALL="${BENCH_SMALL_KEYS:-100}"
KEYS="${BENCH_KEYS:-1000000}"
WORKSPACES="${BENCH_WORKSPACES:-10000}"
SAMPLE="${BENCH_SAMPLE:-100000}"
WARMUP="${BENCH_WARMUP_SECONDS:-20}"
ROUNDS="${BENCH_ROUNDS:-5}"

log() { printf '[key-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bash scripts/bootstrap.sh --test >&2
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building"
  cmake --build build -j2 --target atomyx-vault >&2
fi

source bench/lib.sh
bench_setup_tmp vault-key-bench "database, secret, logs, Lua scripts"

BACKGROUND="$(cpu_busy)"
[ "$BACKGROUND" -gt 10 ] && log "WARNING: the machine is already ${BACKGROUND}% busy; figures will be low"

export VAULT_DATABASE="sqlite:$TMP/vault.db" VAULT_SECRET_FILE="$TMP/secret" VAULT_MAIL_OUTBOX="$TMP/outbox"
export VAULT_DEV=1 VAULT_SMTP_URL= VAULT_IP_RATE_PER_SECOND="${VAULT_IP_RATE_PER_SECOND:-0}"
export VAULT_ARGON2_MEMORY_KIB="${VAULT_ARGON2_MEMORY_KIB:-8192}"
# The bench's Super Admin only sets up a service client; 2FA for it would measure nothing.
export VAULT_SUPER_ADMIN_REQUIRE_2FA=off

wait_ready() {  # $1: process start (epoch seconds) → seconds until /readyz answered 200
  for _ in $(seq 1 12000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" || true)" = 200 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; exit 1; }
    sleep 0.05
  done
  $PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),2))' "$1"
}
server_ticks() { awk '{print $14+$15}' /proc/$SERVER_PID/stat; }
with_cpu() {  # json ticks0 ticks1 → json + the server's CPU microseconds per request
  /usr/bin/python3 -c 'import json,os,sys; j=json.loads(sys.argv[1]); t=int(sys.argv[3])-int(sys.argv[2]);
j["server_cpu_us"]=round(t*1e6/os.sysconf("SC_CLK_TCK")/max(1,j["requests"]),1); print(json.dumps(j))' "$@"
}
warm_up() {  # lua
  # Every sampled key is used at least once, as in a steady state where busy keys were seen
  # within the last minute (last use is recorded once a minute per key).
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$1" "$BASE/api/v1/keys/verify" >/dev/null 2>&1 || true
}
measure() {  # lua → one round's {"healthz": …, "verify": …} appended to $TMP/rounds.jsonl
  local h1 h2 h v t0 t1
  # /healthz for a half just before and a half just after the verify run, so the ratio compares
  # like with like on a VM whose speed drifts by 10-20% within a minute.
  local half="$SECONDS_PER_RUN"
  t0="$(server_ticks)"; h1="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$half")"; t1="$(server_ticks)"
  h1="$(with_cpu "$h1" "$t0" "$t1")"
  t0="$(server_ticks)"
  v="$(wrk_json "$BASE/api/v1/keys/verify" "$1" "$SECONDS_PER_RUN")"
  t1="$(server_ticks)"
  v="$(with_cpu "$v" "$t0" "$t1")"
  t0="$(server_ticks)"; h2="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$half")"; t1="$(server_ticks)"
  h2="$(with_cpu "$h2" "$t0" "$t1")"
  h="$(/usr/bin/python3 -c 'import json,sys; a,b=(json.loads(x) for x in sys.argv[1:3]); n=a["requests"]+b["requests"]
s=a["seconds"]+b["seconds"]; print(json.dumps({"requests":n,"seconds":round(s,3),"rps":round(n/s,2),
"p50_ms":round((a["p50_ms"]+b["p50_ms"])/2,3),"p99_ms":round(max(a["p99_ms"],b["p99_ms"]),3),
"errors":a["errors"]+b["errors"],"non2xx":a["non2xx"]+b["non2xx"],
"server_cpu_us":round((a["server_cpu_us"]*a["requests"]+b["server_cpu_us"]*b["requests"])/max(1,n),1),
"rps_before":a["rps"],"rps_after":b["rps"]}))' "$h1" "$h2")"
  log "   healthz $h"
  log "   verify  $v"
  log "   ratio   $($PY -c 'import json,sys; print(round(json.loads(sys.argv[2])["rps"]/json.loads(sys.argv[1])["rps"],3))' "$h" "$v")"
  echo "{\"healthz\": $h, \"verify\": $v}" >>"$TMP/rounds.jsonl"
}
rss() { awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status; }
# Two servers run side by side (one per store) and their rounds alternate, so the two sizes are
# measured seconds apart on the same VM rather than minutes apart: the flatness then carries no
# drift between phases. use SIZE points measure, server_ticks and rss at that size's server.
use() { if [ "$1" = small ]; then SERVER_PID="$S_PID" BASE="$S_BASE"; else SERVER_PID="$B_PID" BASE="$B_BASE"; fi; }
stop_both() {
  for pid in "${S_PID:-}" "${B_PID:-}"; do SERVER_PID="$pid"; stop_server; done
}
trap 'stop_both; bench_cleanup' EXIT

log "1. fresh database, $SMALL keys through the API"
W0="$(date +%s.%N)"
start_server small
S_READY="$(wait_ready "$W0")"
log "   ready after ${S_READY}s (from process start)"
log "   sanity: $($PY bench/key_verify.py setup --base "$BASE" --vault "$VAULT" --keys "$SMALL" --out "$TMP/setup.json")"
stop_server
# The small store is kept as it is; the big one is the same database with keys added.
$PY -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()' \
  "$TMP/vault.db" "$TMP/small.db"

log "2. seeding $((KEYS - SMALL)) more keys over $WORKSPACES workspaces"
T0="$(date +%s.%N)"
log "   $($PY bench/key_verify.py seed --db "$TMP/vault.db" --secret "$TMP/secret" --keys "$((KEYS - SMALL))" \
      --workspaces "$WORKSPACES" --sample "$SAMPLE" --out "$TMP/sample.json")"
SEED_S="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$T0")"

log "3. $KEYS keys: start, poll /readyz until the key index is loaded"
W0="$(date +%s.%N)"
start_server big
B_PID="$SERVER_PID" B_BASE="$BASE"
READY_S="$(wait_ready "$W0")"
CACHED="$(grep -o '"msg":"API key cache loaded".*"entries":"[0-9]*"' "$TMP/big.log" | sed -E 's/.*"entries":"([0-9]*)".*/\1/' | head -1)"
log "   ready after ${READY_S}s (from process start); ${CACHED:-?} keys loaded; VmRSS $(( $(rss) / 1024 )) MiB"
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --keys "$TMP/sample.json" --out "$TMP/big.lua" >/dev/null
B_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/big.lua")"

log "4. $SMALL keys: the kept store, beside it"
W0="$(date +%s.%N)"
export VAULT_DATABASE="sqlite:$TMP/small.db"
start_server small2
S_PID="$SERVER_PID" S_BASE="$BASE"
wait_ready "$W0" >/dev/null
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --out "$TMP/small.lua" >/dev/null
S_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/small.lua")"

log "5. $ROUNDS rounds per size, alternating (wrk -t2 -c$CONNS, ${SECONDS_PER_RUN}s per half)"
use big; warm_up "$TMP/big.lua"
use small; warm_up "$TMP/small.lua"
: >"$TMP/small.jsonl"; : >"$TMP/big.jsonl"
for r in $(seq 1 "$ROUNDS"); do
  # ABBA order: a drift across a pair of rounds falls on each size alike.
  order="small big"; [ $((r % 2)) = 0 ] && order="big small"
  for size in $order; do
    log "   round $r of $ROUNDS, $size store"
    use "$size"; measure "$TMP/$size.lua"
    tail -1 "$TMP/rounds.jsonl" >>"$TMP/$size.jsonl"
  done
done
as_list() { $PY -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()]))' "$1"; }
S_ROUNDS="$(as_list "$TMP/small.jsonl")" B_ROUNDS="$(as_list "$TMP/big.jsonl")"
use small; S_RSS="$(rss)"
use big; B_RSS="$(rss)"
stop_both

$PY - "$TMP/results.json" <<PYEOF
import json, sys
R = {"conns": $CONNS, "seconds": $SECONDS_PER_RUN, "warmup": $WARMUP, "background": $BACKGROUND,
     "rounds": $ROUNDS,
     "small": {"keys": $SMALL, "rounds": $S_ROUNDS, "mix": $S_MIX, "rss_kib": $S_RSS,
               "ready_s": $S_READY},
     "big": {"keys": $KEYS, "rounds": $B_ROUNDS, "mix": $B_MIX, "rss_kib": $B_RSS,
             "sample": $SAMPLE, "workspaces": $WORKSPACES, "ready_s": $READY_S,
             "cached": ${CACHED:-0}, "seed_s": $SEED_S}}
json.dump(R, open(sys.argv[1], "w"), indent=2)
PYEOF
$PY bench/key_verify.py table --results "$TMP/results.json"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.json" "$BENCH_JSON"
exit 0
