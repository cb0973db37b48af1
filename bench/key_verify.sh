#!/usr/bin/env bash
# API key verification benchmark: POST /api/v1/keys/verify (service client, HTTP Basic) with 100
# keys in the store and with 1,000,000, each beside GET /healthz of the same server measured in the
# same rounds, over keep-alive connections (wrk). Prints per-round verifications/s, p50/p99 and the
# ratio to /healthz, the median ratio per size and the ratio of the medians against the issue's
# targets (>= 0.70 of /healthz; 1M keys / 100 keys >= 0.95) with, beside it, the same flatness in
# server CPU per verification (no /healthz in it, so no drift between the two phases), the
# server's time to ready after a restart and its RSS at each size. Reports; never fails on them.
#
#   bash bench/key_verify.sh          # ~6 minutes on 2 cores (+ seeding)
#
# 1. fresh SQLite database; through the API: a Super Admin, a service client for "submit", one
#    workspace + enterprise product, BENCH_SMALL_KEYS (100) keys; sanity (valid / malformed);
# 2. a verify warm-up, then BENCH_ROUNDS (3) rounds of: /healthz for half the run time, verify
#    with a key picked at random per request among those keys, /healthz for the other half (the
#    round's ratio uses both halves); the server's VmRSS;
# 3. stops the server, adds keys directly to the database up to BENCH_KEYS (1,000,000) in all,
#    spread over BENCH_WORKSPACES (10,000) new workspaces with active products, stored as the
#    server stores them (HMAC-SHA-256 under the server secret); keeps BENCH_SAMPLE (100,000) texts;
# 4. restarts and polls /readyz from the process start (ready once the key index is loaded), then
#    as in 2 with keys drawn at random from the sample;
# 5. prints the table.
#
# Knobs: BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (10 per half: each round is 2x that),
# BENCH_WARMUP_SECONDS (20, verify load before the first round of each size), BENCH_CONNECTIONS
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
ROUNDS="${BENCH_ROUNDS:-3}"

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
rounds() {  # lua → a JSON list of the rounds
  : >"$TMP/rounds.jsonl"
  warm_up "$1"
  for r in $(seq 1 "$ROUNDS"); do
    log "   round $r of $ROUNDS"
    measure "$1"
  done
  $PY -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()]))' "$TMP/rounds.jsonl"
}
rss() { awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status; }

log "1. fresh database, $SMALL keys through the API"
W0="$(date +%s.%N)"
start_server small
S_READY="$(wait_ready "$W0")"
log "   ready after ${S_READY}s (from process start)"
log "   sanity: $($PY bench/key_verify.py setup --base "$BASE" --vault "$VAULT" --keys "$SMALL" --out "$TMP/setup.json")"
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --out "$TMP/small.lua" >/dev/null
S_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/small.lua")"
log "2. $SMALL keys: $ROUNDS rounds of wrk -t2 -c$CONNS, ${SECONDS_PER_RUN}s per half"
S_ROUNDS="$(rounds "$TMP/small.lua")"
S_RSS="$(rss)"
stop_server

log "3. seeding $((KEYS - SMALL)) more keys over $WORKSPACES workspaces"
T0="$(date +%s.%N)"
log "   $($PY bench/key_verify.py seed --db "$TMP/vault.db" --secret "$TMP/secret" --keys "$((KEYS - SMALL))" \
      --workspaces "$WORKSPACES" --sample "$SAMPLE" --out "$TMP/sample.json")"
SEED_S="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$T0")"

log "4. $KEYS keys: restart, poll /readyz until the key index is loaded"
W0="$(date +%s.%N)"
start_server big
READY_S="$(wait_ready "$W0")"
CACHED="$(grep -o '"msg":"API key cache loaded".*"entries":"[0-9]*"' "$TMP/big.log" | sed -E 's/.*"entries":"([0-9]*)".*/\1/' | head -1)"
log "   ready after ${READY_S}s (from process start); ${CACHED:-?} keys loaded; VmRSS $(( $(rss) / 1024 )) MiB"
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --keys "$TMP/sample.json" --out "$TMP/big.lua" >/dev/null
B_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/big.lua")"
log "   $ROUNDS rounds"
B_ROUNDS="$(rounds "$TMP/big.lua")"
B_RSS="$(rss)"
stop_server

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
