#!/usr/bin/env bash
# Access-check benchmark (issue 18: every hot read from memory, flat at a million):
# POST /api/v1/access/check (service client, HTTP Basic) on an almost empty database and on the
# same database bulk-seeded to 1,000,000 accounts, 100,000 workspaces, 5,000,000 memberships and
# grants, 1,000,000 API keys and 1,000,000 sessions; each figure beside /healthz measured in the
# same round; prints the ratios, the time to ready, the cold first seconds and the server's
# memory against the issue's targets. Reports numbers; never fails on them.
#
#   bash bench/access_check.sh          # ~5 minutes on 2 cores, about 1.5 of them seeding
#   BENCH_ACCOUNTS=100000 BENCH_WORKSPACES=10000 BENCH_ROUNDS=1 BENCH_HTTP_SECONDS=3 \
#     BENCH_NO_BUILD=1 bash bench/access_check.sh   # a quick reduced-scale check of the script
#
# 1. starts the server on a fresh SQLite database; through the API: a Super Admin (CLI +
#    set-password link), a service client for "submit", one workspace + enterprise product + grant,
#    sanity checks (allowed / not_member);
# 2. empty database: BENCH_ROUNDS rounds of [/healthz for half of BENCH_HTTP_SECONDS, the check
#    for BENCH_HTTP_SECONDS, /healthz for the other half] (wrk; the check's Lua script picks
#    random bodies among BENCH_EMPTY_PAIRS pairs: 90% the granted admin → allowed, 10% an account
#    in no workspace → not_member); each round's ratio is the check ÷ the mean of its two
#    /healthz halves, so a drift of the machine's load during the round cancels out;
# 3. stops the server and seeds the same file with the sqlite3 CLI (bench/access_seed.sql: one
#    transaction, recursive CTEs, synchronous=OFF for the load only; BENCH_FULL=1 adds the keys
#    and sessions so the RSS figure covers the whole data set);
# 4. restarts the server and polls /readyz until 200 (the bulk loads have ended): time to ready;
#    then at once the cold window, the first BENCH_COLD_SECONDS of checks with BENCH_PAIRS random
#    (member, product) pairs over all the workspaces (90% allowed, 10% not_member); then
#    (only if BENCH_WARMUP_SECONDS > 0) the old in-order warm-up pass; then BENCH_ROUNDS rounds
#    as in 2 (the warm figures); VmRSS / VmHWM at ready and after the rounds; optionally a
#    diagnostic run over BENCH_HOT_WORKSPACES workspaces only, on a restarted server;
# 5. prints the table: per-round ratios and their median, each beside its target.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (10), BENCH_COLD_SECONDS (10),
# BENCH_WARMUP_SECONDS (0: no warm-up pass; the bulk-loaded model needs none),
# BENCH_CONNECTIONS (64), BENCH_ACCOUNTS (1000000), BENCH_WORKSPACES (100000), BENCH_MEMBERS
# (50 per workspace), BENCH_FULL (1: seed BENCH_KEYS API keys and BENCH_SESSIONS sessions too,
# 1000000 each by default; 0: accounts, workspaces and grants only), BENCH_PAIRS (100000),
# BENCH_EMPTY_PAIRS (10000), BENCH_READY_TIMEOUT (600 s), BENCH_HOT_WORKSPACES (0 = skip the
# diagnostic run whose pairs come from that many workspaces only), BENCH_HOT_WARMUP_SECONDS (20),
# BENCH_NO_BUILD=1 (use build/atomyx-vault as it is), BENCH_KEEP=1 (keep the temporary directory
# with the seeded database), BENCH_JSON (write the results there). ACCOUNTS must divide
# WORKSPACES*MEMBERS and be coprime with 7919. Any VAULT_* variable you export reaches the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
ROUNDS="${BENCH_ROUNDS:-3}"
HTTP_SECONDS="${BENCH_HTTP_SECONDS:-10}"
COLD_SECONDS="${BENCH_COLD_SECONDS:-10}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-0}"
CONNS="${BENCH_CONNECTIONS:-64}"
ACCOUNTS="${BENCH_ACCOUNTS:-1000000}"
WORKSPACES="${BENCH_WORKSPACES:-100000}"
MEMBERS="${BENCH_MEMBERS:-50}"
FULL="${BENCH_FULL:-1}"
KEYS=0 SESSIONS=0
if [ "$FULL" = 1 ]; then KEYS="${BENCH_KEYS:-1000000}"; SESSIONS="${BENCH_SESSIONS:-1000000}"; fi
PAIRS="${BENCH_PAIRS:-100000}"
EMPTY_PAIRS="${BENCH_EMPTY_PAIRS:-10000}"
READY_TIMEOUT="${BENCH_READY_TIMEOUT:-600}"
HOT_WORKSPACES="${BENCH_HOT_WORKSPACES:-0}"
HOT_WARMUP_SECONDS="${BENCH_HOT_WARMUP_SECONDS:-20}"
HALF_SECONDS=$(( HTTP_SECONDS / 2 > 0 ? HTTP_SECONDS / 2 : 1 ))  # wrk takes whole seconds
STRIDE=7919  # member j of workspace w = ((w*MEMBERS + j) * STRIDE) mod ACCOUNTS, see access_seed.sql

log() { printf '[access-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ $(( WORKSPACES * MEMBERS % ACCOUNTS )) -ne 0 ] || [ $(( ACCOUNTS % 7919 )) -eq 0 ]; then
  echo "BENCH_ACCOUNTS must divide BENCH_WORKSPACES*BENCH_MEMBERS and be coprime with 7919" >&2; exit 2
fi
if [ "$ROUNDS" -lt 1 ]; then echo "BENCH_ROUNDS must be at least 1" >&2; exit 2; fi

bash scripts/bootstrap.sh --test >&2
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building"
  cmake --build build -j2 --target atomyx-vault >&2
fi

source bench/lib.sh
bench_setup_tmp vault-access-bench "seeded vault.db, secret, logs, Lua scripts"

BACKGROUND="$(cpu_busy)"
if [ "$BACKGROUND" -gt 10 ]; then
  log "WARNING: the machine is already ${BACKGROUND}% busy before the benchmark; figures will be low"
fi

export VAULT_DATABASE="sqlite:$TMP/vault.db" VAULT_SECRET_FILE="$TMP/secret" VAULT_MAIL_OUTBOX="$TMP/outbox"
export VAULT_DEV=1 VAULT_SMTP_URL= VAULT_IP_RATE_PER_SECOND="${VAULT_IP_RATE_PER_SECOND:-0}"
export VAULT_ARGON2_MEMORY_KIB="${VAULT_ARGON2_MEMORY_KIB:-8192}"
# The bench's Super Admin only sets up a service client; 2FA for it would measure nothing.
export VAULT_SUPER_ADMIN_REQUIRE_2FA=off

# One round: /healthz for half the time, the check, /healthz for the other half. Prints
# {"healthz": [first half, second half], "check": ...} (each a BENCH_JSON object).
round() {  # $1: the check's Lua script
  local h1 c h2
  h1="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$HALF_SECONDS")"
  c="$(wrk_json "$BASE/api/v1/access/check" "$1" "$HTTP_SECONDS")"
  h2="$(wrk_json "$BASE/healthz" "$TMP/report.lua" "$HALF_SECONDS")"
  echo "{\"healthz\": [$h1, $h2], \"check\": $c}"
}
rounds() {  # $1: the check's Lua script, $2: phase name; prints a JSON array of rounds
  local i r out=""
  for i in $(seq 1 "$ROUNDS"); do
    r="$(round "$1")"
    log "   $2 round $i/$ROUNDS: $($PY -c 'import json,sys
r = json.loads(sys.argv[1]); h = sum(x["rps"] for x in r["healthz"]) / 2; c = r["check"]["rps"]
print(f"/healthz {h:,.0f} req/s, check {c:,.0f} checks/s, ratio {c / h:.2f}")' "$r")"
    out="${out:+$out, }$r"
  done
  echo "[$out]"
}
rss_kib() { awk "/^$1:/ {print \$2}" /proc/$SERVER_PID/status; }

# CPU ticks of everything, and of us: this shell plus its waited-for children (wrk, sqlite3, the
# helper and the CLI it runs, stopped servers) plus the live server. See bench/run.sh.
cpu_ticks() {
  local all ours live=0
  all="$(awk 'NR==1 {print $2+$3+$4+$7+$8+$9}' /proc/stat)"
  [ -n "$SERVER_PID" ] && live="$(awk '{print $14+$15}' /proc/$SERVER_PID/stat)"
  ours="$(( $(awk '{print $14+$15+$16+$17}' /proc/$$/stat) + live ))"
  echo "$all $ours"
}
read -r ALL0 OURS0 <<<"$(cpu_ticks)"
T0="$(date +%s.%N)"

# --- 1. fresh database, set-up through the API ---------------------------------------------------
log "1. fresh SQLite database in $TMP"
start_server server-empty
SANITY="$($PY bench/access_check.py setup --base "$BASE" --vault "$VAULT" --out "$TMP/setup.json")"
log "   sanity: $SANITY"
$PY bench/access_check.py lua --setup "$TMP/setup.json" --out "$TMP/empty.lua" --empty "$EMPTY_PAIRS" >/dev/null
E_MIX="$($PY bench/access_check.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/empty.lua" --n 500)"
log "   answer mix: $E_MIX"

# --- 2. almost-empty database ----------------------------------------------------------------------
log "2. empty: $ROUNDS rounds of /healthz ${HALF_SECONDS}s + check ${HTTP_SECONDS}s + /healthz ${HALF_SECONDS}s (wrk -t2 -c$CONNS)"
wrk -t2 -c"$CONNS" -d2s "$BASE/healthz" >/dev/null 2>&1 || true  # warm-up (connections, code)
wrk -t2 -c"$CONNS" -d2s -s "$TMP/empty.lua" "$BASE/api/v1/access/check" >/dev/null 2>&1 || true
E_ROUNDS="$(rounds "$TMP/empty.lua" empty)"
stop_server

# --- 3. bulk seed -------------------------------------------------------------------------------------
log "3. seeding $ACCOUNTS accounts, $WORKSPACES workspaces, $((WORKSPACES * MEMBERS)) memberships and grants, $KEYS API keys, $SESSIONS sessions"
S0="$(date +%s.%N)"
sed -e "s/@ACCOUNTS@/$ACCOUNTS/g; s/@WORKSPACES@/$WORKSPACES/g; s/@MEMBERS@/$MEMBERS/g" \
    -e "s/@KEYS@/$KEYS/g; s/@SESSIONS@/$SESSIONS/g" \
    -e "s/@STRIDE@/$STRIDE/g; s/@NOW@/$(date +%s)/g" bench/access_seed.sql |
  sqlite3 -bail "$TMP/vault.db" >/dev/null
S1="$(date +%s.%N)"
SEED_SECONDS="$($PY -c 'import sys; print(round(float(sys.argv[2])-float(sys.argv[1]),1))' "$S0" "$S1")"
DB_BYTES="$(( $(stat -c %s "$TMP/vault.db") + $(stat -c %s "$TMP/vault.db-wal" 2>/dev/null || echo 0) ))"
COUNTS="$(sqlite3 -json "$TMP/vault.db" 'SELECT (SELECT COUNT(*) FROM accounts) AS accounts,
  (SELECT COUNT(*) FROM workspaces) AS workspaces, (SELECT COUNT(*) FROM products) AS products,
  (SELECT COUNT(*) FROM memberships) AS memberships, (SELECT COUNT(*) FROM grants) AS grants,
  (SELECT COUNT(*) FROM api_keys) AS api_keys, (SELECT COUNT(*) FROM sessions) AS sessions' |
  $PY -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]))')"
log "   seeded in ${SEED_SECONDS}s; database $(( DB_BYTES / 1048576 )) MiB; rows: $COUNTS"

# --- 4. seeded database -------------------------------------------------------------------------------
$PY bench/access_check.py lua --setup "$TMP/setup.json" --out "$TMP/seeded.lua" --seeded "$PAIRS" \
  --workspaces "$WORKSPACES" --members "$MEMBERS" --accounts "$ACCOUNTS" --stride "$STRIDE" >"$TMP/pairs.json"
log "4. seeded: restarting the server; pairs: $(cat "$TMP/pairs.json")"
R0="$(date +%s.%N)"
start_server server-seeded
RESTART_SECONDS="$START_SECONDS"
# Ready = /readyz 200: every start-up bulk load has ended (Metrics::loading). Polled every 50 ms.
READY=""
while :; do
  code="$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$BASE/readyz" || true)"
  [ "$code" = 200 ] && { READY="$(date +%s.%N)"; break; }
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server-seeded.log" >&2; echo "server exited" >&2; exit 1; }
  if [ "$($PY -c 'import sys,time; print(int(time.time()-float(sys.argv[1])>float(sys.argv[2])))' "$R0" "$READY_TIMEOUT")" = 1 ]; then
    log "   WARNING: /readyz still $code after ${READY_TIMEOUT}s; measuring anyway"; READY="$(date +%s.%N)"; code=timeout; break
  fi
  sleep 0.05
done
READY_SECONDS="$($PY -c 'import sys; print(round(float(sys.argv[2])-float(sys.argv[1]),2))' "$R0" "$READY")"
[ "$code" = 200 ] || READY_SECONDS="-$READY_SECONDS"  # negative: timed out (shown as such)
READY_RSS_KIB="$(rss_kib VmRSS)"
log "   ready (/readyz 200) ${READY_SECONDS}s after start (listening after ${RESTART_SECONDS}s); VmRSS ${READY_RSS_KIB} kB"
grep -o '"msg":"[^"]*load[^"]*"[^}]*' "$TMP/server-seeded.log" | head -5 | sed 's/^/     log: /' >&2 || true
log "   cold: the first ${COLD_SECONDS}s of checks right after ready"
S_COLD="$(wrk_json "$BASE/api/v1/access/check" "$TMP/seeded.lua" "$COLD_SECONDS")"
# wrk builds its requests (the Lua script's pairs) before the first one: the window opens that
# long after ready. Nothing else reaches the server meanwhile.
COLD_GAP="$($PY -c 'import json,sys,time; print(round(max(0.0, time.time() - float(sys.argv[1]) - json.loads(sys.argv[2])["seconds"]), 1))' "$READY" "$S_COLD")"
log "   $S_COLD (the first check ~${COLD_GAP}s after ready)"
S_WARM="null"
if [ "$WARMUP_SECONDS" -gt 0 ]; then
  log "   warm-up pass asking every pair once in order, ${WARMUP_SECONDS}s (BENCH_WARMUP_SECONDS)"
  export BENCH_SEQUENTIAL=1
  S_WARM="$(wrk_json "$BASE/api/v1/access/check" "$TMP/seeded.lua" "$WARMUP_SECONDS")"
  unset BENCH_SEQUENTIAL
  log "   $S_WARM"
fi
log "   seeded: $ROUNDS rounds"
S_ROUNDS="$(rounds "$TMP/seeded.lua" seeded)"
RSS_KIB="$(rss_kib VmRSS)"
HWM_KIB="$(rss_kib VmHWM)"
log "   server VmRSS ${RSS_KIB} kB, VmHWM ${HWM_KIB} kB"
S_MIX="$($PY bench/access_check.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/seeded.lua" --n 500)"
log "   answer mix: $S_MIX"

read -r ALL1 OURS1 <<<"$(cpu_ticks)"
T1="$(date +%s.%N)"

# Diagnostic (off by default): the same check on a restarted server with the pairs drawn from
# BENCH_HOT_WORKSPACES workspaces only. It separated the cost of a check from the cost of
# (re)loading snapshots when the model was a bounded lazy cache; kept for comparisons.
HOT="null"
if [ "$HOT_WORKSPACES" -gt 0 ]; then
  stop_server
  start_server server-hot
  $PY bench/access_check.py lua --setup "$TMP/setup.json" --out "$TMP/hot.lua" --seeded "$PAIRS" \
    --workspaces "$WORKSPACES" --members "$MEMBERS" --accounts "$ACCOUNTS" --stride "$STRIDE" \
    --hot-workspaces "$HOT_WORKSPACES" >"$TMP/hot-pairs.json"
  log "   diagnostic: restarted; pairs over $HOT_WORKSPACES workspaces only: warm-up ${HOT_WARMUP_SECONDS}s, then measured"
  H_WARM="$(wrk_json "$BASE/api/v1/access/check" "$TMP/hot.lua" "$HOT_WARMUP_SECONDS")"
  log "   $H_WARM"
  H_CHECK="$(wrk_json "$BASE/api/v1/access/check" "$TMP/hot.lua" "$HTTP_SECONDS")"
  log "   $H_CHECK"
  H_HWM_KIB="$(rss_kib VmHWM)"
  HOT="{\"pairs\": $(cat "$TMP/hot-pairs.json"), \"warmup\": $H_WARM, \"check\": $H_CHECK, \"hwm_kib\": $H_HWM_KIB}"
fi

OTHERS="$($PY -c 'import os,sys; a0,o0,a1,o1=map(int,sys.argv[1:5]); t=float(sys.argv[6])-float(sys.argv[5]);
hz=os.sysconf("SC_CLK_TCK"); n=os.cpu_count(); print(round(100*max(0,(a1-a0)-(o1-o0))/hz/t/n))' \
  "$ALL0" "$OURS0" "$ALL1" "$OURS1" "$T0" "$T1")"
stop_server

# --- 5. table -------------------------------------------------------------------------------------------
LABEL="$($PY -c 'import sys
def h(n):
    n = int(n)
    return f"{n // 1000000}M" if n and n % 1000000 == 0 else f"{n // 1000}k" if n and n % 1000 == 0 else str(n)
a, w, m, k, s = sys.argv[1:6]
extra = f" / {h(k)} keys / {h(s)} sessions" if int(k) or int(s) else ""
print(f"{h(a)} accounts / {h(w)} workspaces / {h(int(w) * int(m))} grants{extra}")' \
  "$ACCOUNTS" "$WORKSPACES" "$MEMBERS" "$KEYS" "$SESSIONS")"
cat >"$TMP/results.json" <<JSON
{"conns": $CONNS, "background": $BACKGROUND, "others": $OTHERS, "rounds": $ROUNDS,
 "http_seconds": $HTTP_SECONDS, "cold_seconds": $COLD_SECONDS,
 "empty": {"rounds": $E_ROUNDS, "mix": $E_MIX, "sanity": $SANITY},
 "seeded": {"label": "$LABEL", "ready_s": $READY_SECONDS, "ready_rss_kib": $READY_RSS_KIB,
            "cold": $S_COLD, "cold_gap_s": $COLD_GAP, "warmup": $S_WARM, "rounds": $S_ROUNDS, "mix": $S_MIX,
            "pairs": $(cat "$TMP/pairs.json"), "rss_kib": $RSS_KIB, "hwm_kib": $HWM_KIB, "hot": $HOT},
 "seed": {"seconds": $SEED_SECONDS, "db_bytes": $DB_BYTES, "restart_s": $RESTART_SECONDS,
          "accounts": $ACCOUNTS, "workspaces": $WORKSPACES, "members": $MEMBERS,
          "keys": $KEYS, "sessions": $SESSIONS, "rows": $COUNTS}}
JSON
$PY bench/access_check.py table --results "$TMP/results.json"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.json" "$BENCH_JSON"
exit 0
