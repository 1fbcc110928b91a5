#!/usr/bin/env bash
# Start or stop the scale-out services on loopback for the `scale` test group:
#   PostgreSQL on 55432, Redis on 56379, moto's S3 server on 55000, data under $ATLAS_SCALE_DIR.
# Usage: .ci/services.sh install | start | stop | env | stop-redis | start-redis | stop-postgres | start-postgres
# `env` prints the exports the tests read (ATLAS_TEST_POSTGRES, ATLAS_TEST_REDIS, ATLAS_TEST_S3).
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE_DIR="${ATLAS_SCALE_DIR:-/tmp/atlas-scale}"
PG_PORT="${ATLAS_PG_PORT:-55432}"
REDIS_PORT="${ATLAS_REDIS_PORT:-56379}"
S3_PORT="${ATLAS_S3_PORT:-55000}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PY=".venv/bin/python"

as_pg() {
  # initdb/postgres refuse to run as root; run them as the postgres system user when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
  if [ -z "$PG_BIN" ] || ! command -v redis-server >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql redis-server >/dev/null
  fi
  "$PY" -c "import moto, celery, psycopg, boto3" 2>/dev/null || .venv/bin/pip install --quiet -e '.[dev]'
}

start() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  mkdir -p "$SCALE_DIR"
  chmod 777 "$SCALE_DIR"
  # PostgreSQL: a throw-away cluster, trust auth on loopback only.
  if [ ! -s "$SCALE_DIR/pg/PG_VERSION" ]; then
    mkdir -p "$SCALE_DIR/pg" && chmod 700 "$SCALE_DIR/pg"
    [ "$(id -u)" = 0 ] && chown postgres: "$SCALE_DIR/pg"
    as_pg "$PG_BIN/initdb" -D "$SCALE_DIR/pg" -U atlas --auth=trust -E UTF8 >"$SCALE_DIR/initdb.log"
  fi
  mkdir -p "$SCALE_DIR/pgsock" && chmod 777 "$SCALE_DIR/pgsock"
  start_postgres
  # Redis: no persistence (the database is the truth; a lost queue costs one sweep).
  start_redis
  # moto's S3 server.
  nohup "$PY" -m moto.server -H 127.0.0.1 -p "$S3_PORT" >"$SCALE_DIR/moto.log" 2>&1 &
  echo $! >"$SCALE_DIR/moto.pid"
  for _ in $(seq 1 100); do
    if "$PY" - <<PYEOF 2>/dev/null; then return 0; fi
import socket
for port in ($PG_PORT, $REDIS_PORT, $S3_PORT):
    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
PYEOF
    sleep 0.2
  done
  echo "services did not come up" >&2
  return 1
}

stop() {
  if [ -n "$PG_BIN" ] && [ -f "$SCALE_DIR/pg/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$SCALE_DIR/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$SCALE_DIR/redis.pid" ]; then kill "$(cat "$SCALE_DIR/redis.pid")" 2>/dev/null || true; rm -f "$SCALE_DIR/redis.pid"; fi
  if [ -f "$SCALE_DIR/moto.pid" ]; then kill "$(cat "$SCALE_DIR/moto.pid")" 2>/dev/null || true; rm -f "$SCALE_DIR/moto.pid"; fi
}

start_redis() {
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --daemonize yes --pidfile "$SCALE_DIR/redis.pid" --logfile "$SCALE_DIR/redis.log" --dir "$SCALE_DIR"
}

# For the outage scenarios: Redis loses every queued message (no persistence), PostgreSQL stops
# hard (immediate mode) and comes back with everything committed.
stop_redis() {
  kill -9 "$(cat "$SCALE_DIR/redis.pid")" 2>/dev/null || true
  rm -f "$SCALE_DIR/redis.pid"
}

stop_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$SCALE_DIR/pg" -m immediate -w stop >/dev/null
}

start_postgres() {
  as_pg "$PG_BIN/pg_ctl" -D "$SCALE_DIR/pg" -l "$SCALE_DIR/pg.log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $SCALE_DIR/pgsock -c max_connections=300 -c fsync=off" start >/dev/null
}

env_() {
  echo "export ATLAS_SCALE_DIR=$SCALE_DIR"
  echo "export ATLAS_TEST_POSTGRES=postgresql+psycopg://atlas@127.0.0.1:$PG_PORT/postgres"
  echo "export ATLAS_TEST_REDIS=redis://127.0.0.1:$REDIS_PORT"
  echo "export ATLAS_TEST_S3=http://127.0.0.1:$S3_PORT"
  echo "export ATLAS_TEST_PG_CTL='$PG_BIN/pg_ctl'"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) env_ ;;
  stop-redis) stop_redis ;;
  start-redis) start_redis ;;
  stop-postgres) stop_postgres ;;
  start-postgres) start_postgres ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
