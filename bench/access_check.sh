#!/usr/bin/env bash
# Access-check benchmark: POST /api/v1/access/check (service client, HTTP Basic) on an almost
# empty database and on the same database bulk-seeded to 1,000,000 accounts, 100,000 workspaces
# and 5,000,000 grants, each figure beside /healthz measured in the same phase; prints the ratios
# and the server's memory against the issue's targets. Reports numbers; never fails on them.
#
#   bash bench/access_check.sh          # ~8 minutes on 2 cores, about 2 of them seeding
#
# 1. starts the server on a fresh SQLite database; through the API: a Super Admin (CLI +
#    set-password link), a service client for "submit", one workspace + enterprise product + grant,
#    sanity checks (allowed / not_member);
# 2. empty database: wrk on /healthz, then wrk on the check with a Lua script picking random
#    bodies among BENCH_EMPTY_PAIRS pairs (90% the granted admin → allowed, 10% an account in no
#    workspace → not_member);
# 3. stops the server and seeds the same file with the sqlite3 CLI (bench/access_seed.sql: one
#    transaction, recursive CTEs, synchronous=OFF for the load only);
# 4. restarts the server; /healthz; then the check with BENCH_PAIRS random (member, product) pairs
#    over all the workspaces (90% allowed, 10% not_member): a warm-up pass, then the measured run;
#    VmRSS / VmHWM of the server afterwards; then, after another restart, a diagnostic run with
#    pairs from only BENCH_HOT_WORKSPACES workspaces (a working set the model's cache can hold);
# 5. prints the table.
#
# Knobs (environment): BENCH_HTTP_SECONDS (10), BENCH_WARMUP_SECONDS (50: long enough for the in-order warm-up to ask every pair once), BENCH_CONNECTIONS (64),
# BENCH_ACCOUNTS (1000000), BENCH_WORKSPACES (100000), BENCH_MEMBERS (50 per workspace),
# BENCH_PAIRS (100000), BENCH_EMPTY_PAIRS (10000), BENCH_HOT_WORKSPACES (20000; 0 = skip the
# diagnostic run whose pairs come from that many workspaces only), BENCH_HOT_WARMUP_SECONDS (20),
# BENCH_NO_BUILD=1 (use build/atomyx-vault as
# it is), BENCH_KEEP=1 (keep the temporary directory with the seeded database), BENCH_JSON (write
# the results there). ACCOUNTS must divide WORKSPACES*MEMBERS and be
# coprime with 7919. Any VAULT_* variable you export reaches the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=/usr/bin/python3
HTTP_SECONDS="${BENCH_HTTP_SECONDS:-10}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-50}"
CONNS="${BENCH_CONNECTIONS:-64}"
ACCOUNTS="${BENCH_ACCOUNTS:-1000000}"
WORKSPACES="${BENCH_WORKSPACES:-100000}"
MEMBERS="${BENCH_MEMBERS:-50}"
PAIRS="${BENCH_PAIRS:-100000}"
EMPTY_PAIRS="${BENCH_EMPTY_PAIRS:-10000}"
HOT_WORKSPACES="${BENCH_HOT_WORKSPACES:-20000}"
HOT_WARMUP_SECONDS="${BENCH_HOT_WARMUP_SECONDS:-20}"
STRIDE=7919  # member j of workspace w = ((w*MEMBERS + j) * STRIDE) mod ACCOUNTS, see access_seed.sql

log() { printf '[access-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ $(( WORKSPACES * MEMBERS % ACCOUNTS )) -ne 0 ] || [ $(( ACCOUNTS % 7919 )) -eq 0 ]; then
  echo "BENCH_ACCOUNTS must divide BENCH_WORKSPACES*BENCH_MEMBERS and be coprime with 7919" >&2; exit 2
fi

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

START_SECONDS=0
healthz() {
  wrk -t2 -c"$CONNS" -d2s "$BASE/healthz" >/dev/null 2>&1 || true  # warm-up
  wrk_json "$BASE/healthz" "$TMP/report.lua" "$HTTP_SECONDS"
}

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
log "2. empty: GET /healthz, wrk -t2 -c$CONNS -d${HTTP_SECONDS}s"
E_HEALTHZ="$(healthz)"
log "   $E_HEALTHZ"
log "   empty: POST /api/v1/access/check"
wrk -t2 -c"$CONNS" -d3s -s "$TMP/empty.lua" "$BASE/api/v1/access/check" >/dev/null 2>&1 || true  # warm-up
E_CHECK="$(wrk_json "$BASE/api/v1/access/check" "$TMP/empty.lua" "$HTTP_SECONDS")"
log "   $E_CHECK"
stop_server

# --- 3. bulk seed -------------------------------------------------------------------------------------
log "3. seeding $ACCOUNTS accounts, $WORKSPACES workspaces, $((WORKSPACES * MEMBERS)) memberships and grants"
S0="$(date +%s.%N)"
sed -e "s/@ACCOUNTS@/$ACCOUNTS/g; s/@WORKSPACES@/$WORKSPACES/g; s/@MEMBERS@/$MEMBERS/g" \
    -e "s/@STRIDE@/$STRIDE/g; s/@NOW@/$(date +%s)/g" bench/access_seed.sql |
  sqlite3 -bail "$TMP/vault.db" >/dev/null
S1="$(date +%s.%N)"
SEED_SECONDS="$($PY -c 'import sys; print(round(float(sys.argv[2])-float(sys.argv[1]),1))' "$S0" "$S1")"
DB_BYTES="$(( $(stat -c %s "$TMP/vault.db") + $(stat -c %s "$TMP/vault.db-wal" 2>/dev/null || echo 0) ))"
log "   seeded in ${SEED_SECONDS}s; database $(( DB_BYTES / 1048576 )) MiB; counts: $(sqlite3 "$TMP/vault.db" \
  'SELECT (SELECT COUNT(*) FROM accounts)||" accounts, "||(SELECT COUNT(*) FROM workspaces)||" workspaces, "||(SELECT COUNT(*) FROM memberships)||" memberships, "||(SELECT COUNT(*) FROM grants)||" grants"')"

# --- 4. seeded database -------------------------------------------------------------------------------
log "4. seeded: restarting the server"
start_server server-seeded
RESTART_SECONDS="$START_SECONDS"
$PY bench/access_check.py lua --setup "$TMP/setup.json" --out "$TMP/seeded.lua" --seeded "$PAIRS" \
  --workspaces "$WORKSPACES" --members "$MEMBERS" --accounts "$ACCOUNTS" --stride "$STRIDE" >"$TMP/pairs.json"
log "   pairs: $(cat "$TMP/pairs.json")"
log "   seeded: GET /healthz, wrk -t2 -c$CONNS -d${HTTP_SECONDS}s"
S_HEALTHZ="$(healthz)"
log "   $S_HEALTHZ"
S_MIX="$($PY bench/access_check.py sample --base "$BASE" --setup "$TMP/setup.json" --lua "$TMP/seeded.lua" --n 500)"
log "   answer mix: $S_MIX"
log "   seeded: warm-up pass asking every pair once in order, ${WARMUP_SECONDS}s"
export BENCH_SEQUENTIAL=1
S_WARM="$(wrk_json "$BASE/api/v1/access/check" "$TMP/seeded.lua" "$WARMUP_SECONDS")"
unset BENCH_SEQUENTIAL
log "   $S_WARM"
log "   seeded: POST /api/v1/access/check, measured"
S_CHECK="$(wrk_json "$BASE/api/v1/access/check" "$TMP/seeded.lua" "$HTTP_SECONDS")"
log "   $S_CHECK"
RSS_KIB="$(awk '/^VmRSS:/ {print $2}' /proc/$SERVER_PID/status)"
HWM_KIB="$(awk '/^VmHWM:/ {print $2}' /proc/$SERVER_PID/status)"
log "   server VmRSS ${RSS_KIB} kB, VmHWM ${HWM_KIB} kB"

read -r ALL1 OURS1 <<<"$(cpu_ticks)"
T1="$(date +%s.%N)"

# Diagnostic: the same check on a restarted server (empty cache) with the pairs drawn from fewer
# workspaces than the model caches (50k), so every workspace loaded stays: separates the cost of
# a check from the cost of (re)loading workspace snapshots. Not part of the targets.
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
  H_HWM_KIB="$(awk '/^VmHWM:/ {print $2}' /proc/$SERVER_PID/status)"
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
    return f"{n // 1000000}M" if n % 1000000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
a, w, m = sys.argv[1:4]; print(f"{h(a)} accounts / {h(w)} workspaces / {h(int(w) * int(m))} grants")' \
  "$ACCOUNTS" "$WORKSPACES" "$MEMBERS")"
$PY - "$TMP/results.json" "$E_HEALTHZ" "$E_CHECK" "$E_MIX" "$SANITY" "$S_HEALTHZ" "$S_WARM" "$S_CHECK" \
  "$S_MIX" "$(cat "$TMP/pairs.json")" "$LABEL" "$CONNS" "$BACKGROUND" "$OTHERS" "$RSS_KIB" "$HWM_KIB" \
  "$SEED_SECONDS" "$DB_BYTES" "$RESTART_SECONDS" "$ACCOUNTS" "$WORKSPACES" "$MEMBERS" "$HOT" <<'EOF'
import json, sys
(out, e_h, e_c, e_mix, sanity, s_h, s_w, s_c, s_mix, pairs, label, conns, background, others, rss, hwm,
 seed_s, db_bytes, restart_s, accounts, workspaces, members, hot) = sys.argv[1:]
j = json.loads
R = {"conns": int(conns), "background": int(background), "others": int(others),
     "empty": {"healthz": j(e_h), "check": j(e_c), "mix": j(e_mix), "sanity": j(sanity)},
     "seeded": {"label": label, "healthz": j(s_h), "warmup": j(s_w), "check": j(s_c), "mix": j(s_mix),
                "pairs": j(pairs), "rss_kib": int(rss), "hwm_kib": int(hwm),
                "hot": j(hot)},
     "seed": {"seconds": float(seed_s), "db_bytes": int(db_bytes), "restart_s": float(restart_s),
              "accounts": int(accounts), "workspaces": int(workspaces), "members": int(members)}}
json.dump(R, open(out, "w"), indent=2)
EOF
$PY bench/access_check.py table --results "$TMP/results.json"
[ -n "${BENCH_JSON:-}" ] && cp "$TMP/results.json" "$BENCH_JSON"
exit 0
