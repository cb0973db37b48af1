# Shared pieces of the server benchmarks (bench/access_check.sh, bench/key_verify.sh,
# bench/oidc.sh), sourced after the caller has set TMP (a private temp directory), VAULT (the
# server binary copied there), CONNS (wrk connections), PY and a log() function.
#   bench_setup_tmp        the temp dir with a private copy of build/atomyx-vault (or
#                          $BENCH_VAULT_BIN); cleanup trap
#   start_server NAME      serves on 127.0.0.1:0 with the log in $TMP/NAME.log; sets BASE, SERVER_PID
#   stop_server            SIGTERM (SIGKILL after 10 s)
#   cpu_busy               percent of all CPUs busy over one second
#   wrk_json URL SCRIPT S  runs wrk for S seconds; prints the BENCH_JSON line of the script's done()
# $TMP/report.lua holds a done() that prints that line; request scripts append their own.

SERVER_PID=""
START_SECONDS=0

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [ -n "$SERVER_PID" ] && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

bench_setup_tmp() {  # $1: mktemp prefix, $2: what BENCH_KEEP=1 keeps (for the log line)
  TMP="$(mktemp -d "/tmp/$1.XXXXXX")"
  # Run a private copy: a rebuild during the run must not change the binary between the phases.
  # BENCH_VAULT_BIN names another binary to measure (default: this tree's build).
  cp "${BENCH_VAULT_BIN:-build/atomyx-vault}" "$TMP/atomyx-vault"
  VAULT="$TMP/atomyx-vault"
  KEEP_NOTE="$2"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  cat >"$TMP/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"seconds":%.3f,"rps":%.2f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status))
end
LUA
}

bench_cleanup() {
  stop_server
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $TMP ($KEEP_NOTE)"; else rm -rf "$TMP"; fi
}

cpu_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

start_server() {
  local t0; t0="$(date +%s.%N)"
  VAULT_LISTEN=127.0.0.1:0 "$VAULT" serve >"$TMP/$1.log" 2>&1 &
  SERVER_PID=$!
  ADDR=""
  for _ in $(seq 1 1200); do
    ADDR="$(grep -o '"msg":"listening".*"address":"[^"]*"' "$TMP/$1.log" 2>/dev/null |
            sed -E 's/.*"address":"([^"]*)".*/\1/' | head -1 || true)"
    [ -n "$ADDR" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/$1.log" >&2; echo "server exited" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$ADDR" ] || { cat "$TMP/$1.log" >&2; echo "server did not start listening" >&2; exit 1; }
  BASE="http://$ADDR"
  START_SECONDS="$($PY -c 'import sys,time; print(round(time.time()-float(sys.argv[1]),2))' "$t0")"
  log "server at $BASE (pid $SERVER_PID, listening after ${START_SECONDS}s)"
}

wrk_json() {
  wrk -t2 -c"$CONNS" -d"$3s" --latency -s "$2" "$1" >"$TMP/wrk.out" 2>&1 || { cat "$TMP/wrk.out" >&2; exit 1; }
  grep '^BENCH_JSON ' "$TMP/wrk.out" | sed 's/^BENCH_JSON //'
}
