#!/usr/bin/env bash
# Local PostgreSQL and RabbitMQ for tests, the demo and benchmarks: real servers on loopback,
# data in a project-local folder, installed with apt-get when missing (no Docker here).
#   scripts/services.sh start|stop|status|env|restart-postgres|restart-rabbitmq
# Idempotent: `start` on running servers only prints their URLs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_PORT=${KADA_PG_PORT:-54329}
AMQP_PORT=${KADA_AMQP_PORT:-56729}
DIST_PORT=${KADA_RABBIT_DIST_PORT:-25679}
EPMD_PORT=${KADA_EPMD_PORT:-43690}
PG_USER=kada
PG_PASSWORD=kada

# PostgreSQL refuses to run as root, and the postgres user cannot enter a private folder
# (mktemp -d is 0700): use the project folder when it can, a folder under /tmp named after it otherwise.
pick_dir() {
  local want=${KADA_SERVICES_DIR:-$ROOT/.tmp/services}
  mkdir -p "$want"
  if [ "$(id -u)" != 0 ] || su postgres -s /bin/sh -c "test -x '$want'" 2>/dev/null; then
    echo "$want"
  else
    echo "/tmp/kada-services-$(printf %s "$ROOT" | md5sum | cut -c1-12)"
  fi
}
DIR=$(pick_dir)
PGDATA="$DIR/pg"
RDIR="$DIR/rabbit"

log() { echo "[services] $*" >&2; }

pg_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/pg_ctl" ] && { echo "$b"; return; }; done
  return 1
}

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Debian packages start their service on install; there is no init system here, so forbid it.
  local had_policy=0
  [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  [ $had_policy = 1 ] || printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq >/dev/null 2>&1 || apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
  [ $had_policy = 1 ] || rm -f /usr/sbin/policy-rc.d
}

ensure_installed() {
  pg_bin >/dev/null || apt_install postgresql
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || apt_install rabbitmq-server
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_running() { as_pg "$(pg_bin)/pg_ctl -D '$PGDATA' status" >/dev/null 2>&1; }

start_pg() {
  local bin; bin=$(pg_bin)
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PGDATA"
    as_pg "mkdir -p '$PGDATA' && printf %s '$PG_PASSWORD' > '$DIR/.pgpass' && '$bin/initdb' -D '$PGDATA' -U $PG_USER --pwfile='$DIR/.pgpass' -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null && rm -f '$DIR/.pgpass'"
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$DIR'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
CONF
  fi
  if pg_running; then return; fi
  if port_busy "$PG_PORT"; then
    log "port $PG_PORT is taken by another server (another checkout's services?); set KADA_PG_PORT to use another"; exit 1
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "'$bin/pg_ctl' -D '$PGDATA' -l '$DIR/pg.log' -w -t 60 start" >/dev/null
  PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U $PG_USER -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kada'" | grep -q 1 \
    || PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U $PG_USER -d postgres -qc "CREATE DATABASE kada" >/dev/null
}

stop_pg() { pg_running && as_pg "$(pg_bin)/pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null || true; }

rabbit_env() {
  export HOME="$RDIR/home"
  export RABBITMQ_NODENAME=kada@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export RABBITMQ_DIST_PORT=$DIST_PORT
  export ERL_EPMD_PORT=$EPMD_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$RDIR/mnesia"
  export RABBITMQ_LOG_BASE="$RDIR/log"
  export RABBITMQ_PID_FILE="$RDIR/rabbit.pid"
  export RABBITMQ_CONFIG_FILE="$RDIR/rabbitmq"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RDIR/enabled_plugins"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RDIR/advanced.config"
  mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  [ -f "$RABBITMQ_ENABLED_PLUGINS_FILE" ] || echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  [ -f "$RDIR/rabbitmq.conf" ] || printf 'loopback_users = none\nlisteners.tcp.default = 127.0.0.1:%s\n' "$AMQP_PORT" > "$RDIR/rabbitmq.conf"
  [ -f "$RABBITMQ_ADVANCED_CONFIG_FILE" ] || echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
}

rabbitctl() { ( rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl "$@" ); }
rabbit_running() { rabbitctl -q status >/dev/null 2>&1; }

start_rabbit() {
  if rabbit_running; then return; fi
  if port_busy "$AMQP_PORT"; then
    log "port $AMQP_PORT is taken by another server (another checkout's services?); set KADA_AMQP_PORT to use another"; exit 1
  fi
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  ( rabbit_env; /usr/lib/rabbitmq/bin/rabbitmq-server -detached >/dev/null 2>&1 )
  # await_startup fails at once while the node is not yet registered with epmd: poll it.
  local i
  for i in $(seq 1 60); do
    rabbitctl -q await_startup --timeout 10 >/dev/null 2>&1 && return
    sleep 2
  done
  log "RabbitMQ did not start; see $RDIR/log"; tail -n 20 "$RDIR"/log/*.log >&2 || true; exit 1
}

stop_rabbit() { rabbit_running && rabbitctl -q stop >/dev/null 2>&1 || true; }

print_env() {
  echo "DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/kada"
  echo "AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT"
}

status() {
  local rc=0
  if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; rc=3; fi
  if rabbit_running; then echo "rabbitmq: running on 127.0.0.1:$AMQP_PORT"; else echo "rabbitmq: stopped"; rc=3; fi
  return $rc
}

case "${1:-start}" in
  start) ensure_installed; start_pg; start_rabbit; print_env ;;
  stop) stop_rabbit; stop_pg; echo "services stopped" ;;
  status) status ;;
  env) print_env ;;
  restart-postgres) stop_pg; start_pg ;;
  restart-rabbitmq) stop_rabbit; start_rabbit ;;
  stop-postgres) stop_pg ;;
  stop-rabbitmq) stop_rabbit ;;
  start-postgres) start_pg ;;
  start-rabbitmq) start_rabbit ;;
  *) echo "usage: $0 start|stop|status|env|restart-postgres|restart-rabbitmq" >&2; exit 2 ;;
esac
