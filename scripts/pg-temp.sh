#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests.
#
#   url=$(bash scripts/pg-temp.sh start DIR)   # DIR: an empty directory (e.g. from mktemp -d)
#   bash scripts/pg-temp.sh stop DIR           # stops the cluster and removes DIR
#
# start prints postgresql://postgres@127.0.0.1:PORT/postgres on stdout (progress goes to
# stderr). The cluster listens only on 127.0.0.1 at a free port, keeps its unix socket in DIR,
# and trusts local connections (superuser "postgres"). PostgreSQL refuses to run as root, so
# as root every server command runs as the system user postgres (runuser); as any other user
# it runs as that user. PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARKER=.vault-pg-temp

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -n "$dir" ] || usage
dir=$(cd "$dir" 2>/dev/null && pwd) || { echo "pg-temp: no directory $2" >&2; exit 1; }
[ "$dir" != / ] || { echo "pg-temp: refusing to use /" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  if [ -n "$(ls -A "$dir")" ]; then
    echo "pg-temp: $dir is not empty" >&2
    exit 1
  fi
  touch "$dir/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  echo "pg-temp: initdb in $dir/data" >&2
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
EOF
  local port="" attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 \
        start >&2; then
      break
    fi
    echo "pg-temp: start on port $port failed (attempt $attempt)" >&2
    tail -n 5 "$dir/server.log" >&2 || true
    port=""
  done
  [ -n "$port" ] || { echo "pg-temp: PostgreSQL did not start" >&2; exit 1; }
  local i
  for i in $(seq 1 300); do
    if pg_isready -q -h 127.0.0.1 -p "$port" -U postgres -t 1; then
      echo "pg-temp: ready on 127.0.0.1:$port" >&2
      echo "postgresql://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    sleep 0.1
  done
  echo "pg-temp: PostgreSQL on port $port never became ready" >&2
  tail -n 20 "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  if [ ! -e "$dir/$MARKER" ]; then
    echo "pg-temp: $dir was not made by pg-temp.sh start; leaving it alone" >&2
    exit 1
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2; then
      # Only the postmaster this script started, by its recorded pid.
      pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      if [ -n "$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  fi
  rm -rf "$dir"
  echo "pg-temp: stopped and removed $dir" >&2
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
