#!/usr/bin/env bash
# API key verification benchmark: POST /api/v1/keys/verify (service client, HTTP Basic) with 100
# keys in the store and with 1,000,000, each beside GET /healthz of the same server measured in the
# same phase, over keep-alive connections (wrk). Prints verifications/s, p50/p99 and the ratio to
# /healthz against the issue's targets (≥ 0.60, flat across sizes). Reports; never fails on them.
#
#   bash bench/key_verify.sh          # ~3 minutes on 2 cores
#
# 1. fresh SQLite database; through the API: a Super Admin, a service client for "submit", one
#    workspace + enterprise product, BENCH_SMALL_KEYS (100) keys; sanity (valid / malformed);
# 2. after a verify warm-up: /healthz for half the run time, verify with a key picked at random
#    per request among those keys, /healthz for the other half (the ratio uses both halves);
# 3. stops the server, adds keys directly to the database up to BENCH_KEYS (1,000,000) in all,
#    spread over BENCH_WORKSPACES (10,000) new workspaces with active products, stored as the
#    server stores them (HMAC-SHA-256 under the server secret); keeps BENCH_SAMPLE (100,000) texts;
# 4. restarts (the cache warms from the store in the background; the run waits for it), /healthz,
#    then verify with keys drawn at random from the sample; the server's VmRSS;
# 5. prints the table.
#
# Knobs: BENCH_HTTP_SECONDS (10), BENCH_WARMUP_SECONDS (20, verify load before each measurement), BENCH_CONNECTIONS (64), BENCH_SMALL_KEYS (100), BENCH_KEYS
# (1000000), BENCH_WORKSPACES (10000), BENCH_SAMPLE (100000), BENCH_NO_BUILD=1, BENCH_KEEP=1,
# BENCH_JSON (write the results there). Any VAULT_* variable you export reaches the server.
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

wait_warm() {  # $1: log name → the number of keys once the log says the cache is warm
  for _ in $(seq 1 6000); do
    grep -q '"API key cache warmed"' "$TMP/$1.log" && break
    sleep 0.05
  done
  grep -o '"msg":"API key cache warmed","keys":"[0-9]*"' "$TMP/$1.log" | sed -E 's/.*"keys":"([0-9]*)"/\1/'
}
server_ticks() { awk '{print $14+$15}' /proc/$SERVER_PID/stat; }
with_cpu() {  # json ticks0 ticks1 → json + the server's CPU microseconds per request
  /usr/bin/python3 -c 'import json,os,sys; j=json.loads(sys.argv[1]); t=int(sys.argv[3])-int(sys.argv[2]);
j["server_cpu_us"]=round(t*1e6/os.sysconf("SC_CLK_TCK")/max(1,j["requests"]),1); print(json.dumps(j))' "$@"
}
measure() {  # lua → "healthz_json verify_json"
  local h1 h2 h v t0 t1
  # Warm-up: every sampled key is used at least once, as in a steady state where busy keys
  # were seen within the last minute (last use is recorded once a minute per key).
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$1" "$BASE/api/v1/keys/verify" >/dev/null 2>&1 || true
  # /healthz for half the time just before and half just after the verify run, so the ratio
  # compares like with like on a VM whose speed drifts by 10-20% within a minute.
  local half=$(( (SECONDS_PER_RUN + 1) / 2 ))
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
  echo "$h" >"$TMP/h.json"; echo "$v" >"$TMP/v.json"
}
rss() { awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status; }

log "1. fresh database, $SMALL keys through the API"
start_server small
log "   sanity: $($PY bench/key_verify.py setup --base "$BASE" --vault "$VAULT" --keys "$SMALL" --out "$TMP/setup.json")"
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --out "$TMP/small.lua" >/dev/null
S_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/small.lua")"
log "2. $SMALL keys: wrk -t2 -c$CONNS -d${SECONDS_PER_RUN}s"
measure "$TMP/small.lua"
S_H="$(cat "$TMP/h.json")"; S_V="$(cat "$TMP/v.json")"; S_RSS="$(rss)"
stop_server

log "3. seeding $((KEYS - SMALL)) more keys over $WORKSPACES workspaces"
T0="$(date +%s.%N)"
log "   $($PY bench/key_verify.py seed --db "$TMP/vault.db" --secret "$TMP/secret" --keys "$((KEYS - SMALL))" \
      --workspaces "$WORKSPACES" --sample "$SAMPLE" --out "$TMP/sample.json")"
SEED_S="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$T0")"

log "4. $KEYS keys: restart, wait for the cache warm-up"
W0="$(date +%s.%N)"
start_server big
CACHED="$(wait_warm big)"
WARM_S="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),1))' "$W0")"
log "   warmed: $CACHED keys in ${WARM_S}s (from process start)"
$PY bench/key_verify.py lua --setup "$TMP/setup.json" --keys "$TMP/sample.json" --out "$TMP/big.lua" >/dev/null
B_MIX="$($PY bench/key_verify.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/big.lua")"
measure "$TMP/big.lua"
B_H="$(cat "$TMP/h.json")"; B_V="$(cat "$TMP/v.json")"; B_RSS="$(rss)"
stop_server

$PY - "$TMP/results.json" <<PYEOF
import json, sys
R = {"conns": $CONNS, "seconds": $SECONDS_PER_RUN, "warmup": $WARMUP, "background": $BACKGROUND,
     "small": {"keys": $SMALL, "healthz": $S_H, "verify": $S_V, "mix": $S_MIX, "rss_kib": $S_RSS},
     "big": {"keys": $KEYS, "healthz": $B_H, "verify": $B_V, "mix": $B_MIX, "rss_kib": $B_RSS,
             "sample": $SAMPLE, "workspaces": $WORKSPACES, "warm_s": $WARM_S, "cached": ${CACHED:-0},
             "seed_s": $SEED_S}}
json.dump(R, open(sys.argv[1], "w"), indent=2)
PYEOF
$PY bench/key_verify.py table --results "$TMP/results.json"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.json" "$BENCH_JSON"
exit 0
